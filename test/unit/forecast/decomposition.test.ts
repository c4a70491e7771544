import { mstl } from '../../../src/forecast/decomposition/mstl';
import { stl } from '../../../src/forecast/decomposition/stl';
import { nycTaxi } from './fixtures';
import { gaussian, seededRandom } from './synthetic';

/** First two weeks of NYC taxi at 30 minutes; reference values from R 4 stats::stl(ts(x, frequency = 48), ...). */
const taxi = (nycTaxi().v as number[]).slice(0, 672);
const AT = [0, 99, 335, 671];

describe('STL against R stats::stl', () => {
	test('s.window = 7', () => {
		const result = stl(taxi, { period: 48, seasonalWindow: 7 });
		const seasonal = [-1095.92415734872, -5642.30061278175, 96.1462467880291, 3678.62358851439];
		const trend = [14396.4852923575, 15176.7341583532, 13944.5497999243, 16205.3188709816];
		AT.forEach((i, k) => {
			expect(result.seasonal[i]).toBeCloseTo(seasonal[k], 6);
			expect(result.trend[i]).toBeCloseTo(trend[k], 6);
		});
	});

	test('s.window = "periodic"', () => {
		const result = stl(taxi, { period: 48, seasonalWindow: 'periodic' });
		const seasonal = [988.422220578218, -4841.58123466231, 2650.96430405379, 2650.96430405379];
		const trend = [13282.5918044808, 14943.4155942008, 13574.0787302157, 16171.500779683];
		AT.forEach((i, k) => {
			expect(result.seasonal[i]).toBeCloseTo(seasonal[k], 6);
			expect(result.trend[i]).toBeCloseTo(trend[k], 6);
		});
	});

	test('one robustness pass (outer = 1, inner = 1)', () => {
		const result = stl(taxi, { period: 48, seasonalWindow: 7, outerIterations: 1, innerIterations: 1 });
		const seasonal = [-1098.09615379137, -5235.0722689718, 145.296013318922, 6155.27633221475];
		AT.forEach((i, k) => expect(result.seasonal[i]).toBeCloseTo(seasonal[k], 6));
	});

	test('robust = TRUE (15 passes) agrees within 0.5 % of the daily swing', () => {
		const result = stl(taxi, { period: 48, seasonalWindow: 7, outerIterations: 15 });
		const seasonal = [-3348.08737831743, -1593.4731030692, -616.38231770632, 5277.05142978479];
		AT.forEach((i, k) => expect(Math.abs(result.seasonal[i] - seasonal[k])).toBeLessThan(0.005 * 20000));
	});
});

describe('gaps and outliers in the decomposition', () => {
	test('gaps get zero weight: components barely move and the gap is not read as zero', () => {
		const full = stl(taxi, { period: 48, seasonalWindow: 7 });
		const dailySwing = Math.max(...taxi) - Math.min(...taxi);
		const holed = taxi.map((v, i) => (i >= 300 && i < 324 ? NaN : v));
		const result = stl(holed, { period: 48, seasonalWindow: 7 });
		for (let i = 300; i < 324; i++) {
			const filled = result.seasonal[i] + result.trend[i];
			expect(Math.abs(filled - (full.seasonal[i] + full.trend[i]))).toBeLessThan(0.15 * dailySwing);
			expect(filled).toBeGreaterThan(1000);
			expect(Number.isNaN(result.remainder[i])).toBe(true);
			expect(result.weights[i]).toBe(0);
		}
	});

	test('robust passes reject a burst that the plain fit absorbs', () => {
		const noise = gaussian(seededRandom(3));
		const y = Array.from({ length: 480 }, (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 24) + 3 * noise());
		for (let i = 200; i < 203; i++) y[i] += 500;
		const robust = stl(y, { period: 24, seasonalWindow: 7, outerIterations: 5 });
		const plain = stl(y, { period: 24, seasonalWindow: 7 });
		expect(robust.weights[201]).toBe(0);
		expect(Math.abs(robust.trend[201] - 100)).toBeLessThan(3);
		expect(Math.abs(plain.trend[201] - 100)).toBeGreaterThan(Math.abs(robust.trend[201] - 100));
	});

	test('MSTL separates a daily and a weekly cycle', () => {
		const n = 24 * 7 * 6;
		const daily = (i: number): number => 10 * Math.sin((2 * Math.PI * i) / 24);
		const weekly = (i: number): number => (Math.floor(i / 24) % 7 >= 5 ? -15 : 6);
		const y = Array.from({ length: n }, (_, i) => 200 + daily(i) + weekly(i));
		const result = mstl(y, [168, 24]);
		expect(result.seasons).toEqual([24, 168]);
		const mid = 24 * 7 * 3 + 30;
		expect(result.seasonals[0][mid]).toBeCloseTo(daily(mid), 0);
		const weeklyMean = (6 * 5 - 15 * 2) / 7;
		expect(result.seasonals[1][mid] + result.trend[mid] - 200).toBeCloseTo(weekly(mid) - weeklyMean + weeklyMean, -1);
	});
});
