import type { JsonObject } from './types';

export function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject {
	return isObject(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function clone<T>(value: T): T {
	return structuredClone(value);
}

/** Reads a dotted path such as `spec.template.spec`; returns undefined when any step is missing. */
export function getPath(root: unknown, path: string | string[]): unknown {
	const steps = Array.isArray(path) ? path : path.split('.').filter(Boolean);
	let current: unknown = root;
	for (const step of steps) {
		if (!isObject(current)) return undefined;
		current = current[step];
	}
	return current;
}

/** Writes a dotted path, creating the objects on the way. */
export function setPath(root: JsonObject, path: string | string[], value: unknown): void {
	const steps = Array.isArray(path) ? path : path.split('.').filter(Boolean);
	let current = root;
	for (const step of steps.slice(0, -1)) {
		if (!isObject(current[step])) current[step] = {};
		current = current[step] as JsonObject;
	}
	current[steps[steps.length - 1]] = value;
}

/**
 * Structural equality where a null or missing key count as the same: a typed
 * Go client serialises empty fields as null (`creationTimestamp: null`), so a
 * template sent back by kubectl must still equal the one stored.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (a === null || a === undefined) return b === null || b === undefined;
	if (b === null || b === undefined) return false;
	if (Array.isArray(a) || Array.isArray(b)) {
		if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
		return a.every((item, i) => semanticEqual(item, b[i]));
	}
	if (isObject(a) && isObject(b)) {
		const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
		for (const key of keys) {
			if (!semanticEqual(a[key], b[key])) return false;
		}
		return true;
	}
	return false;
}

/** JSON with sorted keys and without nulls, so equal objects hash alike. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (isObject(value)) {
		const keys = Object.keys(value)
			.filter((k) => value[k] !== null && value[k] !== undefined)
			.sort();
		return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
	}
	return JSON.stringify(value);
}
