import { getOwn, isPlainObject, type Plain, type PlainObject } from '../shared/snapshot';
import { parseTimestamp } from '../shared/time';
import type { Issue } from './types';

// Kubernetes stores replicas as int32.
export const MAX_INT32 = 2_147_483_647;

export { DNS_LABEL, DNS_SUBDOMAIN } from '../shared/kubernetesNames';
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/;

export function describe(value: Plain | undefined): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
	if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
	if (typeof value === 'boolean') return String(value);
	return Array.isArray(value) ? 'a list' : 'an object';
}

interface NumberRule {
	min?: number;
	max?: number;
	integer?: boolean;
	// Strict lower bound, for values such as a latency limit that must be positive.
	above?: number;
	fix?: string;
}

interface StringRule {
	pattern?: RegExp;
	patternText?: string;
	maxLength?: number;
	oneOf?: readonly string[];
}

// Reads typed fields from one object and records every problem with its path,
// so a reject names all the fields to fix at once rather than the first.
export class Fields {
	constructor(
		readonly data: PlainObject,
		readonly path: string,
		readonly issues: Issue[],
	) {}

	at(key: string): string {
		return this.path === '' ? key : `${this.path}.${key}`;
	}

	raw(key: string): Plain | undefined {
		return getOwn(this.data, key);
	}

	has(key: string): boolean {
		return this.raw(key) !== undefined;
	}

	keys(): string[] {
		return Object.keys(this.data);
	}

	problem(key: string, message: string, fix: string): undefined {
		this.issues.push({ path: this.at(key), message, fix });
		return undefined;
	}

	missing(key: string, fix: string): undefined {
		return this.problem(key, 'is required', fix);
	}

	number(key: string, rule: NumberRule = {}): number | undefined {
		const value = this.raw(key);
		if (value === undefined) return undefined;
		const kind = rule.integer ? 'an integer' : 'a number';
		const range = rangeText(rule);
		const fix = rule.fix ?? `set ${this.at(key)} to ${kind}${range}`;
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			return this.problem(key, `must be a finite ${rule.integer ? 'integer' : 'number'}, got ${describe(value)}`, fix);
		}
		if (rule.integer && !Number.isSafeInteger(value)) return this.problem(key, `must be an integer, got ${value}`, fix);
		const outOfRange =
			(rule.min !== undefined && value < rule.min) ||
			(rule.max !== undefined && value > rule.max) ||
			(rule.above !== undefined && value <= rule.above);
		if (outOfRange) return this.problem(key, `must be ${kind}${range}, got ${value}`, fix);
		// -0 would print as 0 but compare oddly in Object.is-based consumers.
		return value === 0 ? 0 : value;
	}

	boolean(key: string): boolean | undefined {
		const value = this.raw(key);
		if (value === undefined) return undefined;
		if (typeof value !== 'boolean') {
			return this.problem(key, `must be true or false, got ${describe(value)}`, `write ${this.at(key)}: true or false without quotes`);
		}
		return value;
	}

	string(key: string, rule: StringRule = {}): string | undefined {
		const value = this.raw(key);
		if (value === undefined) return undefined;
		return checkString(value, rule, this.at(key), this.issues);
	}

	timestamp(key: string, { nullable = false } = {}): string | null | undefined {
		const value = this.raw(key);
		if (value === undefined) return undefined;
		if (value === null && nullable) return null;
		if (typeof value === 'string' && parseTimestamp(value) !== null) return value;
		return this.problem(
			key,
			`must be an RFC 3339 timestamp with a timezone, got ${describe(value)}`,
			`write ${this.at(key)} like 2025-01-31T18:00:00Z`,
		);
	}

	object(key: string): Fields | undefined {
		const value = this.raw(key);
		if (value === undefined) return undefined;
		if (!isPlainObject(value)) return this.problem(key, `must be an object, got ${describe(value)}`, `make ${this.at(key)} a mapping of fields`);
		return new Fields(value, this.at(key), this.issues);
	}

	list(key: string, maxItems: number): Plain[] | undefined {
		const value = this.raw(key);
		if (value === undefined) return undefined;
		if (!Array.isArray(value)) return this.problem(key, `must be a list, got ${describe(value)}`, `make ${this.at(key)} a list`);
		if (value.length > maxItems) return this.problem(key, `has ${value.length} items, more than ${maxItems}`, `shorten ${this.at(key)}`);
		return value;
	}

	stringList(key: string, rule: StringRule & { maxItems: number; nonEmpty?: boolean }): string[] | undefined {
		const items = this.list(key, rule.maxItems);
		if (items === undefined) return undefined;
		if (rule.nonEmpty && items.length === 0) {
			return this.problem(key, 'is an empty list', `list at least one entry, or remove ${this.at(key)}`);
		}
		const before = this.issues.length;
		const out = items.map((item, index) => checkString(item, rule, `${this.at(key)}[${index}]`, this.issues));
		return this.issues.length === before ? (out as string[]) : undefined;
	}

	// Unknown keys are refused rather than ignored: a misspelt "cooldownSecond" that
	// silently falls back to a default is how a safety limit disappears.
	onlyKeys(allowed: readonly string[], hint = ''): void {
		for (const key of Object.keys(this.data)) {
			if (allowed.includes(key)) continue;
			const guess = closest(key, allowed);
			const fix = guess !== undefined ? `did you mean ${guess}?` : `remove it; allowed here: ${allowed.join(', ')}${hint}`;
			this.issues.push({ path: this.at(key), message: 'is not a known field', fix });
		}
	}
}

function checkString(value: Plain, rule: StringRule, path: string, issues: Issue[]): string | undefined {
	const maxLength = rule.maxLength ?? 253;
	const fail = (message: string, fix: string): undefined => {
		issues.push({ path, message, fix });
		return undefined;
	};
	if (typeof value !== 'string') return fail(`must be a string, got ${describe(value)}`, `quote ${path} or set it to text`);
	if (rule.oneOf !== undefined && !rule.oneOf.includes(value)) {
		return fail(`must be one of ${rule.oneOf.join(', ')}, got ${describe(value)}`, `set ${path} to one of ${rule.oneOf.join(', ')}`);
	}
	if (value.length === 0) return fail('must not be empty', `set ${path} to a non-empty value`);
	if (value.length > maxLength) return fail(`is longer than ${maxLength} characters`, `shorten ${path}`);
	if (!PRINTABLE.test(value)) return fail('contains control characters', `remove control characters from ${path}`);
	if (rule.pattern !== undefined && !rule.pattern.test(value)) {
		return fail(`must be ${rule.patternText ?? `match ${rule.pattern.source}`}, got ${describe(value)}`, `fix ${path}`);
	}
	return value;
}

function rangeText(rule: NumberRule): string {
	const parts: string[] = [];
	if (rule.above !== undefined) parts.push(`above ${rule.above}`);
	if (rule.min !== undefined) parts.push(`at least ${rule.min}`);
	if (rule.max !== undefined) parts.push(`at most ${rule.max}`);
	return parts.length === 0 ? '' : ` ${parts.join(' and ')}`;
}

function closest(key: string, candidates: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestDistance = Infinity;
	for (const candidate of candidates) {
		const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}
	return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
	if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return Infinity;
	let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
	for (let i = 1; i <= a.length; i += 1) {
		const row = [i];
		for (let j = 1; j <= b.length; j += 1) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
		}
		previous = row;
	}
	return previous[b.length] ?? Infinity;
}

export function formatIssues(issues: readonly Issue[], limit = 8): string {
	const shown = issues.slice(0, limit).map((issue) => `${issue.path} ${issue.message} (fix: ${issue.fix})`);
	if (issues.length > limit) shown.push(`and ${issues.length - limit} more`);
	return shown.join('; ');
}
