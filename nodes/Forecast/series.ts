import { parseJsonStrictly } from '../../src/shared/strictJson';
import { parseTimestamp } from '../../src/forecast';
import type { Series } from '../../src/forecast';

/** A malformed input item: the message names the item and the field; the description says what to do. */
export class ItemInputError extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'ItemInputError';
	}
}

/** The value at a dotted path (`values`, `data.values`); a key containing dots is tried whole first. */
export function getField(json: Record<string, unknown>, path: string): unknown {
	if (Object.prototype.hasOwnProperty.call(json, path)) return json[path];
	let value: unknown = json;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/** A shallow copy of the item without the history field, so 4,000 pairs are not carried on in every output item. */
export function withoutField(json: Record<string, unknown>, path: string): Record<string, unknown> {
	if (Object.prototype.hasOwnProperty.call(json, path)) {
		const { [path]: _removed, ...rest } = json;
		return rest;
	}
	const [head, ...tail] = path.split('.');
	const child = json[head];
	if (tail.length === 0 || child === null || typeof child !== 'object' || Array.isArray(child)) return { ...json };
	return { ...json, [head]: withoutField(child as Record<string, unknown>, tail.join('.')) };
}

const GAP_TEXT = new Set(['nan', '+inf', '-inf', 'inf', 'null', '']);

/**
 * Reads `[timestamp, value]` pairs: Prometheus Query's `values`, the raw
 * Prometheus API (values as strings, "NaN"), or any list shaped like them.
 * Timestamps are unix seconds (milliseconds above 1e12) or ISO 8601 text.
 * null, NaN and ±Inf are gaps, never zeros. Anything else that is not a
 * number is an error naming the item and the position.
 */
export function readPairs(json: Record<string, unknown>, field: string, itemIndex: number): Series {
	let raw = getField(json, field);
	const where = `Item ${itemIndex}`;
	if (raw === undefined) throw missingField(json, field, where);
	if (typeof raw === 'string' && raw.trim().startsWith('[')) {
		try {
			raw = parseJsonStrictly(raw) as unknown;
		} catch {
			// Reported below as not a list.
		}
	}
	if (!Array.isArray(raw)) {
		throw new ItemInputError(
			`${where}: field "${field}" is ${describe(raw)}, not a list of [timestamp, value] pairs`,
			'Point Values Field at a list like [[1700000000, 12.5], [1700000060, 13.1]], as Prometheus Query (range query) outputs in "values".',
		);
	}
	const t: number[] = [];
	const v: Array<number | null> = [];
	raw.forEach((pair: unknown, k) => {
		const at = `${field}[${k}]`;
		if (!Array.isArray(pair) || pair.length < 2) {
			throw new ItemInputError(
				`${where}: ${at} is not a [timestamp, value] pair (got ${preview(pair)})`,
				'Each element must be a two-element list: [unix seconds or ISO 8601 time, number or null].',
			);
		}
		t.push(readTime(pair[0], `${where}: ${at}[0]`));
		v.push(readValue(pair[1], `${where}: ${at}[1]`));
	});
	return { t, v };
}

function readTime(value: unknown, at: string): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value > 1e12 ? value / 1000 : value;
	if (typeof value === 'string') {
		try {
			return parseTimestamp(value);
		} catch {
			// Reported below.
		}
	}
	throw new ItemInputError(`${at} ${preview(value)} is not a timestamp`, 'Timestamps are unix seconds (as Prometheus gives them), milliseconds, or ISO 8601 text.');
}

function readValue(value: unknown, at: string): number | null {
	if (value === null) return null;
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string') {
		const text = value.trim();
		if (GAP_TEXT.has(text.toLowerCase())) return null;
		const number = Number(text);
		if (Number.isFinite(number)) return number;
	}
	throw new ItemInputError(`${at} ${preview(value)} is not a number`, 'Values must be numbers; null, "NaN" and "+Inf" count as gaps (missing samples), never as zero.');
}

function missingField(json: Record<string, unknown>, field: string, where: string): ItemInputError {
	const keys = Object.keys(json);
	let hint = `Set Values Field to the field that holds the [timestamp, value] pairs. This item has: ${keys.length > 0 ? keys.slice(0, 20).join(', ') : 'no fields at all'}.`;
	if (typeof json.error === 'string') hint = `The item carries an error from an earlier node: ${json.error}`;
	else if (Array.isArray(json.series)) hint = 'This looks like Prometheus Query\'s "One Item With All Series" output: set its Output to "One Item per Series".';
	else if (Array.isArray(json.value)) hint = 'This looks like an instant query result (one value): use a range query for history.';
	return new ItemInputError(`${where} has no field "${field}"`, hint);
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function preview(value: unknown): string {
	let text: string;
	try {
		text = JSON.stringify(value) ?? String(value);
	} catch {
		text = String(value);
	}
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
