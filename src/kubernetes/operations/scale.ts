import { LAST_CHANGE_ANNOTATION, lastChangeValue, recordChangeEvent } from '../audit';
import type { KubeClient } from '../client';
import { type ChangeOptions, type ChangeRecord, DEFAULT_MAX_ATTEMPTS, backoffMs, conflictError, defaultSleep, onceBeforeWrite } from '../change';
import { KubeError } from '../errors';
import { getPath } from '../json';
import { type KubeObject, type ResourceInfo, apiVersionOf, qualifiedName, resources } from '../resources';
import { checkTarget, numberOrNull, stateMoved, wholeNumber } from './common';

export interface WorkloadTarget {
	apiVersion: string;
	kind: string;
	namespace: string;
	name: string;
}

/**
 * An HPA (or KEDA's HPA) on the workload will move a hand-set replica count
 * back into its own range on its next sync: say so, so nobody is surprised
 * when the scale-up "disappears". Best effort: no list permission, no warning.
 */
async function autoscalerWarnings(client: KubeClient, res: ResourceInfo, target: WorkloadTarget, replicas: number): Promise<string[]> {
	let hpas: KubeObject[];
	try {
		hpas = (await client.list(resources.hpa, target.namespace)).items;
	} catch {
		return [];
	}
	return hpas
		.filter((hpa) => getPath(hpa, ['spec', 'scaleTargetRef', 'kind']) === res.kind && getPath(hpa, ['spec', 'scaleTargetRef', 'name']) === target.name)
		.map((hpa) => {
			const min = numberOrNull(getPath(hpa, ['spec', 'minReplicas'])) ?? 1;
			const max = numberOrNull(getPath(hpa, ['spec', 'maxReplicas']));
			const keda = (hpa.metadata.ownerReferences ?? []).find((o) => o.kind === 'ScaledObject');
			const owner = keda ? `KEDA ScaledObject "${keda.name}" (through HPA "${hpa.metadata.name}")` : `HorizontalPodAutoscaler "${hpa.metadata.name}"`;
			const outside = replicas < min || (max !== null && replicas > max);
			const use = keda ? 'Set KEDA Min/Max' : 'Set HPA Min/Max';
			return `${owner} manages ${qualifiedName(res)} "${target.name}" (min ${min}, max ${max ?? '?'}): ${
				outside ? `${replicas} is outside that range and will be moved back into it` : 'it will adjust the replica count again on its next sync'
			}. To keep a floor, use ${use} instead.`;
		});
}

/**
 * Scales through the scale subresource (what kubectl scale and the HPA use,
 * and the one RBAC grants as `<resource>/scale`), guarded by the Scale's
 * resourceVersion. The scale subresource carries no annotations, so the
 * last-change annotation is a second, best-effort write on the object.
 */
export interface ScaleOptions extends ChangeOptions {
	/**
	 * Never lower the count: a region a failover moves traffic to that already
	 * runs more than asked keeps what it has (no write). Says why, for the record.
	 */
	atLeast?: string;
	/** The count the gated proposal stated: any other live count means the verdict judged a state that is gone. */
	expectReplicas?: number;
}

export async function scaleWorkload(client: KubeClient, target: WorkloadTarget, replicasInput: unknown, options: ScaleOptions): Promise<ChangeRecord> {
	checkTarget(target.namespace, target.name, 'Name');
	const replicas = wholeNumber(replicasInput, 'Replicas', 0);
	const res = await client.resolve(target.apiVersion, target.kind);
	const { namespace, name } = target;
	const warnings = await autoscalerWarnings(client, res, target, replicas);
	const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
	const sleep = options.sleep ?? defaultSleep;
	const recordTarget = { apiVersion: apiVersionOf(res), kind: res.kind, namespace, name };
	const beforeWrite = onceBeforeWrite(options);
	for (let attempt = 1; ; attempt++) {
		const scale = await client.get(res, namespace, name, 'scale');
		const current = numberOrNull(getPath(scale, ['spec', 'replicas'])) ?? 0;
		if (options.expectReplicas !== undefined && current !== options.expectReplicas) throw stateMoved(`${qualifiedName(res)} "${name}" in namespace "${namespace}"`, 'replicas', current, options.expectReplicas);
		const keep = options.atLeast !== undefined && replicas < current;
		if (keep) warnings.push(`${qualifiedName(res)} "${name}" already runs ${current} replicas, more than the ${replicas} asked for: kept (${options.atLeast})`);
		if (current === replicas || keep) {
			return {
				operation: 'scale',
				target: recordTarget,
				before: { replicas: current },
				after: { replicas: current },
				changed: false,
				dryRun: options.dryRun,
				resourceVersion: scale.metadata.resourceVersion ?? '',
				attempts: attempt - 1,
				event: { written: false, skipped: 'no change: the object already is as asked' },
				warnings,
			};
		}
		await beforeWrite();
		let result: KubeObject;
		try {
			result = await client.patch(res, namespace, name, 'merge', { metadata: { resourceVersion: scale.metadata.resourceVersion }, spec: { replicas } }, { dryRun: options.dryRun, subresource: 'scale' });
		} catch (error) {
			const conflict = error instanceof KubeError && error.kind === 'conflict';
			if (conflict && attempt < maxAttempts) {
				await sleep(backoffMs(attempt));
				continue;
			}
			if (conflict) throw conflictError(res, namespace, name, attempt, false);
			throw error;
		}
		const before = { replicas: current };
		const after = { replicas: numberOrNull(getPath(result, ['spec', 'replicas'])) ?? replicas };
		let object: KubeObject = { metadata: { name, namespace, uid: scale.metadata.uid, resourceVersion: result.metadata.resourceVersion } };
		try {
			const annotation = lastChangeValue('scale', before, after, options.audit);
			object = await client.patch(res, namespace, name, 'merge', { metadata: { annotations: { [LAST_CHANGE_ANNOTATION]: annotation } } }, { dryRun: options.dryRun });
		} catch (error) {
			warnings.push(`Replicas were changed, but the ${LAST_CHANGE_ANNOTATION} annotation could not be written: ${(error as Error).message}`);
		}
		const event = await recordChangeEvent(client, { operation: 'scale', res, object, before, after, dryRun: options.dryRun }, options.audit);
		if (event.warning) warnings.push(event.warning);
		return {
			operation: 'scale',
			target: recordTarget,
			before,
			after,
			changed: true,
			dryRun: options.dryRun,
			resourceVersion: object.metadata.resourceVersion ?? '',
			attempts: attempt,
			event,
			warnings,
		};
	}
}
