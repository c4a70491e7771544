import { LAST_CHANGE_ANNOTATION } from '../audit';
import type { KubeClient } from '../client';
import { type ChangeOptions, type ChangeRecord, type Plan, readModifyWrite } from '../change';
import { KubeError } from '../errors';
import { type JsonObject, type KubeObject, type ObjectRef } from '../resources';
import { annotationsOf, checkTarget } from './common';

const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** The API server's rule for annotation keys: optional DNS-subdomain prefix, a name of at most 63 characters. */
export function annotationKeyProblem(key: string): string | undefined {
	const slash = key.indexOf('/');
	const prefix = slash === -1 ? undefined : key.slice(0, slash);
	const name = slash === -1 ? key : key.slice(slash + 1);
	if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) return `the prefix "${prefix}" is not a DNS subdomain`;
	if (name.length === 0 || name.length > 63 || !NAME.test(name)) return `the name part "${name}" must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
	return undefined;
}

/**
 * Sets (value) and removes (null) annotations on any object. The audit
 * annotation is the node's own record and cannot be written by hand.
 */
export async function annotate(client: KubeClient, ref: ObjectRef, changesInput: Record<string, string | null>, options: ChangeOptions): Promise<ChangeRecord> {
	const changes = { ...changesInput };
	if (Object.keys(changes).length === 0) throw new KubeError('invalid', 'No annotations to set or remove', 'Add at least one annotation to set, or a key to remove.');
	for (const [key, value] of Object.entries(changes)) {
		const problem = annotationKeyProblem(key);
		if (problem) throw new KubeError('invalid', `Annotation key "${key}" is invalid: ${problem}`, 'Use a key such as example.com/owner or team.');
		if (key === LAST_CHANGE_ANNOTATION) throw new KubeError('invalid', `${LAST_CHANGE_ANNOTATION} is written by the node itself`, 'Pick another key; the node records each change there.');
		if (value !== null && typeof value !== 'string') throw new KubeError('invalid', `The value of annotation "${key}" must be a string`, 'Quote numbers and booleans: annotations are strings.');
	}
	const res = await client.resolve(ref.apiVersion, ref.kind);
	checkTarget(ref.namespace, ref.name, 'Name', res.namespaced);
	const view = (obj: KubeObject): JsonObject => {
		const current = annotationsOf(obj);
		return { annotations: Object.fromEntries(Object.keys(changes).map((key) => [key, current[key] ?? null])) };
	};
	const plan = (current: KubeObject): Plan => {
		const existing = annotationsOf(current);
		const unchanged = Object.entries(changes).every(([key, value]) => (value === null ? existing[key] === undefined : existing[key] === value));
		return { unchanged, patchType: 'merge', patch: { metadata: { annotations: changes } }, to: { annotations: changes } };
	};
	return readModifyWrite(client, { name: 'annotate', res, namespace: res.namespaced ? ref.namespace : undefined, objectName: ref.name, view, plan }, options);
}
