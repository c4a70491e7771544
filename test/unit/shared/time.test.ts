import { isRfc3339, parseTimestamp } from '../../../src/shared/time';

// One grammar for the gate's policy times and Alertmanager's webhook times.
describe('one RFC 3339 grammar', () => {
	test.each([
		['2026-01-01T12:00Z', Date.UTC(2026, 0, 1, 12)],
		['2026-01-01t12:00:00z', Date.UTC(2026, 0, 1, 12)],
		['2026-01-01T14:00:00.123456789012+02:00', Date.UTC(2026, 0, 1, 12, 0, 0, 123)],
		['2016-12-31T23:59:60Z', Date.UTC(2017, 0, 1)],
		['0001-01-01T00:00:00Z', -62135596800000],
	])('%s is %d', (text, millis) => expect(parseTimestamp(text)).toBe(millis));

	test.each(['2026-01-01T12Z', '2026-01-01T12:00', '2026-02-30T00:00:00Z', '2026-01-01T12:00:61Z', '2026-01-01T12:00:00+24:00', '1767268800', ' 2026-01-01T12:00:00Z'])(
		'%s is refused by both readers',
		(text) => {
			expect(parseTimestamp(text)).toBeNull();
			expect(isRfc3339(text)).toBe(false);
		},
	);
});
