import type { JsonObject } from './resources';
import { isRecord as isObject } from '../shared/records';

// The one object guard, under the name the Kubernetes code reads it by.
export { isObject };

export function getPath(obj: unknown, path: string[]): unknown {
	let current = obj;
	for (const key of path) {
		if (Array.isArray(current)) current = current[Number(key)];
		else if (isObject(current)) current = current[key];
		else return undefined;
	}
	return current;
}

export function deepEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
	if (isObject(a) && isObject(b)) {
		const keys = Object.keys(a).filter((k) => a[k] !== undefined);
		const other = Object.keys(b).filter((k) => b[k] !== undefined);
		return keys.length === other.length && keys.every((k) => deepEqual(a[k], b[k]));
	}
	return false;
}

function pointerTokens(pointer: string): string[] {
	if (pointer === '') return [];
	return pointer
		.slice(1)
		.split('/')
		.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The part of `obj` a merge-style patch touches, in the patch's shape: what
 * `before` and `after` show for a generic patch, instead of the whole object.
 */
export function projectOnto(obj: unknown, patch: unknown): unknown {
	if (!isObject(patch)) return obj === undefined ? null : obj;
	const out: JsonObject = {};
	for (const [key, value] of Object.entries(patch)) {
		if (key.startsWith('$')) continue;
		const sub = isObject(obj) ? obj[key] : undefined;
		out[key] = isObject(value) && isObject(sub) ? projectOnto(sub, value) : sub === undefined ? null : sub;
	}
	return out;
}

/** For a JSON patch: the value at each path it names (null where absent). */
export function valuesAtPaths(obj: unknown, ops: { path: string; from?: string }[]): JsonObject {
	const out: JsonObject = {};
	for (const op of ops) {
		for (const pointer of [op.from, op.path]) {
			if (pointer === undefined) continue;
			const tokens = pointerTokens(pointer);
			const value = tokens[tokens.length - 1] === '-' ? getPath(obj, tokens.slice(0, -1)) : getPath(obj, tokens);
			out[pointer] = value === undefined ? null : value;
		}
	}
	return out;
}

/** True when applying the RFC 7386 merge patch to `obj` changes nothing. */
export function mergePatchIsNoop(obj: unknown, patch: unknown): boolean {
	if (!isObject(patch)) return deepEqual(obj, patch);
	if (!isObject(obj)) return false;
	for (const [key, value] of Object.entries(patch)) {
		if (value === null) {
			if (obj[key] !== undefined) return false;
		} else if (isObject(value)) {
			if (!isObject(obj[key]) || !mergePatchIsNoop(obj[key], value)) return false;
		} else if (!deepEqual(obj[key], value)) return false;
	}
	return true;
}

/** True when a strategic merge patch means the same as a merge patch: no lists, no $directives. */
export function isPlainMergePatch(patch: unknown): boolean {
	if (Array.isArray(patch)) return false;
	if (!isObject(patch)) return true;
	return Object.entries(patch).every(([key, value]) => !key.startsWith('$') && isPlainMergePatch(value));
}
