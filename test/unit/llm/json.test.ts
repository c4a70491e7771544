import { extractJson, parseStrictJson } from '../../../src/llm';

describe('parseStrictJson', () => {
	it('reads what JSON.parse reads', () => {
		const text = '{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}}';
		expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
	});

	it.each([
		['{"replicas": 5, "replicas": 500}', /duplicate key "replicas" at position 16/],
		['{"replicas": NaN}', /unexpected word "NaN"/],
		['{"replicas": Infinity}', /unexpected word "Infinity"/],
		['{"replicas": 012}', /expected "," or "}"/],
		['{"a": 1,}', /expected a quoted property name/],
		['{\'a\': 1}', /expected a quoted property name/],
		['{"a": 1} trailing', /unexpected text after the JSON value/],
		['{"action": "scale", "replicas": 12, "reason": "Traffic is ri', /unterminated string/],
		['{"a": "\u0001"}', /control character inside a string/],
		['', /unexpected end of text/],
		[`${'['.repeat(40)}${']'.repeat(40)}`, /nested deeper than 32 levels/],
	])('refuses %s', (text, error) => {
		const result = parseStrictJson(text);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.error).toMatch(error);
	});

	it('treats __proto__ as an ordinary key without touching prototypes', () => {
		const result = parseStrictJson('{"__proto__": {"polluted": true}}');
		expect(result.ok).toBe(true);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		if (result.ok) expect(Object.keys(result.value as object)).toEqual(['__proto__']);
	});
});

describe('extractJson', () => {
	it('takes a bare object as is', () => {
		expect(extractJson('  {"a":1}\n')).toEqual({ ok: true, json: '{"a":1}', wrapped: false });
	});

	it('takes the content of one ```json fenced block, prose around it included', () => {
		expect(extractJson('Here you go:\n```json\n{"a":1}\n```\nThanks')).toEqual({ ok: true, json: '{"a":1}', wrapped: true });
		expect(extractJson('```\n{"a":1}\n```')).toEqual({ ok: true, json: '{"a":1}', wrapped: true });
	});

	it('skips a leading <think> section from reasoning models', () => {
		expect(extractJson('<think>\nThe forecast says {"x": 2}\n</think>\n\n{"a":1}')).toEqual({ ok: true, json: '{"a":1}', wrapped: false });
	});

	it('refuses to choose between two fenced blocks', () => {
		expect(extractJson('```json\n{"replicas":5}\n```\nor\n```json\n{"replicas":500}\n```')).toEqual({
			ok: false,
			error: 'the answer has 2 fenced code blocks; expected one JSON object',
		});
	});
});
