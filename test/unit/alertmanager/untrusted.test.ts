import { DEFAULT_MAX_ALERTS, equalityMatcher, readNotification } from '../../../src/alertmanager';
import { fixture, fixtureText } from './fixtures';

/* Alert content is data: label rules, bounds, duplicate keys and depth, all answered as a 400 reason. */

const json = 'application/json';

function reason(result: ReturnType<typeof readNotification>): string {
	if (result.ok) throw new Error('expected a rejection');
	return result.rejection.reason;
}

function withLabels(labels: Record<string, string>): Buffer {
	const body = fixture('firing') as { alerts: Array<{ labels: Record<string, string> }> };
	body.alerts[0].labels = { ...body.alerts[0].labels, ...labels };
	return Buffer.from(JSON.stringify(body));
}

describe('label rules (default: namespace, service, region are DNS-1123 labels)', () => {
	test.each([
		['service', 'checkout"} or vector(1) or x{a="'],
		['namespace', '..'],
		['region', 'us-east\n'],
		['service', 'Checkout'],
		['namespace', 'a'.repeat(64)],
		['region', ''],
	])('%s=%j is refused naming the label', (label, value) => {
		expect(reason(readNotification({ contentType: json, rawBody: withLabels({ [label]: value }) }))).toMatch(new RegExp(`^alerts\\[0\\]\\.labels\\.${label}: label "${label}" is .* which is not a Kubernetes DNS-1123 label`));
	});

	test('ordinary values pass; rules are configurable; "any" and an empty list check nothing', () => {
		expect(readNotification({ contentType: json, rawBody: withLabels({ service: 'checkout', namespace: 'shop', region: 'us-east-1' }) }).ok).toBe(true);
		const odd = withLabels({ service: 'Checkout_V2' });
		expect(readNotification({ contentType: json, rawBody: odd }, { labelRules: [{ label: 'service', format: 'any' }] }).ok).toBe(true);
		expect(readNotification({ contentType: json, rawBody: odd }, { labelRules: [] }).ok).toBe(true);
		expect(reason(readNotification({ contentType: json, rawBody: withLabels({ team: 'a b' }) }, { labelRules: [{ label: 'team', format: 'pattern', pattern: '[a-z]+' }] }))).toMatch(/label "team" is "a b", which is not the pattern "\[a-z\]\+"/);
	});
});

describe('bounds', () => {
	test('more alerts than the limit: refused before validation', () => {
		const body = fixture('firing') as { alerts: unknown[] };
		body.alerts = Array.from({ length: DEFAULT_MAX_ALERTS + 1 }, () => body.alerts[0]);
		expect(reason(readNotification({ contentType: json, rawBody: Buffer.from(JSON.stringify(body)), maxBodyBytes: 10_000_000 }))).toBe(`alerts: has ${DEFAULT_MAX_ALERTS + 1} alerts, over the limit of ${DEFAULT_MAX_ALERTS}`);
		expect(reason(readNotification({ contentType: json, rawBody: Buffer.from(fixtureText('firing')) }, { maxAlerts: 1 }))).toBe('alerts: has 2 alerts, over the limit of 1');
	});

	test('a very deep body is a 400 reason, with or without the raw bytes, never a crash', () => {
		const depth = 100_000;
		const raw = `${'['.repeat(depth)}${']'.repeat(depth)}`;
		expect(reason(readNotification({ contentType: json, rawBody: Buffer.from(raw) }))).toMatch(/^body: is not valid JSON \(nested deeper than 16 levels at position \d+\)/);
		let deep: unknown = {};
		for (let i = 0; i < depth; i++) deep = { a: deep };
		expect(reason(readNotification({ contentType: json, parsedBody: deep }))).toBe('body: is not valid JSON (nested deeper than 16 levels)');
	});

	test('duplicate keys in the raw bytes are refused, even when a server already parsed them', () => {
		const text = fixtureText('firing').replace('"status": "firing"', '"status": "firing", "status": "resolved"');
		expect(text).not.toBe(fixtureText('firing'));
		expect(reason(readNotification({ contentType: json, rawBody: Buffer.from(text), parsedBody: JSON.parse(text) }))).toMatch(/^body: is not valid JSON \(duplicate key "status" at position \d+\)/);
	});
});

test('Alertmanager matchers are quoted and escaped', () => {
	expect(equalityMatcher('service', 'a"b\\c\nd')).toBe('service="a\\"b\\\\c\\nd"');
	expect(() => equalityMatcher('bad name', 'x')).toThrow(/is not a label name/);
});
