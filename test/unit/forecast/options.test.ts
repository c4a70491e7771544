import { parseHorizon, parseQuantiles, parseSeasons } from '../../../src/forecast/options';
import { durationSeconds } from '../../../src/shared/duration';

describe('command-line option parsing', () => {
	test('durations', () => {
		expect(durationSeconds('90m')).toBe(5400);
		expect(durationSeconds('1h30m')).toBe(5400);
		expect(durationSeconds('2d')).toBe(172_800);
		expect(durationSeconds('300s')).toBe(300);
		expect(durationSeconds('12')).toBeNull();
	});

	test('horizon in steps or as a duration rounded up to whole steps', () => {
		expect(parseHorizon('48', 300)).toBe(48);
		expect(parseHorizon('4h', 300)).toBe(48);
		expect(parseHorizon('1h', 3600)).toBe(1);
		expect(parseHorizon('7m', 300)).toBe(2);
		expect(() => parseHorizon('soon', 300)).toThrow(/neither a number of steps nor a duration/);
		expect(() => parseHorizon('0', 300)).toThrow(/at least 1/);
	});

	test('seasons and quantiles', () => {
		expect(parseSeasons('auto')).toBe('auto');
		expect(parseSeasons('288,2016')).toEqual([288, 2016]);
		expect(() => parseSeasons('1')).toThrow();
		expect(parseQuantiles('0.5,0.9,0.99')).toEqual([0.5, 0.9, 0.99]);
		expect(() => parseQuantiles('0.5,1')).toThrow(/strictly between 0 and 1/);
	});
});
