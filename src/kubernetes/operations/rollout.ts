import { LAST_CHANGE_ANNOTATION } from '../audit';
import type { KubeClient } from '../client';
import { type ChangeOptions, type ChangeRecord, type JsonPatchOp, type Plan, readModifyWrite } from '../change';
import { KubeError } from '../errors';
import { deepEqual, getPath, isObject } from '../json';
import { type JsonObject, type KubeObject, describeObject, resources } from '../resources';
import { checkTarget, refused, wholeNumber } from './common';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const POD_TEMPLATE_HASH = 'pod-template-hash';

// The annotations kubectl rollout undo keeps from the Deployment rather than
// taking from the ReplicaSet (k8s.io/kubectl/pkg/polymorphichelpers/rollback.go),
// plus our own audit annotation, which describes this change.
const keptFromDeployment = new Set([
	'kubectl.kubernetes.io/last-applied-configuration',
	REVISION_ANNOTATION,
	'deployment.kubernetes.io/revision-history',
	'deployment.kubernetes.io/desired-replicas',
	'deployment.kubernetes.io/max-replicas',
	'deprecated.deployment.rollback.to',
	LAST_CHANGE_ANNOTATION,
]);

function revisionOf(obj: KubeObject): number {
	const value = Number(obj.metadata.annotations?.[REVISION_ANNOTATION]);
	return Number.isInteger(value) ? value : 0;
}

function withoutHash(template: unknown): JsonObject {
	const copy = JSON.parse(JSON.stringify(template ?? {})) as JsonObject;
	const metadata = isObject(copy.metadata) ? copy.metadata : {};
	if (isObject(metadata.labels)) {
		delete metadata.labels[POD_TEMPLATE_HASH];
		if (Object.keys(metadata.labels).length === 0) delete metadata.labels;
	}
	copy.metadata = metadata;
	return copy;
}

function images(obj: KubeObject): Record<string, string> {
	const containers = getPath(obj, ['spec', 'template', 'spec', 'containers']);
	return Object.fromEntries((Array.isArray(containers) ? containers : []).filter(isObject).map((c) => [String(c.name), String(c.image)]));
}

function escapePointer(key: string): string {
	return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function selectorString(deployment: KubeObject): string | undefined {
	const labels = getPath(deployment, ['spec', 'selector', 'matchLabels']);
	if (!isObject(labels)) return undefined;
	return Object.entries(labels)
		.map(([k, v]) => `${k}=${String(v)}`)
		.join(',');
}

/**
 * kubectl rollout undo, done as kubectl does it: copy the pod template of
 * the ReplicaSet that holds the wanted revision back into the Deployment
 * (with the annotations that revision carried). The Deployment controller
 * then rolls out that template as the next revision number.
 * toRevision 0 means the previous revision.
 */
export async function rolloutUndo(client: KubeClient, namespace: string, name: string, toRevisionInput: unknown, options: ChangeOptions): Promise<ChangeRecord> {
	checkTarget(namespace, name, 'Deployment name');
	const toRevision = wholeNumber(toRevisionInput ?? 0, 'To Revision', 0);
	let restored = 0;
	const plan = async (deployment: KubeObject): Promise<Plan> => {
		const what = describeObject(resources.deployments, namespace, name);
		if (getPath(deployment, ['spec', 'paused']) === true) {
			throw refused(`${what} is paused; a paused Deployment cannot be rolled back`, `Resume it first (kubectl rollout resume deployment/${name} -n ${namespace}), then run again.`);
		}
		const { items } = await client.list(resources.replicasets, namespace, { labelSelector: selectorString(deployment) });
		const owned = items.filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.controller === true && o.uid === deployment.metadata.uid));
		const revisions = owned.map(revisionOf).filter((r) => r > 0).sort((a, b) => a - b);
		const current = revisionOf(deployment) || revisions[revisions.length - 1] || 0;
		let wanted = toRevision;
		if (wanted === 0) {
			const previous = revisions.filter((r) => r < current);
			if (previous.length === 0) {
				throw new KubeError('notFound', `${what} has no previous revision to roll back to (revisions: ${revisions.join(', ') || 'none'})`, 'There is nothing older to return to; ReplicaSets of old revisions may have been pruned (spec.revisionHistoryLimit).');
			}
			wanted = previous[previous.length - 1];
		}
		const source = owned.find((rs) => revisionOf(rs) === wanted);
		if (!source) {
			throw new KubeError('notFound', `${what} has no revision ${wanted} (revisions: ${revisions.join(', ') || 'none'})`, `Pick one of the listed revisions (kubectl rollout history deployment/${name} -n ${namespace}), or 0 for the previous one.`);
		}
		restored = wanted;
		const template = withoutHash(getPath(source, ['spec', 'template']));
		const to = { revision: wanted, images: images({ metadata: {}, spec: { template } }) };
		if (deepEqual(withoutHash(getPath(deployment, ['spec', 'template'])), template)) {
			return { unchanged: true, patchType: 'json', patch: [], to };
		}
		const ops: JsonPatchOp[] = [{ op: 'replace', path: '/spec/template', value: template }];
		const fromRs = source.metadata.annotations ?? {};
		const onDeployment = deployment.metadata.annotations ?? {};
		for (const [key, value] of Object.entries(fromRs)) {
			if (!keptFromDeployment.has(key) && onDeployment[key] !== value) ops.push({ op: 'add', path: `/metadata/annotations/${escapePointer(key)}`, value });
		}
		for (const key of Object.keys(onDeployment)) {
			if (!keptFromDeployment.has(key) && !(key in fromRs)) ops.push({ op: 'remove', path: `/metadata/annotations/${escapePointer(key)}` });
		}
		return { patchType: 'json', patch: ops, to, after: (result) => ({ revision: restored, images: images(result) }) };
	};
	const view = (obj: KubeObject): JsonObject => ({ revision: revisionOf(obj), images: images(obj) });
	return readModifyWrite(client, { name: 'rolloutUndo', res: resources.deployments, namespace, objectName: name, view, plan }, options);
}
