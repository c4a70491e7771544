import { randomBytes } from 'node:crypto';

import { buildDecisionRecord, toKubernetesEvent, truncateUtf8, type DecisionRecord } from '../decision';
import type { KubeClient } from './client';
import { writeDecisionEvent } from './decisionEvent';
import { type JsonObject, type KubeObject, type ResourceInfo, apiVersionOf, resources } from './resources';

/** The annotation every change leaves on its target: who, when, from, to, and the decision behind it. */
export const LAST_CHANGE_ANNOTATION = 'kube-ops/last-change';

// Annotations share a 256 KiB budget per object with everyone else's; a
// generic patch's before/after can be large, and the Event keeps the detail.
const ANNOTATION_MAX_BYTES = 2048;

export interface Audit {
	/** Who made the change, e.g. `n8n workflow "Pre-scale" (id 7), execution 42`. */
	actor: string;
	/** Present when the item came through the Policy Gate. */
	decision?: DecisionRecord;
	/** Which n8n instance or workflow writes the Event. */
	reportingInstance?: string;
	now?: () => Date;
}

export function lastChangeValue(operation: string, before: JsonObject, after: JsonObject, audit: Audit): string {
	const at = (audit.now?.() ?? new Date()).toISOString();
	const base = { operation, by: audit.actor, at, ...(audit.decision ? { decisionId: audit.decision.id } : {}) };
	const full = JSON.stringify({ ...base, from: before, to: after });
	if (Buffer.byteLength(full, 'utf8') <= ANNOTATION_MAX_BYTES) return full;
	return JSON.stringify({ ...base, by: truncateUtf8(audit.actor, 256), from: '(too large for an annotation; see the Event)', to: '(too large for an annotation; see the Event)' });
}

export interface EventResult {
	written: boolean;
	name?: string;
	reason?: string;
	/** Why no Event was written, when that was expected (dry run, no change). */
	skipped?: string;
	/** Why the Event write failed; the change itself stands. */
	warning?: string;
}

export interface ChangeSummary {
	operation: string;
	res: ResourceInfo;
	object: KubeObject;
	before: JsonObject;
	after: JsonObject;
	dryRun: boolean;
}

const reasons: Record<string, { reason: string; type: 'Normal' | 'Warning' }> = {
	scale: { reason: 'Scaled', type: 'Normal' },
	hpaBounds: { reason: 'HPABoundsSet', type: 'Normal' },
	kedaBounds: { reason: 'KEDABoundsSet', type: 'Normal' },
	patch: { reason: 'Patched', type: 'Normal' },
	annotate: { reason: 'Annotated', type: 'Normal' },
	// Traffic moved or a rollback made: what on-call should notice in kubectl describe.
	canaryWeight: { reason: 'CanaryWeightSet', type: 'Warning' },
	rolloutUndo: { reason: 'RolledBack', type: 'Warning' },
};

function compact(value: JsonObject): string {
	const text = JSON.stringify(value);
	return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function involvedObject(change: ChangeSummary): JsonObject {
	return {
		apiVersion: apiVersionOf(change.res),
		kind: change.res.kind,
		name: change.object.metadata.name,
		namespace: change.object.metadata.namespace,
		// kubectl describe looks Events up by uid: without it they would not show.
		uid: change.object.metadata.uid,
		resourceVersion: change.object.metadata.resourceVersion,
	};
}

/**
 * The Policy Gate's decision record with this change as its action. The
 * record came in on an n8n item, so anything malformed in it gives undefined
 * and the plain Event, rather than losing the audit trail.
 */
function decisionRecordOf(change: ChangeSummary, decision: DecisionRecord, summary: string, now: Date): DecisionRecord | undefined {
	try {
		return buildDecisionRecord({
			id: decision.id,
			time: decision.time,
			loop: decision.loop,
			target: decision.target,
			input: decision.input,
			proposals: decision.proposals.map((p) => p.proposal),
			verdict: decision.verdict,
			actions: [{ action: change.operation, status: 'succeeded', detail: truncateUtf8(summary, 400), at: now.toISOString() }],
		});
	} catch {
		return undefined;
	}
}

function changeSummary(change: ChangeSummary, audit: Audit): string {
	return `${change.operation} ${change.res.plural}/${change.object.metadata.name}: ${compact(change.before)} → ${compact(change.after)} by ${audit.actor}`;
}

/** A core/v1 Event about a change made without a decision record (manual mode, or a record that did not survive the trip). */
function plainEvent(change: ChangeSummary, audit: Audit, summary: string, now: Date): JsonObject {
	const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
	const namespace = change.object.metadata.namespace ?? 'default';
	const { reason, type } = reasons[change.operation] ?? { reason: 'Changed', type: 'Normal' as const };
	return {
		apiVersion: 'v1',
		kind: 'Event',
		metadata: { name: `${change.object.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
		involvedObject: involvedObject(change),
		reason,
		message: truncateUtf8(`${summary}${audit.decision ? ` (decision ${audit.decision.id})` : ''}`, 1024),
		type,
		action: change.operation,
		source: { component: 'kube-ops' },
		reportingComponent: 'kube-ops',
		reportingInstance: (audit.reportingInstance ?? 'n8n').slice(0, 128),
		firstTimestamp: stamp,
		lastTimestamp: stamp,
		count: 1,
	};
}

/** A core/v1 Event about the change, from the decision record when there is one. */
export function changeEvent(change: ChangeSummary, audit: Audit): JsonObject {
	const now = audit.now?.() ?? new Date();
	const summary = changeSummary(change, audit);
	const record = audit.decision ? decisionRecordOf(change, audit.decision, summary, now) : undefined;
	if (!record) return plainEvent(change, audit, summary, now);
	// Attached to what was changed (an HPA, an Ingress), which may differ from the proposal's workload.
	const event = toKubernetesEvent(record, { reportingInstance: audit.reportingInstance }) as unknown as JsonObject;
	return { ...event, involvedObject: involvedObject(change) };
}

/**
 * Writes the audit Event for a change that already happened. It never
 * throws: the change stands whatever happens here, and a failure comes back
 * as a warning for the output.
 */
export async function recordChangeEvent(client: KubeClient, change: ChangeSummary, audit: Audit): Promise<EventResult> {
	if (change.dryRun) return { written: false, skipped: 'dry run: nothing was changed' };
	const now = audit.now?.() ?? new Date();
	const summary = changeSummary(change, audit);
	const record = audit.decision ? decisionRecordOf(change, audit.decision, summary, now) : undefined;
	const namespace = change.object.metadata.namespace ?? 'default';
	const failed = (error: unknown, name?: string): EventResult => ({ written: false, ...(name ? { name } : {}), warning: `The change was made, but its Event could not be recorded: ${error instanceof Error ? error.message : String(error)}` });
	if (record) {
		// The decision's one Event: this change is added to it, and the record step adds the outcome.
		try {
			const written = await writeDecisionEvent(client, { record, namespace, involvedObject: involvedObject(change), options: { reportingInstance: audit.reportingInstance }, now });
			return { written: true, name: written.name, reason: written.reason, ...(written.action === 'updated' ? { skipped: 'added to the Event an earlier step of this decision wrote' } : {}) };
		} catch (error) {
			return failed(error);
		}
	}
	// A plain Event has a random name: nothing else writes it.
	const event = plainEvent(change, audit, summary, now);
	const name = (event.metadata as { name: string }).name;
	try {
		await client.create(resources.events, namespace, event);
		return { written: true, name, reason: event.reason as string };
	} catch (error) {
		return failed(error, name);
	}
}
