import { calendarSeasons, detectSeasons } from '../../../src/forecast/seasonality';
import { nycTaxi } from './fixtures';
import { gaussian, seededRandom, syntheticTraffic } from './synthetic';

describe('calendar seasons at any sampling interval', () => {
	test.each([
		[300, [288, 2016]],
		[60, [1440, 10080]],
		[1800, [48, 336]],
		[3600, [24, 168]],
		[86_400, [7]],
		[7 * 86_400, []],
	])('%i s interval gives %j', (interval, periods) => {
		expect(calendarSeasons(interval).map((s) => s.period)).toEqual(periods);
	});
});

describe('detectSeasons on synthetic series', () => {
	test('daily cycle at 5 minutes over 3 days: 288, no weekly test yet', () => {
		const { v } = syntheticTraffic({ length: 288 * 3, dailyAmplitude: 30, noise: 5 });
		const report = detectSeasons(v, 300);
		expect(report.seasons).toEqual([288]);
		expect(report.tests[1].note).toMatch(/not tested: 864 points, a weekly cycle needs at least 4032/);
	});

	test('daily and weekend cycle at 5 minutes over 3 weeks: 288 and 2016', () => {
		const { v } = syntheticTraffic({ length: 2016 * 3, dailyAmplitude: 30, weeklyAmplitude: 25, noise: 5 });
		expect(detectSeasons(v, 300).seasons).toEqual([288, 2016]);
	});

	test('a daily cycle alone over 3 weeks is not mistaken for a weekly one', () => {
		const { v } = syntheticTraffic({ length: 2016 * 3, dailyAmplitude: 30, noise: 5, trendPerStep: 0.002 });
		expect(detectSeasons(v, 300).seasons).toEqual([288]);
	});

	test('hourly data: 24 and 168', () => {
		const { v } = syntheticTraffic({ length: 24 * 7 * 5, intervalSeconds: 3600, dailyAmplitude: 10, weeklyAmplitude: 8, noise: 2 });
		expect(detectSeasons(v, 3600).seasons).toEqual([24, 168]);
	});

	test('white noise and a random walk have no season', () => {
		const normal = gaussian(seededRandom(11));
		const noise = Array.from({ length: 2000 }, () => 50 + normal());
		let level = 0;
		const walk = Array.from({ length: 2000 }, () => (level += normal()));
		expect(detectSeasons(noise, 300).seasons).toEqual([]);
		expect(detectSeasons(walk, 300).seasons).toEqual([]);
	});

	test('gaps do not hide a season', () => {
		const { v } = syntheticTraffic({ length: 288 * 4, dailyAmplitude: 30, noise: 5 });
		const holed = v.map((x, i) => (i % 7 === 0 || (i > 400 && i < 460) ? NaN : x));
		expect(detectSeasons(holed, 300).seasons).toEqual([288]);
	});
});

describe('detectSeasons on a real series', () => {
	test('NYC taxi at 30 minutes has a daily and a weekly cycle', () => {
		const report = detectSeasons(nycTaxi().v as number[], 1800);
		expect(report.seasons).toEqual([48, 336]);
		expect(report.tests.every((t) => t.autocorrelation! > t.threshold!)).toBe(true);
	});

	test('two weeks of NYC taxi: the weekly cycle needs more history than that', () => {
		const report = detectSeasons((nycTaxi().v as number[]).slice(0, 600), 1800);
		expect(report.seasons).toEqual([48]);
	});
});
