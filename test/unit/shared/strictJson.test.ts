import { parsePatchBody } from '../../../src/kubernetes';
import { parseJsonStrictly, parseStrictJson } from '../../../src/shared/strictJson';

/* One strict JSON reader for text from outside: duplicate keys refused, depth bounded, __proto__ inert. */

test('duplicate keys are refused with the key and the position, in any object', () => {
	expect(parseStrictJson('{"replicas":5,"replicas":8}')).toEqual({ ok: false, error: 'duplicate key "replicas" at position 14' });
	expect(parseStrictJson('{"a":{"b":1,"b":2}}').ok).toBe(false);
	expect(parseStrictJson('[{"b":1},{"b":2}]')).toEqual({ ok: true, value: [{ b: 1 }, { b: 2 }] });
});

test('depth is bounded: deep input is an error, never a stack overflow', () => {
	const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
	expect(parseStrictJson(deep, { maxDepth: 64 })).toEqual({ ok: false, error: 'nested deeper than 64 levels at position 65' });
});

test('"__proto__" is a plain own key, not a prototype', () => {
	const value = parseJsonStrictly('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
	expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
	expect(Object.keys(value)).toEqual(['__proto__']);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('a Kubernetes Patch body with a duplicate key is refused', () => {
	expect(() => parsePatchBody('{"spec":{"replicas":5,"replicas":500}}')).toThrow(/Patch is not valid JSON: duplicate key "replicas"/);
});
