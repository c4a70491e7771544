import { loadYaml } from '@kubernetes/client-node';
import { validatePlainPolicy } from './policy';
import { snapshot, type Plain } from '../shared/snapshot';
import type { PolicyResult } from './types';

export type DocumentResult = { ok: true; value: Plain } | { ok: false; message: string };

const MAX_TEXT = 1_048_576;

// JSON when it parses as JSON, YAML otherwise (YAML flow style also starts with
// "{"). Both paths refuse duplicate keys: with last-one-wins, a second
// "maxReplicas" further down a file silently overrides the reviewed one.
export function parseDocument(text: unknown, what = 'document'): DocumentResult {
	if (typeof text !== 'string') return { ok: false, message: `${what} must be text` };
	if (text.length > MAX_TEXT) return { ok: false, message: `${what} is larger than 1 MiB` };
	const body = text.replace(/^\uFEFF/, '');
	if (body.trim() === '') return { ok: false, message: `${what} is empty` };
	const json = parseJson(body);
	if (json?.kind === 'duplicate') return { ok: false, message: `${what} has the key "${json.key}" twice in one object; keep one` };
	if (json?.kind === 'value') return toPlainDocument(json.value, what);
	let parsed: unknown;
	try {
		parsed = loadYaml<unknown>(body);
	} catch (error) {
		return { ok: false, message: `${what} is neither valid JSON nor valid YAML: ${firstLine(error)}` };
	}
	return toPlainDocument(parsed, what);
}

function parseJson(body: string): { kind: 'value'; value: unknown } | { kind: 'duplicate'; key: string } | undefined {
	const start = body.trimStart()[0];
	if (start !== '{' && start !== '[') return undefined;
	let value: unknown;
	try {
		value = JSON.parse(body);
	} catch {
		return undefined;
	}
	const duplicate = duplicateJsonKey(body);
	return duplicate === null ? { kind: 'value', value } : { kind: 'duplicate', key: duplicate };
}

function toPlainDocument(value: unknown, what: string): DocumentResult {
	// loadYaml hands back class instances for objects with apiVersion/kind; the
	// snapshot turns them (and YAML Dates) back into plain data.
	const copy = snapshot(value);
	if (!copy.ok) return { ok: false, message: `${what}${copy.path.slice(1)} ${copy.problem}` };
	if (copy.value === undefined) return { ok: false, message: `${what} is empty` };
	return { ok: true, value: copy.value };
}

function duplicateJsonKey(text: string): string | null {
	// Only runs on text JSON.parse accepted, so strings and brackets are well formed.
	const stack: Array<Set<string> | null> = [];
	let index = 0;
	while (index < text.length) {
		const char = text[index];
		if (char === '"') {
			let end = index + 1;
			while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
			const literal = text.slice(index, end + 1);
			index = end + 1;
			while (index < text.length && /\s/.test(text[index] ?? '')) index += 1;
			const keys = stack[stack.length - 1];
			if (text[index] === ':' && keys) {
				const key = JSON.parse(literal) as string;
				if (keys.has(key)) return key;
				keys.add(key);
			}
			continue;
		}
		if (char === '{') stack.push(new Set());
		else if (char === '[') stack.push(null);
		else if (char === '}' || char === ']') stack.pop();
		index += 1;
	}
	return null;
}

function firstLine(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const line = message.split('\n')[0] ?? '';
	return line === 'Failed to load YAML' ? 'the document is empty or null' : line;
}

export function parsePolicy(text: string): PolicyResult {
	const document = parseDocument(text, 'policy');
	if (!document.ok) return { ok: false, issues: [{ path: 'policy', message: document.message.replace(/^policy /, ''), fix: 'fix the policy file syntax' }] };
	return validatePlainPolicy(document.value);
}
