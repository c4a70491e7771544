import type { KubeClient } from '../client';
import { KubeError } from '../errors';
import { getPath, isObject } from '../json';
import { type KubeObject, apiVersionOf, describeObject, resources } from '../resources';
import { checkTarget, numberOrNull, wholeNumber } from './common';

export type WaitKind = 'Deployment' | 'StatefulSet';

export interface WaitProgress {
	waitedSeconds: number;
	targetReplicas: number;
	readyReplicas: number;
	updatedReplicas: number;
	availableReplicas: number;
	replicas: number;
	observedGeneration: number | null;
	generation: number | null;
}

export interface WaitOptions {
	/** Ready replicas to wait for; undefined = spec.replicas. */
	targetReplicas?: number;
	timeoutMs: number;
	intervalMs?: number;
	/** Throw on timeout (default); false returns { ready: false } instead. */
	failOnTimeout?: boolean;
	onProgress?: (progress: WaitProgress) => void;
	now?: () => number;
	sleep?: (ms: number) => Promise<void>;
}

export interface WaitResult extends WaitProgress {
	operation: 'waitReady';
	target: { apiVersion: string; kind: string; namespace: string; name: string };
	ready: boolean;
	polls: number;
}

const transient = new Set(['server', 'timeout', 'unreachable']);

function count(obj: KubeObject, field: string): number {
	return numberOrNull(getPath(obj, ['status', field])) ?? 0;
}

function stuck(obj: KubeObject): string | undefined {
	const conditions = getPath(obj, ['status', 'conditions']);
	const progressing = (Array.isArray(conditions) ? conditions : []).filter(isObject).find((c) => c.type === 'Progressing');
	return progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded' ? String(progressing.message ?? 'progress deadline exceeded') : undefined;
}

/**
 * Polls a Deployment or StatefulSet until the controller has seen the
 * latest spec (observedGeneration) and enough replicas are updated and
 * Ready. A failed poll (5xx, timeout) is retried until the deadline;
 * 401/403/404 end the wait at once.
 */
export async function waitForReady(client: KubeClient, kind: WaitKind, namespace: string, name: string, options: WaitOptions): Promise<WaitResult> {
	checkTarget(namespace, name, `${kind} name`);
	const res = kind === 'StatefulSet' ? resources.statefulsets : resources.deployments;
	const now = options.now ?? Date.now;
	const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
	const interval = Math.max(50, options.intervalMs ?? 2000);
	const wanted = options.targetReplicas === undefined ? undefined : wholeNumber(options.targetReplicas, 'Target Replicas', 0);
	const started = now();
	const deadline = started + options.timeoutMs;
	let last: WaitProgress | undefined;
	let lastError: KubeError | undefined;
	for (let polls = 1; ; polls++) {
		try {
			const obj = await client.get(res, namespace, name);
			lastError = undefined;
			const generation = numberOrNull(obj.metadata.generation);
			const observedGeneration = numberOrNull(getPath(obj, ['status', 'observedGeneration']));
			const target = wanted ?? numberOrNull(getPath(obj, ['spec', 'replicas'])) ?? 1;
			last = {
				waitedSeconds: Math.round((now() - started) / 100) / 10,
				targetReplicas: target,
				readyReplicas: count(obj, 'readyReplicas'),
				updatedReplicas: count(obj, 'updatedReplicas'),
				availableReplicas: count(obj, 'availableReplicas'),
				replicas: count(obj, 'replicas'),
				observedGeneration,
				generation,
			};
			options.onProgress?.(last);
			const seen = generation === null || (observedGeneration !== null && observedGeneration >= generation);
			// A StatefulSet reports updatedReplicas only during a rolling update.
			const updated = kind === 'StatefulSet' || last.updatedReplicas >= target;
			if (seen && updated && last.readyReplicas >= target) {
				return { operation: 'waitReady', target: { apiVersion: apiVersionOf(res), kind, namespace, name }, ready: true, polls, ...last };
			}
			const deadlineMessage = kind === 'Deployment' ? stuck(obj) : undefined;
			if (deadlineMessage) {
				throw new KubeError(
					'notReady',
					`${describeObject(res, namespace, name)} stopped progressing: ${deadlineMessage} (${last.readyReplicas} of ${target} ready)`,
					`Look at the new pods (kubectl describe deployment/${name} -n ${namespace}; kubectl get pods -n ${namespace}): image pulls, crash loops, quota or unschedulable pods.`,
				);
			}
		} catch (error) {
			if (!(error instanceof KubeError) || !transient.has(error.kind)) throw error;
			lastError = error;
		}
		if (now() >= deadline) {
			const waited = Math.round((now() - started) / 100) / 10;
			if (options.failOnTimeout !== false || !last) {
				const status = last
					? `${last.readyReplicas} of ${last.targetReplicas} ready, ${last.updatedReplicas} updated, observed generation ${last.observedGeneration ?? '?'} of ${last.generation ?? '?'}`
					: `no successful read${lastError ? `: ${lastError.message}` : ''}`;
				throw new KubeError(
					'notReady',
					`Timed out after ${waited}s waiting for ${describeObject(res, namespace, name)} to be ready (${status})`,
					`Pods may still be starting: raise Timeout, or check them (kubectl get pods -n ${namespace}; kubectl describe ${kind.toLowerCase()}/${name} -n ${namespace}).`,
				);
			}
			return { operation: 'waitReady', target: { apiVersion: apiVersionOf(res), kind, namespace, name }, ready: false, polls, ...last, waitedSeconds: waited };
		}
		// The last poll lands on the deadline, so a timeout really waited the whole time.
		await sleep(Math.max(0, Math.min(interval, deadline - now())));
	}
}
