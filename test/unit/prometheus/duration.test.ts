import { formatDuration, parseDuration, parseTime } from '../../../src/shared/duration';

describe('parseDuration', () => {
	test.each([
		['30s', 30],
		['5m', 300],
		['1h30m', 5400],
		['14d', 1_209_600],
		['2w', 1_209_600],
		['1y', 31_536_000],
		['500ms', 0.5],
		['90', 90],
		[' 6h ', 21_600],
	])('%s is %d seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

	test.each(['', '0s', '-5m', '5 m', '14 days', '1h30', 'm5', 'abc', '0'])('"%s" is refused with examples', (text) => {
		expect(() => parseDuration(text, 'step')).toThrow(/^Invalid step ".*": use a positive Prometheus duration such as 30s, 5m, 1h30m, 14d or 2w$/);
	});
});

test('formatDuration renders exact compound durations', () => {
	expect(formatDuration(5400)).toBe('1h30m');
	expect(formatDuration(1_209_600)).toBe('2w');
	expect(formatDuration(45)).toBe('45s');
	expect(formatDuration(0.25)).toBe('250ms');
	expect(formatDuration(0)).toBe('0s');
	for (const s of [1, 59, 61, 3599, 86_401, 999_999]) expect(parseDuration(formatDuration(s))).toBe(s);
});

describe('parseTime', () => {
	const now = 1_700_000_000;
	test.each([
		['now', now],
		['', now],
		['now-1h', now - 3600],
		['now - 15m', now - 900],
		['1699990000', 1_699_990_000],
		['1699990000.5', 1_699_990_000.5],
		['2023-11-14T22:13:20Z', 1_700_000_000],
		['2023-11-14T23:13:20+01:00', 1_700_000_000],
	])('%s', (text, expected) => expect(parseTime(text, now)).toBe(expected));

	test('numbers and dates pass through', () => {
		expect(parseTime(42, now)).toBe(42);
		expect(parseTime(new Date(1_000_000), now)).toBe(1000);
	});

	test.each(['yesterday', 'now+1h', '2023-13-45', 'now-1 hour'])('"%s" is refused with the accepted forms', (text) => {
		expect(() => parseTime(text, now, 'start')).toThrow(/^Invalid (start|start ".*": use a positive)/);
	});
});
