import { STATE_ANNOTATION, errorText, parseStateAnnotation, resolveOutcome } from '../../../src/kubernetes';
import type { Verdict } from '../../../src/policy';

/** The pure parts of the lock and record steps: outcomes, the stored state. */

const verdict = (decision: Verdict['decision']) => ({ decision }) as Verdict;
const where = { namespace: 'shop', name: 'kube-ops-scaling-web' };
const lease = (value: string) => ({ metadata: { name: where.name, annotations: { [STATE_ANNOTATION]: value } } });

describe('resolveOutcome', () => {
	test.each([
		['auto', {}, 'apply', 'applied'],
		['auto', { error: 'Forbidden' }, 'apply', 'failed'],
		['auto', { error: { message: 'boom' } }, 'hold', 'failed'],
		['auto', { dryRun: true }, 'apply', 'notApplied'],
		['auto', {}, 'hold', 'notApplied'],
		['auto', {}, 'reject', 'notApplied'],
		['auto', {}, 'approve', 'notApplied'],
		// An approval written on the item is not an approval: only the gate, run again with an authenticated one, issues apply.
		['auto', { approval: { approved: true, by: 'jane' } }, 'approve', 'notApplied'],
		['auto', { approval: { approved: false, by: 'jane' } }, 'approve', 'notApplied'],
		['failed', {}, 'apply', 'failed'],
		['notApplied', {}, 'apply', 'notApplied'],
	] as const)('%s with %j and a %s verdict: %s', (choice, item, decision, expected) => {
		expect(resolveOutcome(choice, item, verdict(decision))).toBe(expected);
	});

	test('applied or failed for a verdict nothing may act on is refused', () => {
		expect(() => resolveOutcome('applied', {}, verdict('hold'))).toThrow('Refusing to record outcome applied for a hold verdict: nothing may act on it');
		expect(() => resolveOutcome('failed', {}, verdict('approve'))).toThrow('Refusing to record outcome failed for a approve verdict: nothing may act on it');
	});
});

test('errorText reads what n8n and Continue On Fail put on an item', () => {
	expect(errorText({})).toBeUndefined();
	expect(errorText({ error: '' })).toBeUndefined();
	expect(errorText({ error: 'Forbidden: cannot patch' })).toBe('Forbidden: cannot patch');
	expect(errorText({ error: { message: 'timeout' } })).toBe('timeout');
	expect(errorText({ error: { code: 7 } })).toBe('{"code":7}');
});

describe('parseStateAnnotation', () => {
	test('absent or empty is the first run', () => {
		expect(parseStateAnnotation(undefined, where)).toEqual({});
		expect(parseStateAnnotation({ metadata: {} }, where)).toEqual({});
		expect(parseStateAnnotation(lease(' '), where)).toEqual({});
	});

	test('a JSON object is the state', () => {
		expect(parseStateAnnotation(lease('{"consecutiveErrors":3}'), where)).toEqual({ consecutiveErrors: 3 });
	});

	test.each([
		['{"consecutiveErrors":', /is not valid JSON/],
		['[1,2]', /it is an array, not a JSON object: \[1,2\]$/],
		['null', /it is null, not a JSON object/],
		['"x"', /it is a string, not a JSON object/],
	])('%s is an error naming the Lease, never an empty state', (value, message) => {
		expect(() => parseStateAnnotation(lease(value), where)).toThrow(message);
		expect(() => parseStateAnnotation(lease(value), where)).toThrow(/^The loop state in annotation kube-ops\.io\/state of Lease "kube-ops-scaling-web" in namespace "shop" is unreadable: /);
	});
});
