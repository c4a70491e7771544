import { parseJsonStrictly } from '../../shared/strictJson';
import type { KubeClient, PatchType } from '../client';
import { type ChangeOptions, type ChangeRecord, type JsonPatchOp, type Plan, readModifyWrite } from '../change';
import { KubeError } from '../errors';
import { isObject, isPlainMergePatch, mergePatchIsNoop, projectOnto, valuesAtPaths } from '../json';
import { type JsonObject, type KubeObject, type ObjectRef } from '../resources';
import { checkTarget } from './common';

const jsonPatchOps = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function invalidPatch(message: string, fix: string): KubeError {
	return new KubeError('invalid', message, fix);
}

/** The Patch parameter: JSON text typed into the field, or an object from an expression. */
export function parsePatchBody(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	try {
		// Strict: a duplicate key would otherwise patch whichever value came last, unlike what a reviewer reads.
		return parseJsonStrictly(raw) as unknown;
	} catch (error) {
		throw invalidPatch(`Patch is not valid JSON: ${(error as Error).message}`, 'Write the patch as JSON: an object for merge patches, an array of operations for JSON patches.');
	}
}

/** Checks the patch's shape before it reaches the server, so a mistake is named in our words. */
export function validatePatchBody(type: PatchType, body: unknown): JsonObject | JsonPatchOp[] {
	if (type === 'json') {
		if (!Array.isArray(body) || body.length === 0) {
			throw invalidPatch('A JSON patch must be a non-empty array of operations', 'Write e.g. [{"op": "replace", "path": "/spec/replicas", "value": 5}] (RFC 6902).');
		}
		body.forEach((op, i) => {
			if (!isObject(op) || typeof op.op !== 'string' || !jsonPatchOps.has(op.op)) {
				throw invalidPatch(`JSON patch operation ${i} has no valid "op"`, 'Each operation needs "op": add, remove, replace, move, copy or test.');
			}
			if (typeof op.path !== 'string' || (op.path !== '' && !op.path.startsWith('/'))) {
				throw invalidPatch(`JSON patch operation ${i} has no valid "path"`, 'A path is a JSON pointer such as /spec/replicas or /metadata/annotations/example.com~1key.');
			}
			if (['add', 'replace', 'test'].includes(op.op) && !('value' in op)) throw invalidPatch(`JSON patch operation ${i} (${op.op}) has no "value"`, 'Add the value to set.');
			if (['move', 'copy'].includes(op.op) && typeof op.from !== 'string') throw invalidPatch(`JSON patch operation ${i} (${op.op}) has no "from"`, 'Add the JSON pointer to move or copy from.');
		});
		return body as JsonPatchOp[];
	}
	if (!isObject(body) || Object.keys(body).length === 0) {
		throw invalidPatch(`A ${type === 'merge' ? 'merge' : 'strategic merge'} patch must be a non-empty JSON object`, 'Write the fields to change, e.g. {"spec": {"replicas": 5}}; null deletes a field.');
	}
	for (const key of ['apiVersion', 'kind']) {
		if (key in body) throw invalidPatch(`The patch changes ${key}`, `Leave ${key} out of the patch; set API Version and Kind in the node instead.`);
	}
	const metadata = isObject(body.metadata) ? body.metadata : {};
	for (const key of ['name', 'namespace', 'uid']) {
		if (key in metadata) throw invalidPatch(`The patch changes metadata.${key}`, `An object's ${key} cannot be patched; set Name and Namespace in the node.`);
	}
	return body;
}

function ownsPrecondition(type: PatchType, body: JsonObject | JsonPatchOp[]): boolean {
	if (type === 'json') return (body as JsonPatchOp[]).some((op) => op.path === '/metadata/resourceVersion');
	const metadata = (body as JsonObject).metadata;
	return isObject(metadata) && metadata.resourceVersion !== undefined;
}

function intended(type: PatchType, body: JsonObject | JsonPatchOp[]): JsonObject {
	if (type !== 'json') return body as JsonObject;
	return Object.fromEntries((body as JsonPatchOp[]).filter((op) => op.op !== 'test').map((op) => [op.path, op.op === 'remove' ? null : 'value' in op ? op.value : `(${op.op} from ${op.from})`]));
}

/**
 * Any object by apiVersion/kind, merge / strategic / JSON patch. `before` and
 * `after` show only the fields the patch names. A patch that carries its own
 * metadata.resourceVersion is the caller's precondition and is not retried.
 */
export async function patchResource(client: KubeClient, ref: ObjectRef, type: PatchType, bodyInput: unknown, options: ChangeOptions): Promise<ChangeRecord> {
	const body = validatePatchBody(type, bodyInput);
	const res = await client.resolve(ref.apiVersion, ref.kind);
	checkTarget(ref.namespace, ref.name, 'Name', res.namespaced);
	const view = (obj: KubeObject): JsonObject => (type === 'json' ? valuesAtPaths(obj, body as JsonPatchOp[]) : (projectOnto(obj, body) as JsonObject));
	const own = ownsPrecondition(type, body);
	const plan = (current: KubeObject): Plan => ({
		// Only merge semantics can be checked locally; strategic lists and JSON patches always go to the server.
		unchanged: (type === 'merge' || (type === 'strategic' && isPlainMergePatch(body))) && mergePatchIsNoop(current, body),
		patchType: type,
		patch: body,
		to: intended(type, body),
		ownPrecondition: own,
	});
	return readModifyWrite(client, { name: 'patch', res, namespace: res.namespaced ? ref.namespace : undefined, objectName: ref.name, view, plan }, options);
}
