import { createHash } from 'node:crypto';

import * as fc from 'fast-check';

import { dedupeKey, normalise, validatePayload } from '../../../src/alertmanager';
import { canonicalJson } from '../../../src/shared/hash';
import { fixture } from './fixtures';

function keyOf(body: unknown): string {
	const result = validatePayload(body);
	if (!result.ok) throw new Error(result.rejection.reason);
	return normalise(result.value).dedupeKey;
}

const firing = () => fixture('firing');

test('the key is sha256 of the canonical JSON of { groupKey, status, firing }, as documented', () => {
	const body = firing();
	const fingerprints = body.alerts.map((a: { fingerprint: string }) => a.fingerprint).sort();
	const canonical = `{"firing":${JSON.stringify(fingerprints)},"groupKey":${JSON.stringify(body.groupKey)},"status":"firing"}`;
	expect(canonicalJson({ groupKey: body.groupKey, status: 'firing', firing: fingerprints })).toBe(canonical);
	expect(keyOf(body)).toBe(`sha256:${createHash('sha256').update(canonical).digest('hex')}`);
});

test('a re-sent identical notification has the same key, whatever the order of alerts, times or annotations', () => {
	const first = firing();
	const again = firing();
	again.alerts.reverse();
	again.alerts[0].startsAt = '2030-01-01T00:00:00Z';
	again.alerts[0].annotations = { summary: 'changed text' };
	again.truncatedAlerts = 0;
	expect(keyOf(again)).toBe(keyOf(first));
});

test('a new alert joining the group changes the key', () => {
	const joined = firing();
	joined.alerts.push({ ...joined.alerts[0], labels: { ...joined.alerts[0].labels, region: 'eu-west' }, fingerprint: 'aaaaaaaaaaaaaaaa' });
	expect(keyOf(joined)).not.toBe(keyOf(firing()));
});

test('firing, partly resolved and resolved notifications of one group all differ', () => {
	const keys = [keyOf(fixture('firing')), keyOf(fixture('mixed')), keyOf(fixture('resolved'))];
	expect(new Set(keys).size).toBe(3);
});

test('the same fingerprints resolved instead of firing give another key', () => {
	expect(dedupeKey('g', 'firing', ['a'])).not.toBe(dedupeKey('g', 'resolved', ['a']));
	expect(dedupeKey('g1', 'firing', ['a'])).not.toBe(dedupeKey('g2', 'firing', ['a']));
});

test('property: order and duplicates of fingerprints never matter; the set always does', () => {
	fc.assert(
		fc.property(fc.string(), fc.constantFrom('firing' as const, 'resolved' as const), fc.uniqueArray(fc.string(), { minLength: 1 }), (groupKey, status, fps) => {
			const key = dedupeKey(groupKey, status, fps);
			expect(dedupeKey(groupKey, status, [...fps].reverse())).toBe(key);
			expect(dedupeKey(groupKey, status, [...fps, fps[0]])).toBe(key);
			expect(dedupeKey(groupKey, status, fps.slice(1))).not.toBe(key);
		}),
	);
});

test('canonical JSON sorts keys at every level and drops undefined', () => {
	expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
});
