/**
 * What every mutating node reads from an item that came through the Policy
 * Gate, in one place so Kubernetes Patch and Load Balancer Drain cannot drift.
 */

// A failover waits for the target region to scale and become Ready before the
// drain; an hour covers that without letting yesterday's verdict act today.
export const DEFAULT_MAX_VERDICT_AGE_SECONDS = 3600;

/**
 * Fields carried through a mutating node: what the gate added (so later nodes
 * can check the same verdict) and the loop's context around it (the Lease held
 * for this run, the state read with it, the alert's dedupe key, a human's
 * approval), so the node that records the decision at the end of a branch
 * finds them on its input without reaching back across the workflow.
 */
const GATE_FIELDS = ['proposal', 'verdict', 'decision', 'lock', 'state', 'dedupeKey', 'approval'] as const;

export function gateFieldsOf(json: Record<string, unknown>): Record<string, unknown> {
	const fields: Record<string, unknown> = {};
	for (const key of GATE_FIELDS) if (json[key] !== undefined) fields[key] = json[key];
	return fields;
}

/** The node option "Max Verdict Age (Seconds)"; unset means the default, 0 means no limit. */
export function maxVerdictAgeSeconds(option: unknown): number {
	return option === undefined ? DEFAULT_MAX_VERDICT_AGE_SECONDS : Number(option);
}
