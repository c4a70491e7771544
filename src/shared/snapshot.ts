import { types } from 'node:util';
import { isRecord } from './records';

// Inputs reach the gate from workflows, LLMs and files. Before any rule looks at
// them they are copied into inert JSON-like data: no getters run twice, no
// prototype chain can supply a field, nothing can change between checks.

export type Plain = null | boolean | number | string | Plain[] | PlainObject;
export interface PlainObject {
	[key: string]: Plain;
}

export type SnapshotResult = { ok: true; value: Plain | undefined } | { ok: false; path: string; problem: string };

const MAX_DEPTH = 32;
const MAX_NODES = 20_000;
const MAX_STRING = 65_536;
const MAX_ARRAY = 10_000;

class SnapshotError extends Error {
	constructor(
		readonly path: string,
		readonly problem: string,
	) {
		super(problem);
	}
}

export function snapshot(input: unknown): SnapshotResult {
	const budget = { nodes: 0 };
	try {
		return { ok: true, value: copy(input, '$', 0, new Set(), budget) };
	} catch (error) {
		if (error instanceof SnapshotError) return { ok: false, path: error.path, problem: error.problem };
		return { ok: false, path: '$', problem: 'could not be read (a property access threw)' };
	}
}

function copy(value: unknown, path: string, depth: number, ancestors: Set<object>, budget: { nodes: number }): Plain | undefined {
	budget.nodes += 1;
	if (budget.nodes > MAX_NODES) throw new SnapshotError(path, `is too large (more than ${MAX_NODES} values)`);
	if (value === undefined) return undefined;
	if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
	if (typeof value === 'string') {
		if (value.length > MAX_STRING) throw new SnapshotError(path, `is a string longer than ${MAX_STRING} characters`);
		return value;
	}
	if (typeof value !== 'object') throw new SnapshotError(path, `has unsupported type ${typeof value}`);
	if (depth >= MAX_DEPTH) throw new SnapshotError(path, `is nested deeper than ${MAX_DEPTH} levels`);
	// YAML turns unquoted timestamps into Dates; everything downstream expects strings.
	if (types.isDate(value)) {
		const time = value.getTime();
		if (!Number.isFinite(time)) throw new SnapshotError(path, 'is an invalid Date');
		return value.toISOString();
	}
	if (types.isBoxedPrimitive(value)) throw new SnapshotError(path, 'is a boxed primitive');
	if (ancestors.has(value)) throw new SnapshotError(path, 'contains a cycle');
	ancestors.add(value);
	try {
		if (Array.isArray(value)) return copyArray(value, path, depth, ancestors, budget);
		const tag = Object.prototype.toString.call(value);
		if (tag !== '[object Object]') throw new SnapshotError(path, `has unsupported type ${tag.slice(8, -1)}`);
		return copyObject(value, path, depth, ancestors, budget);
	} finally {
		ancestors.delete(value);
	}
}

function copyArray(value: unknown[], path: string, depth: number, ancestors: Set<object>, budget: { nodes: number }): Plain[] {
	const length = value.length;
	if (length > MAX_ARRAY) throw new SnapshotError(path, `has more than ${MAX_ARRAY} items`);
	const out: Plain[] = [];
	for (let index = 0; index < length; index += 1) {
		const item = readOwn(value, String(index), `${path}[${index}]`);
		const copied = copy(item, `${path}[${index}]`, depth + 1, ancestors, budget);
		out.push(copied === undefined ? null : copied);
	}
	return out;
}

function copyObject(value: object, path: string, depth: number, ancestors: Set<object>, budget: { nodes: number }): PlainObject {
	const out: PlainObject = {};
	for (const key of Object.keys(value)) {
		const childPath = `${path}.${key}`;
		const copied = copy(readOwn(value, key, childPath), childPath, depth + 1, ancestors, budget);
		if (copied === undefined) continue;
		// defineProperty keeps a literal "__proto__" key as data instead of re-parenting the copy.
		if (key === '__proto__') Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
		else out[key] = copied;
	}
	return out;
}

function readOwn(container: object, key: string, path: string): unknown {
	const descriptor = Object.getOwnPropertyDescriptor(container, key);
	if (descriptor === undefined) return undefined;
	if (descriptor.get !== undefined || descriptor.set !== undefined) {
		throw new SnapshotError(path, 'is an accessor property; only plain data is accepted');
	}
	return descriptor.value;
}

export function isPlainObject(value: Plain | undefined): value is PlainObject {
	return isRecord(value);
}

export function getOwn(object: PlainObject, key: string): Plain | undefined {
	return Object.hasOwn(object, key) ? object[key] : undefined;
}
