// A strict JSON reader for model output. JSON.parse silently keeps the last of two
// duplicate keys, so {"replicas": 5, "replicas": 500} would read as 500 while a
// human skimming the raw text sees 5; here duplicates are an error. Objects have
// no prototype, so "__proto__" or "constructor" are plain (and unknown) keys.

export type Parsed = string | number | boolean | null | Parsed[] | { [key: string]: Parsed };

export type ParseResult = { ok: true; value: Parsed } | { ok: false; error: string };

const MAX_DEPTH = 32;

class JsonSyntaxError extends Error {}

export function parseStrictJson(text: string): ParseResult {
	try {
		const reader = new Reader(text);
		reader.whitespace();
		const value = reader.value(0);
		reader.whitespace();
		if (!reader.done()) reader.fail('unexpected text after the JSON value');
		return { ok: true, value };
	} catch (error) {
		if (error instanceof JsonSyntaxError) return { ok: false, error: error.message };
		throw error;
	}
}

class Reader {
	private at = 0;

	constructor(private readonly text: string) {}

	done(): boolean {
		return this.at >= this.text.length;
	}

	fail(message: string): never {
		throw new JsonSyntaxError(`${message} at position ${this.at}`);
	}

	whitespace(): void {
		while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at])) this.at++;
	}

	value(depth: number): Parsed {
		if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
		const char = this.text[this.at];
		if (char === '{') return this.object(depth);
		if (char === '[') return this.array(depth);
		if (char === '"') return this.string();
		if (char === '-' || (char >= '0' && char <= '9')) return this.number();
		for (const [word, value] of [
			['true', true],
			['false', false],
			['null', null],
		] as const) {
			if (this.text.startsWith(word, this.at)) {
				this.at += word.length;
				return value;
			}
		}
		if (char === undefined) this.fail('unexpected end of text');
		const word = /^[A-Za-z]+/.exec(this.text.slice(this.at, this.at + 16))?.[0];
		return this.fail(word ? `unexpected word ${JSON.stringify(word)} (not a JSON value)` : `unexpected character ${JSON.stringify(char)}`);
	}

	private object(depth: number): { [key: string]: Parsed } {
		const result = Object.create(null) as { [key: string]: Parsed };
		this.at++;
		this.whitespace();
		if (this.text[this.at] === '}') {
			this.at++;
			return result;
		}
		for (;;) {
			this.whitespace();
			if (this.text[this.at] !== '"') this.fail('expected a quoted property name');
			const keyAt = this.at;
			const key = this.string();
			if (Object.prototype.hasOwnProperty.call(result, key)) {
				this.at = keyAt;
				this.fail(`duplicate key ${JSON.stringify(key)}`);
			}
			this.whitespace();
			if (this.text[this.at] !== ':') this.fail('expected ":"');
			this.at++;
			this.whitespace();
			result[key] = this.value(depth + 1);
			this.whitespace();
			const next = this.text[this.at];
			this.at++;
			if (next === '}') return result;
			if (next !== ',') {
				this.at--;
				this.fail(next === undefined ? 'unexpected end of text inside an object' : 'expected "," or "}"');
			}
		}
	}

	private array(depth: number): Parsed[] {
		const result: Parsed[] = [];
		this.at++;
		this.whitespace();
		if (this.text[this.at] === ']') {
			this.at++;
			return result;
		}
		for (;;) {
			this.whitespace();
			result.push(this.value(depth + 1));
			this.whitespace();
			const next = this.text[this.at];
			this.at++;
			if (next === ']') return result;
			if (next !== ',') {
				this.at--;
				this.fail(next === undefined ? 'unexpected end of text inside an array' : 'expected "," or "]"');
			}
		}
	}

	private string(): string {
		const start = this.at;
		this.at++;
		for (;;) {
			const char = this.text[this.at];
			if (char === undefined) {
				this.at = start;
				this.fail('unterminated string');
			}
			if (char === '"') break;
			if (char < ' ') this.fail('control character inside a string');
			if (char === '\\') {
				const escape = this.text[this.at + 1];
				if (escape === 'u') {
					if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 2, this.at + 6))) this.fail('invalid \\u escape');
					this.at += 6;
					continue;
				}
				if (escape === undefined || !'"\\/bfnrt'.includes(escape)) this.fail('invalid escape');
				this.at += 2;
				continue;
			}
			this.at++;
		}
		this.at++;
		// The slice is now known to be a valid JSON string literal.
		return JSON.parse(this.text.slice(start, this.at)) as string;
	}

	private number(): number {
		const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at, this.at + 400));
		if (match === null) this.fail('invalid number');
		this.at += match[0].length;
		return Number(match[0]);
	}
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
