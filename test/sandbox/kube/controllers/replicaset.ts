import { randomSuffix } from '../api';
import { asArray, asNumber, asObject, clone, getPath, semanticEqual } from '../json';
import type { JsonObject, KubeObject } from '../types';
import { type Controller, type ControllerContext, controllerRef, isControlledBy, recordEvent, unconditional } from './common';

export const sandboxNodeName = 'sandbox-node-1';

export function podIsReady(pod: KubeObject): boolean {
	return asArray(getPath(pod, 'status.conditions')).some((c) => asObject(c).type === 'Ready' && asObject(c).status === 'True');
}

/** Keeps `spec.replicas` pods per ReplicaSet, deleting unready and newest pods first, as the real controller ranks them. */
export const replicaSetController: Controller = {
	name: 'replicaset',
	reconcile(ctx) {
		const rsDef = ctx.api.def('replicasets.apps');
		for (const rs of ctx.api.list(rsDef, undefined).items) {
			if (rs.metadata.deletionTimestamp) continue;
			syncReplicaSet(ctx, rs);
		}
	},
};

function syncReplicaSet(ctx: ControllerContext, rs: KubeObject): void {
	const { api } = ctx;
	const podDef = api.def('pods');
	const namespace = rs.metadata.namespace;
	let pods = api.listWhere(podDef, namespace, (p) => isControlledBy(p, rs) && !p.metadata.deletionTimestamp);
	const desired = asNumber(getPath(rs, 'spec.replicas')) ?? 0;
	const template = asObject(getPath(rs, 'spec.template'));
	if (pods.length < desired) {
		for (let i = pods.length; i < desired; i++) {
			const templateMeta = asObject(template.metadata);
			const pod = api.create(podDef, namespace, {
				apiVersion: 'v1',
				kind: 'Pod',
				metadata: {
					name: `${rs.metadata.name}-${randomSuffix()}`,
					generateName: `${rs.metadata.name}-`,
					namespace,
					labels: clone(asObject(templateMeta.labels)),
					...(templateMeta.annotations ? { annotations: clone(templateMeta.annotations) } : {}),
					ownerReferences: [controllerRef(rs)],
				},
				spec: { ...clone(asObject(template.spec)), nodeName: sandboxNodeName },
			});
			recordEvent(api, rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller', ctx.now);
		}
	} else if (pods.length > desired) {
		const ranked = [...pods].sort((a, b) => {
			const readyDiff = Number(podIsReady(a)) - Number(podIsReady(b));
			if (readyDiff !== 0) return readyDiff;
			return String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp));
		});
		for (const pod of ranked.slice(0, pods.length - desired)) {
			api.delete(podDef, namespace, pod.metadata.name as string);
			recordEvent(api, rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'replicaset-controller', ctx.now);
		}
	}
	pods = api.listWhere(podDef, namespace, (p) => isControlledBy(p, rs) && !p.metadata.deletionTimestamp);
	const ready = pods.filter(podIsReady).length;
	const status: JsonObject = {
		replicas: pods.length,
		fullyLabeledReplicas: pods.length,
		readyReplicas: ready,
		availableReplicas: ready,
		observedGeneration: rs.metadata.generation,
	};
	for (const key of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[key] === 0) delete status[key];
	if (semanticEqual(status, rs.status)) return;
	api.update(api.def('replicasets.apps'), namespace, rs.metadata.name as string, unconditional({ ...rs, status }), { subresource: 'status' });
}
