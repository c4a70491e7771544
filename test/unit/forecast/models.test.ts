import { backtestOrigins, fitAndPredict, runBacktests } from '../../../src/forecast/backtest';
import { candidateModels } from '../../../src/forecast/candidates';
import { mstlEts, mstlTheta } from '../../../src/forecast/models/decompositionModel';
import { fitAutoEts, simpleExponentialSmoothing } from '../../../src/forecast/models/exponentialSmoothing';
import { logTransformed } from '../../../src/forecast/models/logTransformed';
import { seasonalNaive } from '../../../src/forecast/models/seasonalNaive';
import { seasonalAr } from '../../../src/forecast/models/seasonalAr';
import { fitTheta } from '../../../src/forecast/models/theta';

describe('seasonal naive', () => {
	test('repeats the last cycle; with no season, the last value', () => {
		const y = Float64Array.from([1, 2, 3, 4, 5, 6, 7]);
		expect(Array.from(seasonalNaive().fit(y, [3])!.predict(5))).toEqual([5, 6, 7, 5, 6]);
		expect(Array.from(seasonalNaive().fit(y, [])!.predict(2))).toEqual([7, 7]);
	});
});

describe('seasonal autoregression', () => {
	test('on a daily cycle with one busy weekday, the weekly variant learns the week-ago lag the daily one lacks', () => {
		const value = (i: number) => 100 + 30 * Math.sin((2 * Math.PI * i) / 24) + (Math.floor(i / 24) % 7 === 6 ? 40 : 0);
		const y = Float64Array.from({ length: 24 * 35 }, (_, i) => value(i));
		const future = Array.from({ length: 48 }, (_, h) => value(y.length + h));
		const error = (f: Float64Array) => Math.max(...future.map((v, h) => Math.abs(v - f[h])));
		const daily = seasonalAr().fit(y, [24, 168])!.predict(48);
		const weekly = seasonalAr({ weekly: true }).fit(y, [24, 168])!.predict(48);
		// The daily lags alone cannot know the next day is the busy one; the week-ago lag brings most of it (the ridge keeps a little back).
		expect(error(daily)).toBeGreaterThan(30);
		expect(error(weekly)).toBeLessThan(0.4 * error(daily));
	});

	test('declines without a cycle of at least 4 steps, on too little history, and the weekly variant on under three weeks', () => {
		const y = Float64Array.from({ length: 24 * 14 }, (_, i) => 10 + (i % 24));
		expect(seasonalAr().fit(y, [])).toBeNull();
		expect(seasonalAr().fit(y, [3])).toBeNull();
		expect(seasonalAr().fit(y.subarray(0, 60), [24])).toBeNull();
		expect(seasonalAr({ weekly: true }).fit(y, [24])).toBeNull();
		expect(seasonalAr().fit(y, [24])).not.toBeNull();
	});

	test('a constant series (singular without the ridge) gives finite forecasts at its level', () => {
		const y = new Float64Array(24 * 10).fill(7);
		const forecast = seasonalAr().fit(y, [24])!.predict(30);
		forecast.forEach((v) => expect(v).toBeCloseTo(7, 1));
	});
});

describe('exponential smoothing', () => {
	test('simple exponential smoothing, known values by hand', () => {
		// alpha 0.5 from level 10: 10 -> 11 -> 10.5 -> 12.25; SSE = 4 + 1 + 12.25.
		const fit = simpleExponentialSmoothing([12, 10, 14], 0.5, 10);
		expect(fit.level).toBeCloseTo(12.25, 12);
		expect(Array.from(fit.predict(2))).toEqual([12.25, 12.25]);
	});

	test('a straight line is picked up by the damped trend', () => {
		const y = Array.from({ length: 100 }, (_, i) => 3 + 2 * i);
		const fit = fitAutoEts(y);
		expect(fit.form).toBe('damped-holt');
		expect(fit.predict(1)[0]).toBeGreaterThan(199);
	});
});

describe('Theta', () => {
	test('forecast = SES level + half the OLS slope times (h - 1 + 1/alpha - (1 - alpha)^n / alpha)', () => {
		const y = Array.from({ length: 50 }, (_, i) => 10 + 0.8 * i + (i % 2 ? 1 : -1));
		const fit = fitTheta(y);
		const offset = 1 / fit.alpha - (1 - fit.alpha) ** y.length / fit.alpha;
		expect(fit.drift).toBeCloseTo(0.4, 2);
		fit.predict(3).forEach((value, k) => expect(value).toBeCloseTo(fit.level + fit.drift * (k + offset), 10));
	});
});

describe('decomposition models (MSTL + ETS / Theta)', () => {
	test('two seasons and a level are continued almost exactly', () => {
		const daily = (i: number): number => 10 * Math.sin((2 * Math.PI * i) / 24);
		const weekly = (i: number): number => (Math.floor(i / 24) % 7 >= 5 ? -12 : 5);
		const y = Float64Array.from({ length: 24 * 7 * 5 }, (_, i) => 300 + daily(i) + weekly(i));
		for (const model of [mstlEts(), mstlTheta()]) {
			const forecast = model.fit(y, [24, 168])!.predict(48);
			forecast.forEach((value, h) => expect(Math.abs(value - (300 + daily(y.length + h) + weekly(y.length + h)))).toBeLessThan(1.5));
		}
	});

	test('a season without two full cycles of history makes the model decline', () => {
		expect(mstlEts().fit(new Float64Array(300).fill(1), [24, 168])).toBeNull();
	});
});

describe('log transform', () => {
	test('declines non-positive histories and back-transforms forecasts', () => {
		const model = logTransformed(seasonalNaive());
		expect(model.fit(Float64Array.from([1, 0, 2]), [])).toBeNull();
		expect(model.fit(Float64Array.from([1, 4, 2]), [])!.predict(1)[0]).toBeCloseTo(2, 12);
	});
});

describe('candidate pool and rolling-origin refits', () => {
	test('the pool has the mean-reverting SARIMA orders on the shortest season, raw and on log values', () => {
		const names = candidateModels([24, 168], true).map((c) => c.name);
		for (const order of ['(1,0,1)(0,1,1)', '(2,0,0)(0,1,1)', '(3,0,0)(0,1,1)']) {
			expect(names).toContain(`sarima${order}[24]`);
			expect(names).toContain(`log-sarima${order}[24]`);
		}
		expect(candidateModels([24], false).some((c) => c.name.startsWith('log-'))).toBe(false);
	});

	test('later origins re-estimate from the previous fit; the newest fit is kept to start the final one', () => {
		const history = Float64Array.from({ length: 24 * 20 }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13) / 4);
		const origins = backtestOrigins(history.length, 24, 4, 24, 48);
		expect(origins).toHaveLength(4);
		expect(origins[1] - origins[0]).toBe(12);
		const candidate = candidateModels([24], true).find((c) => c.name === 'sarima(2,0,0)(0,1,1)[24]')!;
		const [refitted] = runBacktests(history, [candidate], origins, 24, true);
		const [carried] = runBacktests(history, [candidate], origins, 24, false);
		expect(refitted.forecasts).toHaveLength(4);
		expect(refitted.last).not.toBe(refitted.first);
		// Without refits the newest origin still filters the newest data, with the oldest origin's parameters.
		expect(carried.forecasts[3]).not.toEqual(refitted.forecasts[3]);
		const final = fitAndPredict(candidate, history, 24, refitted.last)!;
		const cold = fitAndPredict(candidate, history, 24)!;
		final.forEach((v, h) => expect(Math.abs(v - cold[h])).toBeLessThan(0.5));
	});
});
