/**
 * What every mutating node reads from an item that came through the Policy
 * Gate, in one place so Kubernetes Patch and Load Balancer Drain cannot drift.
 */

/**
 * Fields carried through a mutating node: what the gate added (so later nodes
 * can check the same verdict) and the loop's context around it (the Lease held
 * for this run, the state read with it, the alert's dedupe key), so the node
 * that records the decision at the end of a branch finds them on its input without reaching back across the workflow.
 */
const GATE_FIELDS = ['proposal', 'verdict', 'decision', 'lock', 'state', 'dedupeKey'] as const;

export function gateFieldsOf(json: Record<string, unknown>): Record<string, unknown> {
	const fields: Record<string, unknown> = {};
	for (const key of GATE_FIELDS) if (json[key] !== undefined) fields[key] = json[key];
	return fields;
}

/**
 * The error an earlier step left on the item, if any. n8n keeps a failed item
 * on the success output when a node continues on error, so a mutating node
 * must not take "an item arrived" to mean "the step before it worked": a
 * failed wait for Ready must never flow into a drain.
 */
export function upstreamFailure(json: Record<string, unknown>): string | undefined {
	const error = json.error;
	if (error === undefined || error === null || error === '' || error === false) return undefined;
	if (typeof error === 'string') return error;
	if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
	return JSON.stringify(error);
}

export const UPSTREAM_FAILURE_FIX =
	'Route failed items (those with an "error" field) to a decision record, e.g. with an IF node on {{ !$json.error }}, as the shipped workflows do; fix the earlier step and run again.';
