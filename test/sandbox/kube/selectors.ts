import { asArray, asObject, getPath } from './json';
import { errors } from './status';
import type { KubeObject } from './types';

type Requirement = { key: string; op: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!='; values: string[] };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** Parses the label selector grammar of `?labelSelector=` (equality and set-based). */
export function parseLabelSelector(text: string | null | undefined): LabelMatcher {
	if (!text || !text.trim()) return () => true;
	const requirements: Requirement[] = [];
	// Split on commas outside parentheses.
	const parts: string[] = [];
	let depth = 0;
	let current = '';
	for (const ch of text) {
		if (ch === '(') depth++;
		if (ch === ')') depth--;
		if (ch === ',' && depth === 0) {
			parts.push(current);
			current = '';
		} else current += ch;
	}
	parts.push(current);
	for (const raw of parts) {
		const part = raw.trim();
		let m: RegExpMatchArray | null;
		if ((m = part.match(/^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
			requirements.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter(Boolean) });
		} else if ((m = part.match(/^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/))) {
			requirements.push({ key: m[1], op: m[2] === '!=' ? '!=' : '=', values: [m[3]] });
		} else if ((m = part.match(/^!\s*([^\s!=]+)$/))) {
			requirements.push({ key: m[1], op: '!exists', values: [] });
		} else if ((m = part.match(/^([^\s!=()]+)$/))) {
			requirements.push({ key: m[1], op: 'exists', values: [] });
		} else {
			throw errors.badRequest(`unable to parse requirement: found '${part}', expected: valid label selector`);
		}
	}
	return (labels) => requirements.every((r) => matches(labels ?? {}, r));
}

function matches(labels: Record<string, string>, r: Requirement): boolean {
	const has = Object.prototype.hasOwnProperty.call(labels, r.key);
	switch (r.op) {
		case 'exists':
			return has;
		case '!exists':
			return !has;
		case '=':
		case 'in':
			return has && r.values.includes(labels[r.key]);
		case '!=':
		case 'notin':
			return !has || !r.values.includes(labels[r.key]);
	}
}

/** A metav1.LabelSelector (matchLabels / matchExpressions) as a matcher; an empty selector matches everything. */
export function labelSelectorMatcher(selector: unknown): LabelMatcher {
	const sel = asObject(selector);
	const requirements: Requirement[] = [];
	for (const [key, value] of Object.entries(asObject(sel.matchLabels))) requirements.push({ key, op: '=', values: [String(value)] });
	for (const raw of asArray(sel.matchExpressions)) {
		const expr = asObject(raw);
		const values = asArray(expr.values).map(String);
		const op = String(expr.operator);
		const key = String(expr.key);
		if (op === 'In') requirements.push({ key, op: 'in', values });
		else if (op === 'NotIn') requirements.push({ key, op: 'notin', values });
		else if (op === 'Exists') requirements.push({ key, op: 'exists', values });
		else if (op === 'DoesNotExist') requirements.push({ key, op: '!exists', values });
	}
	return (labels) => requirements.every((r) => matches(labels ?? {}, r));
}

/** The selector string form kubectl and Scale.status.selector use, e.g. `app=web,tier in (a,b)`. */
export function labelSelectorString(selector: unknown): string {
	const sel = asObject(selector);
	const parts: string[] = [];
	for (const [k, v] of Object.entries(asObject(sel.matchLabels))) parts.push(`${k}=${String(v)}`);
	for (const raw of asArray(sel.matchExpressions)) {
		const e = asObject(raw);
		const values = asArray(e.values).map(String).join(',');
		if (e.operator === 'In') parts.push(`${String(e.key)} in (${values})`);
		else if (e.operator === 'NotIn') parts.push(`${String(e.key)} notin (${values})`);
		else if (e.operator === 'Exists') parts.push(String(e.key));
		else if (e.operator === 'DoesNotExist') parts.push(`!${String(e.key)}`);
	}
	return parts.join(',');
}

export type ObjectMatcher = (obj: KubeObject) => boolean;

/**
 * Parses `?fieldSelector=`; like the real server it rejects fields the
 * resource does not index instead of silently matching everything.
 */
export function parseFieldSelector(text: string | null | undefined, allowedFields: string[]): ObjectMatcher {
	if (!text || !text.trim()) return () => true;
	const allowed = new Set(['metadata.name', 'metadata.namespace', ...allowedFields]);
	const tests: ObjectMatcher[] = [];
	for (const raw of text.split(',')) {
		const m = raw.trim().match(/^([^!=]+?)\s*(==|=|!=)\s*(.*)$/);
		if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${raw}'`);
		const [, field, op, value] = m;
		if (!allowed.has(field)) {
			throw errors.badRequest(`field label not supported: ${field}`);
		}
		tests.push((obj) => {
			const actual = getPath(obj, field);
			const str = actual === undefined || actual === null ? '' : String(actual);
			return op === '!=' ? str !== value : str === value;
		});
	}
	return (obj) => tests.every((t) => t(obj));
}
