import { asArray, asNumber, asObject, asString, getPath, semanticEqual } from '../json';
import type { JsonObject, KubeObject } from '../types';
import { type Condition, type Controller, type ControllerContext, controllerRef, setCondition, unconditional } from './common';

export const scaledObjectsKey = 'scaledobjects.keda.sh';
const pausedAnnotation = 'autoscaling.keda.sh/paused';

/**
 * What the KEDA operator does with a ScaledObject, minus the scalers: it owns
 * an HPA `keda-hpa-<name>` whose bounds follow minReplicaCount /
 * maxReplicaCount, so changing a ScaledObject's bounds moves the target the
 * same way it would on a cluster running KEDA. Scale-to-zero on idle
 * triggers is not simulated (no trigger is ever active).
 */
export const kedaController: Controller = {
	name: 'keda-operator',
	reconcile(ctx) {
		const def = ctx.api.registry.byGroupResource(scaledObjectsKey);
		if (!def) return;
		for (const so of ctx.api.list(def, undefined).items) {
			if (so.metadata.deletionTimestamp) continue;
			syncScaledObject(ctx, so);
		}
	},
};

function syncScaledObject(ctx: ControllerContext, so: KubeObject): void {
	const { api } = ctx;
	const soDef = api.def(scaledObjectsKey);
	const hpaDef = api.def('horizontalpodautoscalers.autoscaling');
	const spec = asObject(so.spec);
	const namespace = so.metadata.namespace;
	const name = so.metadata.name as string;
	const ref = asObject(spec.scaleTargetRef);
	const apiVersion = asString(ref.apiVersion) ?? 'apps/v1';
	const kind = asString(ref.kind) ?? 'Deployment';
	const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
	const targetDef = api.registry.byGroupKind(group, kind);
	const target = targetDef ? api.find(targetDef, namespace, String(ref.name ?? '')) : undefined;
	const hpaName = asString(getPath(spec, 'advanced.horizontalPodAutoscalerConfig.name')) ?? `keda-hpa-${name}`;
	const paused = so.metadata.annotations?.[pausedAnnotation] === 'true';
	const previous = asObject(so.status);
	let conditions: unknown = previous.conditions;
	const set = (c: Condition) => {
		conditions = setCondition(conditions, c, ctx.now);
	};
	const existingHpa = api.find(hpaDef, namespace, hpaName);

	if (!targetDef?.scale || !target) {
		set({ type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed', message: 'ScaledObject doesn\'t have correct scaleTargetRef specification' });
	} else if (paused) {
		if (existingHpa) api.delete(hpaDef, namespace, hpaName);
		set({ type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' });
	} else {
		const min = asNumber(spec.minReplicaCount) ?? 0;
		const max = asNumber(spec.maxReplicaCount) ?? 100;
		const metrics = asArray(spec.triggers).map((raw, i) => {
			const trigger = asObject(raw);
			const type = String(trigger.type ?? 'unknown');
			const threshold = asObject(trigger.metadata).threshold ?? asObject(trigger.metadata).targetValue ?? '1';
			return {
				type: 'External',
				external: {
					metric: { name: `s${i}-${type}`, selector: { matchLabels: { 'scaledobject.keda.sh/name': name } } },
					target: { type: 'AverageValue', averageValue: String(threshold) },
				},
			};
		});
		const labels = {
			'app.kubernetes.io/managed-by': 'keda-operator',
			'app.kubernetes.io/name': hpaName,
			'app.kubernetes.io/part-of': name,
			'scaledobject.keda.sh/name': name,
		};
		const hpaSpec: JsonObject = {
			scaleTargetRef: { apiVersion, kind, name: ref.name },
			minReplicas: Math.max(min, 1),
			maxReplicas: max,
			metrics,
		};
		const advanced = asObject(getPath(spec, 'advanced.horizontalPodAutoscalerConfig.behavior'));
		if (Object.keys(advanced).length) hpaSpec.behavior = advanced;
		if (!existingHpa) {
			api.create(hpaDef, namespace, {
				apiVersion: 'autoscaling/v2',
				kind: 'HorizontalPodAutoscaler',
				metadata: { name: hpaName, namespace, labels, ownerReferences: [controllerRef(so)] },
				spec: hpaSpec,
			});
		} else {
			const wanted = { ...existingHpa, metadata: { ...existingHpa.metadata, labels: { ...(existingHpa.metadata.labels ?? {}), ...labels } }, spec: { ...asObject(existingHpa.spec), ...hpaSpec } };
			if (!semanticEqual(wanted, existingHpa)) api.update(hpaDef, namespace, hpaName, unconditional(wanted));
		}
		set({ type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' });
	}
	set({ type: 'Active', status: 'False', reason: 'ScalerNotActive', message: 'Scaling is not performed because triggers are not active' });
	set({ type: 'Fallback', status: 'False', reason: 'NoFallbackFound', message: 'No fallbacks are active on this scaled object' });
	set(
		paused
			? { type: 'Paused', status: 'True', reason: 'ScaledObjectPaused', message: 'ScaledObject is paused' }
			: { type: 'Paused', status: 'False', reason: 'ScaledObjectUnpaused', message: 'ScaledObject is not paused' },
	);
	const status: JsonObject = { ...previous, conditions };
	if (targetDef && target) {
		status.scaleTargetKind = `${apiVersion}.${kind}`;
		status.scaleTargetGVKR = { group, version: apiVersion.split('/').pop(), kind, resource: targetDef.plural };
		if (status.originalReplicaCount === undefined) status.originalReplicaCount = asNumber(getPath(target, 'spec.replicas')) ?? 1;
		if (!paused) status.hpaName = hpaName;
		else delete status.hpaName;
	}
	if (semanticEqual(status, previous)) return;
	api.update(soDef, namespace, name, unconditional({ ...so, status }), { subresource: 'status' });
}
