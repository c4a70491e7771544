// Model output is read with the shared strict reader: duplicate keys are an error
// and objects have no prototype, so "__proto__" or "constructor" are plain (and unknown) keys.
import { type ParseResult, parseStrictJson as parseShared } from '../shared/strictJson';

export type { Parsed, ParseResult } from '../shared/strictJson';

const MAX_DEPTH = 32;

export function parseStrictJson(text: string): ParseResult {
	return parseShared(text, { maxDepth: MAX_DEPTH, nullPrototype: true });
}

export type ExtractResult = { ok: true; json: string; wrapped: boolean } | { ok: false; error: string };

const THINKING = /^\s*<think>[\s\S]*?<\/think>/;
const FENCE = /```[ \t]*([A-Za-z0-9_-]*)[ \t]*\r?\n?([\s\S]*?)```/g;

/**
 * The JSON text in a model answer: the answer itself, or the content of its one
 * fenced code block (```json … ```). Reasoning models served by vLLM or Ollama put
 * a <think>…</think> section first; it is skipped. Two fenced blocks are ambiguous
 * and refused rather than guessed between.
 */
export function extractJson(answer: string): ExtractResult {
	const text = answer.replace(THINKING, '').trim();
	if (text.startsWith('{') || text.startsWith('[')) return { ok: true, json: text, wrapped: false };
	const blocks = [...text.matchAll(FENCE)].filter((match) => match[1] === '' || match[1].toLowerCase() === 'json');
	if (blocks.length === 1) return { ok: true, json: blocks[0][2].trim(), wrapped: true };
	if (blocks.length > 1) return { ok: false, error: `the answer has ${blocks.length} fenced code blocks; expected one JSON object` };
	return { ok: true, json: text, wrapped: false };
}
