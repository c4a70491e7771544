import { PrometheusError } from './errors';

/**
 * Query variables: `$name` in the PromQL becomes the variable's value as a
 * quoted, escaped PromQL string. A value that came from an alert label
 * (`checkout"} or vector(1) or x{a="`) stays one label value and can never
 * end the string or add an expression, which string concatenation in an n8n
 * expression cannot promise.
 */

export type QueryVariables = Record<string, unknown>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_VALUE_CHARS = 4096;

/** A PromQL double-quoted string literal holding exactly `value` (Go escapes, as PromQL reads them). */
export function promqlString(value: string): string {
	return JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function refuse(summary: string, fix: string): PrometheusError {
	return new PrometheusError({ kind: 'bad_query', summary, fix });
}

function valueText(name: string, value: unknown): string {
	if (typeof value === 'string') {
		if (value.length > MAX_VALUE_CHARS) throw refuse(`Query variable "${name}" is ${value.length} characters long, over ${MAX_VALUE_CHARS}`, 'A label value is short; check what the variable is set to.');
		return value;
	}
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean') return String(value);
	const what = value === undefined ? 'empty (undefined)' : value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
	throw refuse(`Query variable "${name}" is ${what}, not a string or a number`, 'Set the variable to one label value, e.g. {{ $json.alert.labels.service }}.');
}

/** The query with every `$name` of a defined variable replaced by its value as a PromQL string. */
export function renderQuery(query: string, variables: QueryVariables = {}): string {
	const names = Object.keys(variables);
	if (names.length === 0) return query;
	for (const name of names) {
		if (!NAME.test(name)) throw refuse(`Query variable name "${name.slice(0, 60)}" is not a name`, 'Use letters, digits and _ (not starting with a digit), and write it in the query as $name.');
	}
	const used = new Set<string>();
	let rendered = '';
	let quote: string | undefined;
	for (let i = 0; i < query.length; i++) {
		const c = query[i];
		if (quote !== undefined) {
			rendered += c;
			if (c === '\\' && quote !== '`' && i + 1 < query.length) rendered += query[++i];
			else if (c === quote) quote = undefined;
			else if (c === '$') insideString(query.slice(i + 1), variables);
			continue;
		}
		if (c === '#') {
			// A comment runs to the end of the line; quotes in it open no string.
			const end = query.indexOf('\n', i);
			const stop = end === -1 ? query.length : end;
			rendered += query.slice(i, stop);
			i = stop - 1;
			continue;
		}
		if (c === '"' || c === "'" || c === '`') quote = c;
		const name = c === '$' ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i + 1))?.[0] : undefined;
		if (name !== undefined && Object.prototype.hasOwnProperty.call(variables, name)) {
			used.add(name);
			rendered += promqlString(valueText(name, variables[name]));
			i += name.length;
		} else {
			rendered += c;
		}
	}
	const unused = names.filter((name) => !used.has(name));
	if (unused.length > 0) throw refuse(`Query variable ${unused.map((n) => `$${n}`).join(', ')} is not used in the query`, `Write $${unused[0]} where the value belongs, e.g. {service=$${unused[0]}}, or remove the variable.`);
	return rendered;
}

function insideString(rest: string, variables: QueryVariables): void {
	const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
	if (name === undefined || !Object.prototype.hasOwnProperty.call(variables, name)) return;
	throw refuse(`Query variable $${name} is written inside a quoted string`, `Write it without quotes, e.g. {service=$${name}}: the node adds the quotes and escapes the value.`);
}
