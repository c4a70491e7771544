import { clone, isObject } from './json';
import { errors } from './status';
import type { JsonObject } from './types';

export const patchContentTypes = {
	json: 'application/json-patch+json',
	merge: 'application/merge-patch+json',
	strategic: 'application/strategic-merge-patch+json',
	apply: 'application/apply-patch+yaml',
} as const;

export type PatchKind = keyof typeof patchContentTypes;

export function patchKindOf(contentType: string | undefined): PatchKind | undefined {
	const base = (contentType ?? '').split(';')[0].trim().toLowerCase();
	for (const [kind, type] of Object.entries(patchContentTypes)) if (type === base) return kind as PatchKind;
	return undefined;
}

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
	if (!isObject(patch)) return clone(patch);
	const result: JsonObject = isObject(target) ? clone(target) : {};
	for (const [key, value] of Object.entries(patch)) {
		if (value === null) delete result[key];
		else result[key] = mergePatch(result[key], value);
	}
	return result;
}

// ---- RFC 6902 JSON patch -------------------------------------------------

function parsePointer(pointer: string): string[] {
	if (pointer === '') return [];
	if (!pointer.startsWith('/')) throw errors.badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}`);
	return pointer
		.slice(1)
		.split('/')
		.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonObject | unknown[];

function resolveParent(doc: unknown, tokens: string[], op: string, pointer: string): { parent: Container; key: string } {
	let current: unknown = doc;
	for (const token of tokens.slice(0, -1)) {
		if (Array.isArray(current)) current = current[Number(token)];
		else if (isObject(current)) current = current[token];
		else current = undefined;
		if (current === undefined || current === null) {
			throw errors.unprocessable(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
		}
	}
	if (!Array.isArray(current) && !isObject(current)) {
		throw errors.unprocessable(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
	}
	return { parent: current, key: tokens[tokens.length - 1] };
}

function arrayIndex(parent: unknown[], key: string, forInsert: boolean, pointer: string): number {
	if (key === '-' && forInsert) return parent.length;
	if (!/^(0|[1-9][0-9]*)$/.test(key)) throw errors.unprocessable(`Unable to access invalid index: ${key}`);
	const index = Number(key);
	if (index > parent.length || (!forInsert && index >= parent.length)) {
		throw errors.unprocessable(`unable to apply patch: index out of range at "${pointer}"`);
	}
	return index;
}

function getAt(doc: unknown, pointer: string, op: string): unknown {
	let current = doc;
	for (const token of parsePointer(pointer)) {
		if (Array.isArray(current)) current = current[Number(token)];
		else if (isObject(current)) current = current[token];
		else current = undefined;
		if (current === undefined) throw errors.unprocessable(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
	}
	return current;
}

function removeAt(doc: unknown, pointer: string, op: string): unknown {
	const { parent, key } = resolveParent(doc, parsePointer(pointer), op, pointer);
	if (Array.isArray(parent)) {
		const index = arrayIndex(parent, key, false, pointer);
		return parent.splice(index, 1)[0];
	}
	if (!(key in parent)) throw errors.unprocessable(`${op} operation does not apply: doc is missing key: ${pointer}: missing value`);
	const old = parent[key];
	delete parent[key];
	return old;
}

function addAt(doc: JsonObject, pointer: string, value: unknown, op: string): void {
	const tokens = parsePointer(pointer);
	if (tokens.length === 0) throw errors.unprocessable('cannot replace the whole document');
	const { parent, key } = resolveParent(doc, tokens, op, pointer);
	if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, pointer), 0, clone(value));
	else parent[key] = clone(value);
}

export function jsonPatch(target: JsonObject, patch: unknown): JsonObject {
	if (!Array.isArray(patch)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
	const doc = clone(target);
	for (const raw of patch) {
		if (!isObject(raw) || typeof raw.op !== 'string') throw errors.badRequest('invalid JSON patch operation: missing "op"');
		const op = raw.op;
		const path = typeof raw.path === 'string' ? raw.path : undefined;
		if (path === undefined) throw errors.badRequest(`${op} operation: missing "path"`);
		switch (op) {
			case 'add':
				if (!('value' in raw)) throw errors.badRequest('add operation: missing "value"');
				addAt(doc, path, raw.value, op);
				break;
			case 'remove':
				removeAt(doc, path, op);
				break;
			case 'replace': {
				const { parent, key } = resolveParent(doc, parsePointer(path), op, path);
				if (Array.isArray(parent)) parent[arrayIndex(parent, key, false, path)] = clone(raw.value);
				else {
					if (!(key in parent)) throw errors.unprocessable(`replace operation does not apply: doc is missing key: ${path}: missing value`);
					parent[key] = clone(raw.value);
				}
				break;
			}
			case 'move': {
				if (typeof raw.from !== 'string') throw errors.badRequest('move operation: missing "from"');
				const value = removeAt(doc, raw.from, op);
				addAt(doc, path, value, op);
				break;
			}
			case 'copy': {
				if (typeof raw.from !== 'string') throw errors.badRequest('copy operation: missing "from"');
				addAt(doc, path, getAt(doc, raw.from, op), op);
				break;
			}
			case 'test': {
				const actual = getAt(doc, path, op);
				if (JSON.stringify(sortKeys(actual)) !== JSON.stringify(sortKeys(raw.value))) {
					throw errors.unprocessable(`testing value ${path} failed: test failed`);
				}
				break;
			}
			default:
				throw errors.badRequest(`Unexpected kind: ${op}`);
		}
	}
	return doc;
}

function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (isObject(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
	return value;
}

// ---- Strategic merge patch -----------------------------------------------

/** How a list field merges; absent means the list is atomic and a patch replaces it. */
export type ListStrategy = { mergeKey: string } | { primitiveMerge: true };

const podSpecLists: Record<string, ListStrategy> = {
	containers: { mergeKey: 'name' },
	initContainers: { mergeKey: 'name' },
	ephemeralContainers: { mergeKey: 'name' },
	volumes: { mergeKey: 'name' },
	imagePullSecrets: { mergeKey: 'name' },
	hostAliases: { mergeKey: 'ip' },
	topologySpreadConstraints: { mergeKey: 'topologyKey' },
	resourceClaims: { mergeKey: 'name' },
};

const containerLists: Record<string, ListStrategy> = {
	ports: { mergeKey: 'containerPort' },
	env: { mergeKey: 'name' },
	volumeMounts: { mergeKey: 'mountPath' },
	volumeDevices: { mergeKey: 'devicePath' },
};

/** Where each kind keeps its PodSpec, for the kinds whose patch keys come from PodSpec. */
const podSpecPaths: Record<string, string> = {
	pods: 'spec',
	'deployments.apps': 'spec.template.spec',
	'replicasets.apps': 'spec.template.spec',
};

/**
 * The `patchMergeKey` / `patchStrategy` struct tags of the built-in types this
 * sandbox serves, keyed by field path (list indices left out).
 */
export function listStrategyFor(resource: string, path: string[]): ListStrategy | undefined {
	const dotted = path.join('.');
	if (dotted === 'metadata.finalizers') return { primitiveMerge: true };
	if (dotted === 'metadata.ownerReferences') return { mergeKey: 'uid' };
	if (dotted === 'status.conditions') return { mergeKey: 'type' };
	if (resource === 'services' && dotted === 'spec.ports') return { mergeKey: 'port' };
	const podSpec = podSpecPaths[resource];
	if (podSpec && dotted.startsWith(`${podSpec}.`)) {
		const rest = dotted.slice(podSpec.length + 1).split('.');
		if (rest.length === 1) return podSpecLists[rest[0]];
		if (rest.length === 2 && ['containers', 'initContainers', 'ephemeralContainers'].includes(rest[0])) return containerLists[rest[1]];
	}
	return undefined;
}

function stripDirectives(value: unknown): unknown {
	if (Array.isArray(value)) return value.filter((v) => !(isObject(v) && v.$patch === 'delete')).map(stripDirectives);
	if (!isObject(value)) return value;
	const out: JsonObject = {};
	for (const [k, v] of Object.entries(value)) {
		if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
		if (v === null) continue;
		out[k] = stripDirectives(v);
	}
	return out;
}

const DELETE = Symbol('delete');

function mergeMap(resource: string, original: JsonObject, patch: JsonObject, path: string[]): JsonObject | typeof DELETE {
	if (patch.$patch === 'delete') return DELETE;
	if (patch.$patch === 'replace') return stripDirectives(patch) as JsonObject;
	if (patch.$patch !== undefined) throw errors.badRequest(`Unknown patch type: ${String(patch.$patch)}`);
	const result = clone(original);
	if (Array.isArray(patch.$retainKeys)) {
		const keep = new Set(patch.$retainKeys.map(String));
		for (const key of Object.keys(result)) if (!keep.has(key)) delete result[key];
	}
	const orders: [string, unknown[]][] = [];
	for (const [key, value] of Object.entries(patch)) {
		if (key === '$patch' || key === '$retainKeys') continue;
		if (key.startsWith('$setElementOrder/')) {
			orders.push([key.slice('$setElementOrder/'.length), Array.isArray(value) ? value : []]);
			continue;
		}
		if (key.startsWith('$deleteFromPrimitiveList/')) {
			const field = key.slice('$deleteFromPrimitiveList/'.length);
			const remove = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
			if (Array.isArray(result[field])) result[field] = (result[field] as unknown[]).filter((v) => !remove.has(JSON.stringify(v)));
			continue;
		}
		if (value === null) {
			delete result[key];
			continue;
		}
		const fieldPath = [...path, key];
		if (isObject(value)) {
			const merged = mergeMap(resource, isObject(result[key]) ? (result[key] as JsonObject) : {}, value, fieldPath);
			if (merged === DELETE) delete result[key];
			else result[key] = merged;
		} else if (Array.isArray(value)) {
			const strategy = listStrategyFor(resource, fieldPath);
			const current = Array.isArray(result[key]) ? (result[key] as unknown[]) : [];
			if (strategy && 'mergeKey' in strategy) result[key] = mergeKeyedList(resource, current, value, strategy.mergeKey, fieldPath);
			else if (strategy) result[key] = [...current, ...value.filter((v) => !current.some((c) => JSON.stringify(c) === JSON.stringify(v)))];
			else result[key] = stripDirectives(value);
		} else {
			result[key] = value;
		}
	}
	for (const [field, order] of orders) {
		const strategy = listStrategyFor(resource, [...path, field]);
		if (!Array.isArray(result[field])) continue;
		const list = result[field] as unknown[];
		const keyOf = (item: unknown) => (strategy && 'mergeKey' in strategy && isObject(item) ? JSON.stringify(item[strategy.mergeKey]) : JSON.stringify(item));
		const rank = new Map(order.map((o, i) => [keyOf(o), i]));
		result[field] = [...list].sort((a, b) => (rank.get(keyOf(a)) ?? order.length) - (rank.get(keyOf(b)) ?? order.length));
	}
	return result;
}

function mergeKeyedList(resource: string, original: unknown[], patch: unknown[], mergeKey: string, path: string[]): unknown[] {
	if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
		return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map(stripDirectives);
	}
	const result = clone(original);
	for (const item of patch) {
		if (!isObject(item)) {
			result.push(item);
			continue;
		}
		const key = item[mergeKey];
		if (key === undefined) throw errors.badRequest(`map: ${JSON.stringify(stripDirectives(item))} does not contain declared merge key: ${mergeKey}`);
		const index = result.findIndex((existing) => isObject(existing) && JSON.stringify(existing[mergeKey]) === JSON.stringify(key));
		if (item.$patch === 'delete') {
			if (index >= 0) result.splice(index, 1);
			continue;
		}
		const merged = mergeMap(resource, index >= 0 ? (result[index] as JsonObject) : {}, item, path);
		if (merged === DELETE) {
			if (index >= 0) result.splice(index, 1);
		} else if (index >= 0) result[index] = merged;
		else result.push(merged);
	}
	return result;
}

/** Strategic merge patch with the merge keys of the built-in types (`containers` merge by `name`, ...). */
export function strategicMergePatch(resource: string, target: JsonObject, patch: unknown): JsonObject {
	if (!isObject(patch)) throw errors.badRequest('strategic merge patch must be a JSON object');
	const merged = mergeMap(resource, target, patch, []);
	if (merged === DELETE) throw errors.badRequest('a patch cannot delete the whole object');
	return merged;
}
