import { type ActionResult, type DecisionRecord, actionsOf, mergeActions, toKubernetesEvent } from '../decision';
import type { KubeClient } from './client';
import { KubeError } from './errors';
import { type JsonObject, type KubeObject, resources } from './resources';

/**
 * One Event per decision: the node that makes a change and the record step
 * that ends the run write the same Event (named from the decision id), each
 * adding what it did, so `kubectl get events` shows one line per change with
 * the verdict, the actions and the final outcome. An Event is a record and
 * core/v1 lets it be updated (count, lastTimestamp, message), which is what
 * Kubernetes' own recorders do; the resourceVersion guards each update.
 */
export interface DecisionEventWrite {
	/** The record as this writer knows it; its actions are merged with those already on the Event. */
	record: DecisionRecord;
	namespace: string;
	/** Where the Event points when it is created; an existing Event keeps what its first writer chose. */
	involvedObject?: JsonObject;
	annotations?: Record<string, string>;
	options?: Parameters<typeof toKubernetesEvent>[1];
	now?: Date;
}

export interface DecisionEventResult {
	name: string;
	reason: string;
	namespace: string;
	/** created: the first writer; updated: merged into the Event an earlier step of this decision wrote. */
	action: 'created' | 'updated';
	actions: ActionResult[];
}

const ATTEMPTS = 5;

function build(write: DecisionEventWrite, actions: ActionResult[]): KubeObject {
	const event = toKubernetesEvent({ ...write.record, actions }, write.options) as unknown as KubeObject & JsonObject;
	event.metadata.namespace = write.namespace;
	if (write.annotations) event.metadata.annotations = { ...event.metadata.annotations, ...write.annotations };
	if (write.involvedObject) event.involvedObject = write.involvedObject;
	else (event.involvedObject as JsonObject).namespace = write.namespace;
	return event;
}

export async function writeDecisionEvent(client: KubeClient, write: DecisionEventWrite): Promise<DecisionEventResult> {
	const first = build(write, write.record.actions);
	const name = String(first.metadata.name);
	try {
		await client.create(resources.events, write.namespace, first);
		return { name, reason: String(first.reason), namespace: write.namespace, action: 'created', actions: write.record.actions };
	} catch (error) {
		if (!(error instanceof KubeError && error.kind === 'conflict' && error.details.reason === 'AlreadyExists')) throw error;
	}
	for (let attempt = 1; ; attempt++) {
		const existing = await client.get<KubeObject & JsonObject>(resources.events, write.namespace, name);
		const actions = mergeActions(actionsOf(existing), write.record.actions);
		const next = build(write, actions);
		const stamp = (write.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
		const updated: KubeObject & JsonObject = {
			...next,
			metadata: { ...next.metadata, resourceVersion: existing.metadata.resourceVersion },
			involvedObject: existing.involvedObject ?? next.involvedObject,
			firstTimestamp: existing.firstTimestamp ?? next.firstTimestamp,
			lastTimestamp: stamp,
			count: (typeof existing.count === 'number' ? existing.count : 1) + 1,
		};
		try {
			await client.replace(resources.events, write.namespace, name, updated);
			return { name, reason: String(next.reason), namespace: write.namespace, action: 'updated', actions };
		} catch (error) {
			if (!(error instanceof KubeError && error.kind === 'conflict') || attempt >= ATTEMPTS) throw error;
		}
	}
}
