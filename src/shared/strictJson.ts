// A strict JSON reader for text from outside: JSON.parse silently keeps the last of
// two duplicate keys, so {"replicas": 5, "replicas": 8} would read as 8 while a
// human skimming the raw text (or the CLI, which refuses it) sees 5; here duplicates
// are an error. Depth is bounded, so a hostile body is a clear refusal, never a
// stack overflow. With nullPrototype, objects have no prototype, so "__proto__" or
// "constructor" are plain (and unknown) keys.

export type Parsed = string | number | boolean | null | Parsed[] | { [key: string]: Parsed };

export type ParseResult = { ok: true; value: Parsed } | { ok: false; error: string };

export interface StrictJsonOptions {
	/** Deepest nesting accepted (default 64). */
	maxDepth?: number;
	/** Objects without a prototype (default false). */
	nullPrototype?: boolean;
}

export const DEFAULT_MAX_JSON_DEPTH = 64;

export function parseStrictJson(text: string, options: StrictJsonOptions = {}): ParseResult {
	try {
		return { ok: true, value: parseJsonStrictly(text, options) };
	} catch (error) {
		if (error instanceof JsonSyntaxError) return { ok: false, error: error.message };
		throw error;
	}
}

/** The parsed value, or a JsonSyntaxError that says what is wrong and where. */
export function parseJsonStrictly(text: string, options: StrictJsonOptions = {}): Parsed {
	const reader = new Reader(text, { maxDepth: options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH, nullPrototype: options.nullPrototype ?? false });
	reader.whitespace();
	const value = reader.value(0);
	reader.whitespace();
	if (!reader.done()) reader.fail('unexpected text after the JSON value');
	return value;
}

export class JsonSyntaxError extends Error {}

class Reader {
	private at = 0;

	constructor(
		private readonly text: string,
		private readonly options: Required<StrictJsonOptions>,
	) {}

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
		if (depth > this.options.maxDepth) this.fail(`nested deeper than ${this.options.maxDepth} levels`);
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
		const result = (this.options.nullPrototype ? Object.create(null) : {}) as { [key: string]: Parsed };
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
			// defineProperty: "__proto__" stays an own, plain key on an ordinary object too.
			Object.defineProperty(result, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
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
