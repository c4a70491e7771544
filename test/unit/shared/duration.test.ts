import { durationSeconds, parseDuration } from '../../../src/shared/duration';

// One grammar: what the forecast options took (sec, min, any case) and what Prometheus took (ms, y) are both read everywhere.
test.each([
	['90sec', 90],
	['2min', 120],
	['1H30M', 5400],
	['250ms', 0.25],
	['1y', 31_536_000],
	['1h1min1sec', 3661],
])('%s is %d seconds for every reader', (text, seconds) => {
	expect(durationSeconds(text)).toBe(seconds);
	expect(parseDuration(text)).toBe(seconds);
});

test('a bare number is seconds only where Prometheus reads it; 0 is a duration but never a positive one', () => {
	expect(durationSeconds('90')).toBeNull();
	expect(parseDuration('90')).toBe(90);
	expect(durationSeconds('0s')).toBe(0);
	expect(() => parseDuration('0s', '--step')).toThrow(/^Invalid --step "0s"/);
});

test.each(['5mins', '5 m', '1.m', 'ms', '5mm', '1e3s', '-1s', '5m-'])('"%s" is refused', (text) => {
	expect(durationSeconds(text)).toBeNull();
	expect(() => parseDuration(text)).toThrow(/use a positive Prometheus duration/);
});
