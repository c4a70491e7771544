import { canonicalJson, clone, getPath, asNumber, asObject, semanticEqual } from '../json';
import type { JsonObject, KubeObject } from '../types';
import { type Controller, type ControllerContext, controllerRef, isControlledBy, recordEvent, setCondition, unconditional } from './common';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const podTemplateHashLabel = 'pod-template-hash';

/** Annotations the controller never copies from a Deployment to its ReplicaSets. */
const notCopied = new Set([
	'kubectl.kubernetes.io/last-applied-configuration',
	revisionAnnotation,
	revisionHistoryAnnotation,
	desiredReplicasAnnotation,
	maxReplicasAnnotation,
	'deprecated.deployment.rollback.to',
]);

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(text: string): number {
	let hash = 0x811c9dc5;
	for (const byte of Buffer.from(text, 'utf8')) {
		hash ^= byte;
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash >>> 0;
}

/** The pod-template-hash: FNV-32a of the template, spelled in the vowel-free alphabet so it never forms words. */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
	const text = canonicalJson(withoutHash(template)) + (collisionCount ? String(collisionCount) : '');
	return [...String(fnv32a(text))].map((c) => safeAlphabet[c.charCodeAt(0) % safeAlphabet.length]).join('');
}

function withoutHash(template: unknown): JsonObject {
	const copy = clone(asObject(template));
	const metadata = asObject(copy.metadata);
	const labels = { ...asObject(metadata.labels) };
	delete labels[podTemplateHashLabel];
	metadata.labels = Object.keys(labels).length ? labels : undefined;
	copy.metadata = metadata;
	return copy;
}

export function templatesEqual(a: unknown, b: unknown): boolean {
	return semanticEqual(withoutHash(a), withoutHash(b));
}

export function revisionOf(obj: KubeObject): number {
	const value = Number(obj.metadata.annotations?.[revisionAnnotation]);
	return Number.isFinite(value) ? value : 0;
}

function replicas(obj: KubeObject): number {
	return asNumber(getPath(obj, 'spec.replicas')) ?? 0;
}

function statusCount(obj: KubeObject | undefined, field: string): number {
	return obj ? (asNumber(getPath(obj, `status.${field}`)) ?? 0) : 0;
}

/** Resolves an int-or-percent against the desired replicas (surge rounds up, unavailability down). */
function resolveIntOrPercent(value: unknown, total: number, roundUp: boolean): number {
	if (typeof value === 'number') return value;
	const m = typeof value === 'string' ? value.match(/^(\d+)%$/) : null;
	if (!m) return 0;
	const exact = (Number(m[1]) * total) / 100;
	return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

function copiedAnnotations(deployment: KubeObject): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {})) if (!notCopied.has(k)) out[k] = v;
	return out;
}

/**
 * A simplified deployment controller: one ReplicaSet per distinct pod
 * template with revision annotations (so `kubectl rollout undo` works), a
 * rolling update bounded by maxSurge/maxUnavailable, history pruning and
 * the status kubectl's rollout status reads.
 */
export const deploymentController: Controller = {
	name: 'deployment',
	reconcile(ctx) {
		const deployments = ctx.api.def('deployments.apps');
		for (const deployment of ctx.api.list(deployments, undefined).items) {
			if (deployment.metadata.deletionTimestamp) continue;
			syncDeployment(ctx, deployment);
		}
	},
};

function syncDeployment(ctx: ControllerContext, deployment: KubeObject): void {
	const { api } = ctx;
	const rsDef = api.def('replicasets.apps');
	const deployDef = api.def('deployments.apps');
	const namespace = deployment.metadata.namespace;
	const name = deployment.metadata.name as string;
	const owned = () => api.listWhere(rsDef, namespace, (rs) => isControlledBy(rs, deployment));
	const spec = asObject(deployment.spec);
	const desired = replicas(deployment);
	const strategy = asObject(spec.strategy);
	const rolling = asObject(strategy.rollingUpdate);
	const maxSurge = strategy.type === 'Recreate' ? 0 : resolveIntOrPercent(rolling.maxSurge ?? '25%', desired, true);
	let maxUnavailable = strategy.type === 'Recreate' ? desired : resolveIntOrPercent(rolling.maxUnavailable ?? '25%', desired, false);
	if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;

	let replicaSets = owned();
	let newRS = replicaSets.find((rs) => templatesEqual(getPath(rs, 'spec.template'), spec.template));
	const maxOldRevision = Math.max(0, ...replicaSets.filter((rs) => rs !== newRS).map(revisionOf));

	if (!newRS && spec.paused !== true) {
		let collision = 0;
		let hash = podTemplateHash(spec.template);
		while (api.find(rsDef, namespace, `${name}-${hash}`)) hash = podTemplateHash(spec.template, ++collision);
		const template = clone(asObject(spec.template));
		const templateMeta = asObject(template.metadata);
		templateMeta.labels = { ...asObject(templateMeta.labels), [podTemplateHashLabel]: hash };
		template.metadata = templateMeta;
		const selector = clone(asObject(spec.selector));
		selector.matchLabels = { ...asObject(selector.matchLabels), [podTemplateHashLabel]: hash };
		newRS = api.create(rsDef, namespace, {
			apiVersion: 'apps/v1',
			kind: 'ReplicaSet',
			metadata: {
				name: `${name}-${hash}`,
				namespace,
				labels: templateMeta.labels,
				annotations: {
					...copiedAnnotations(deployment),
					[desiredReplicasAnnotation]: String(desired),
					[maxReplicasAnnotation]: String(desired + maxSurge),
					[revisionAnnotation]: String(maxOldRevision + 1),
				},
				ownerReferences: [controllerRef(deployment)],
			},
			spec: { replicas: 0, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
		});
		replicaSets = owned();
	}

	if (newRS) {
		// Reusing an older ReplicaSet (a rollback) makes it the newest revision again.
		const annotations = { ...(newRS.metadata.annotations ?? {}), ...copiedAnnotations(deployment) };
		const current = revisionOf(newRS);
		if (current <= maxOldRevision) {
			const history = annotations[revisionHistoryAnnotation];
			annotations[revisionHistoryAnnotation] = history ? `${history},${current}` : String(current);
			annotations[revisionAnnotation] = String(maxOldRevision + 1);
		}
		if (!semanticEqual(annotations, newRS.metadata.annotations)) {
			newRS = api.update(rsDef, namespace, newRS.metadata.name as string, unconditional({ ...newRS, metadata: { ...newRS.metadata, annotations } }));
		}
		const revision = newRS.metadata.annotations?.[revisionAnnotation];
		if (revision && deployment.metadata.annotations?.[revisionAnnotation] !== revision) {
			deployment = api.update(deployDef, namespace, name, {
				...deployment,
				metadata: { ...deployment.metadata, annotations: { ...(deployment.metadata.annotations ?? {}), [revisionAnnotation]: revision } },
			});
		}
	}

	const scaleTo = (stale: KubeObject, count: number) => {
		const rs = api.find(rsDef, namespace, stale.metadata.name as string);
		if (!rs) return;
		const from = replicas(rs);
		if (from === count) return;
		const annotations = { ...(rs.metadata.annotations ?? {}), [desiredReplicasAnnotation]: String(desired), [maxReplicasAnnotation]: String(desired + maxSurge) };
		api.update(rsDef, namespace, rs.metadata.name as string, unconditional({ ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...asObject(rs.spec), replicas: count } }));
		recordEvent(api, deployment, 'Normal', 'ScalingReplicaSet', `Scaled ${count > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${count}`, 'deployment-controller', ctx.now);
	};

	if (newRS && spec.paused !== true) {
		const newName = newRS.metadata.name;
		const olds = replicaSets.filter((rs) => rs.metadata.name !== newName).sort((a, b) => revisionOf(a) - revisionOf(b));
		const fresh = replicaSets.find((rs) => rs.metadata.name === newName) ?? newRS;
		if (strategy.type === 'Recreate') {
			for (const rs of olds) scaleTo(rs, 0);
			const oldPods = olds.reduce((n, rs) => n + statusCount(rs, 'replicas'), 0);
			if (oldPods === 0 && olds.every((rs) => replicas(rs) === 0)) scaleTo(fresh, desired);
		} else {
			let newCount = replicas(fresh);
			const oldTotal = olds.reduce((n, rs) => n + replicas(rs), 0);
			if (newCount > desired) newCount = desired;
			else if (newCount < desired) {
				const room = desired + maxSurge - (oldTotal + newCount);
				if (room > 0) newCount += Math.min(room, desired - newCount);
			}
			scaleTo(fresh, newCount);
			// Available old pods may go only while enough pods stay available; unavailable ones cost nothing.
			const minAvailable = desired - maxUnavailable;
			const availableTotal = olds.reduce((n, rs) => n + statusCount(rs, 'availableReplicas'), 0) + statusCount(fresh, 'availableReplicas');
			let budget = Math.max(0, availableTotal - minAvailable);
			for (const rs of olds) {
				const count = replicas(rs);
				if (count === 0) continue;
				const healthy = Math.min(count, statusCount(rs, 'availableReplicas'));
				const removeHealthy = Math.min(healthy, budget);
				budget -= removeHealthy;
				scaleTo(rs, count - (count - healthy) - removeHealthy);
			}
		}
	} else if (newRS && spec.paused === true && replicas(newRS) !== desired && replicaSets.every((rs) => rs === newRS || replicas(rs) === 0)) {
		scaleTo(newRS, desired);
	}

	pruneHistory(ctx, deployment, owned(), newRS?.metadata.name);
	writeStatus(ctx, deployment, owned(), newRS?.metadata.name, desired, maxUnavailable);
}

function pruneHistory(ctx: ControllerContext, deployment: KubeObject, replicaSets: KubeObject[], newName: string | undefined): void {
	const limit = asNumber(getPath(deployment, 'spec.revisionHistoryLimit')) ?? 10;
	const idle = replicaSets
		.filter((rs) => rs.metadata.name !== newName && replicas(rs) === 0 && statusCount(rs, 'replicas') === 0)
		.sort((a, b) => revisionOf(a) - revisionOf(b));
	const rsDef = ctx.api.def('replicasets.apps');
	for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
		ctx.api.delete(rsDef, rs.metadata.namespace, rs.metadata.name as string);
	}
}

function writeStatus(ctx: ControllerContext, deployment: KubeObject, replicaSets: KubeObject[], newName: string | undefined, desired: number, maxUnavailable: number): void {
	const newRS = replicaSets.find((rs) => rs.metadata.name === newName);
	const sum = (field: string) => replicaSets.reduce((n, rs) => n + statusCount(rs, field), 0);
	const total = sum('replicas');
	const updated = statusCount(newRS, 'replicas');
	const ready = sum('readyReplicas');
	const available = sum('availableReplicas');
	const specTotal = replicaSets.reduce((n, rs) => n + replicas(rs), 0);
	const previous = asObject(deployment.status);
	let conditions: unknown = previous.conditions;
	const minimum = available >= desired - maxUnavailable;
	conditions = setCondition(
		conditions,
		minimum
			? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
			: { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
		ctx.now,
		true,
	);
	const complete = newRS !== undefined && updated === desired && total === desired && available === desired;
	conditions = setCondition(
		conditions,
		complete
			? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newName}" has successfully progressed.` }
			: { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newName ?? deployment.metadata.name}" is progressing.` },
		ctx.now,
		true,
	);
	const status: JsonObject = {
		observedGeneration: deployment.metadata.generation,
		replicas: total,
		updatedReplicas: updated,
		readyReplicas: ready,
		availableReplicas: available,
		unavailableReplicas: Math.max(0, specTotal - available),
		conditions,
	};
	for (const key of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (status[key] === 0) delete status[key];
	if (semanticEqual(status, previous)) return;
	ctx.api.update(ctx.api.def('deployments.apps'), deployment.metadata.namespace, deployment.metadata.name as string, unconditional({ ...deployment, status }), { subresource: 'status' });
}
