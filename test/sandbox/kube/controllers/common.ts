import { randomBytes } from 'node:crypto';
import { rfc3339 } from '../age';
import type { KubeApi } from '../api';
import { asArray, asObject } from '../json';
import type { JsonObject, KubeObject, OwnerReference } from '../types';

export interface ControllerContext {
	api: KubeApi;
	now: number;
	podStartupMs: number;
	/** Asks for another reconcile pass at an absolute time (ms since epoch). */
	requeueAt: (at: number) => void;
}

export interface Controller {
	name: string;
	reconcile: (ctx: ControllerContext) => void;
}

export function controllerRef(owner: KubeObject): OwnerReference {
	return {
		apiVersion: owner.apiVersion ?? '',
		kind: owner.kind ?? '',
		name: owner.metadata.name ?? '',
		uid: owner.metadata.uid ?? '',
		controller: true,
		blockOwnerDeletion: true,
	};
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
	return (obj.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === owner.metadata.uid);
}

/** Controllers write what they computed from the latest state; they do not race clients for a resourceVersion. */
export function unconditional<T extends KubeObject>(obj: T): T {
	return { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } };
}

export interface Condition {
	type: string;
	status: 'True' | 'False' | 'Unknown';
	reason?: string;
	message?: string;
	lastTransitionTime?: string;
	lastUpdateTime?: string;
	observedGeneration?: number;
}

/**
 * Sets a condition the way controllers do: the transition time moves only
 * when the status flips, so an unchanged world produces an unchanged object
 * (and no resourceVersion churn).
 */
export function setCondition(conditions: unknown, next: Condition, now: number, withUpdateTime = false): Condition[] {
	const list = asArray(conditions).map((c) => asObject(c) as unknown as Condition);
	const index = list.findIndex((c) => c.type === next.type);
	const previous = index >= 0 ? list[index] : undefined;
	const stamp = rfc3339(now);
	const merged: Condition = { ...next };
	const changed = !previous || previous.status !== next.status || previous.reason !== next.reason || previous.message !== next.message;
	if (withUpdateTime) merged.lastUpdateTime = changed ? stamp : (previous?.lastUpdateTime ?? stamp);
	merged.lastTransitionTime = previous && previous.status === next.status ? (previous.lastTransitionTime ?? stamp) : stamp;
	if (index >= 0) list[index] = merged;
	else list.push(merged);
	return list;
}

/** Records a core/v1 Event about an object, as the controller components do. */
export function recordEvent(api: KubeApi, involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string, now: number): void {
	const namespace = involved.metadata.namespace ?? 'default';
	const stamp = rfc3339(now);
	const event: JsonObject = {
		apiVersion: 'v1',
		kind: 'Event',
		metadata: { name: `${involved.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
		involvedObject: {
			kind: involved.kind,
			namespace: involved.metadata.namespace,
			name: involved.metadata.name,
			uid: involved.metadata.uid,
			apiVersion: involved.apiVersion,
			resourceVersion: involved.metadata.resourceVersion,
		},
		reason,
		message,
		source: { component },
		firstTimestamp: stamp,
		lastTimestamp: stamp,
		count: 1,
		type,
		eventTime: null,
		reportingComponent: component,
		reportingInstance: '',
	};
	try {
		api.create(api.def('events'), namespace, event);
	} catch {
		// Events are best effort, as on a real cluster (e.g. the namespace is going away).
	}
}
