import { forecast } from '../../../src/forecast/forecast';
import type { ForecastResult, Series } from '../../../src/forecast/types';
import { syntheticTraffic } from './synthetic';

const FIVE_MINUTES = 300;

function traffic(days: number, seed = 1): Series {
	return syntheticTraffic({ length: 288 * days, dailyAmplitude: 40, noise: 4, level: 120, seed });
}

function expectForecast(outcome: ReturnType<typeof forecast>): ForecastResult {
	if (outcome.kind !== 'forecast') throw new Error(`expected a forecast, got: ${outcome.reason}`);
	return outcome;
}

describe('NoForecast reasons an SRE can act on', () => {
	test('empty series', () => {
		const outcome = forecast({ t: [], v: [] }, { horizon: 12 });
		expect(outcome).toMatchObject({ kind: 'no-forecast', reason: 'no data: the series is empty' });
	});

	test('every value missing', () => {
		const outcome = forecast({ t: [0, 300, 600], v: [null, NaN, null] }, { horizon: 12 });
		expect(outcome).toMatchObject({ kind: 'no-forecast', reason: 'no data: all 3 values are missing' });
	});

	test('constant series', () => {
		const t = Array.from({ length: 2000 }, (_, i) => i * FIVE_MINUTES);
		const outcome = forecast({ t, v: t.map(() => 7) }, { horizon: 12 });
		expect(outcome.kind).toBe('no-forecast');
		if (outcome.kind === 'no-forecast') expect(outcome.reason).toMatch(/^series is constant at 7 over 2000 points/);
	});

	test('history too short for two daily cycles', () => {
		const { t, v } = traffic(1);
		const outcome = forecast({ t: t.slice(0, 30), v: v.slice(0, 30) }, { horizon: 12 });
		expect(outcome).toMatchObject({
			kind: 'no-forecast',
			reason: 'history too short: 30 points, need at least 588 (2 daily cycles of 288 points plus a 12-step backtest window)',
		});
	});

	test('given seasons set the bar', () => {
		const { t, v } = traffic(3);
		const outcome = forecast({ t, v }, { horizon: 12, seasons: [288, 2016] });
		expect(outcome.kind).toBe('no-forecast');
		if (outcome.kind === 'no-forecast') expect(outcome.reason).toMatch(/need at least 4044 \(2 cycles of the 2016-step season/);
	});

	test('stale data: the metric stopped reporting', () => {
		const { t, v } = traffic(4);
		const stale = v.map((x, i) => (i >= v.length - 24 ? null : x));
		const outcome = forecast({ t, v: stale }, { horizon: 12 });
		expect(outcome.kind).toBe('no-forecast');
		if (outcome.kind === 'no-forecast') expect(outcome.reason).toMatch(/^stale data: the last 24 points \(2 h\) are missing/);
	});

	test('mostly gaps', () => {
		const { t, v } = traffic(4);
		const sparse = v.map((x, i) => (i % 3 === 0 || i > v.length - 5 ? x : null));
		const outcome = forecast({ t, v: sparse }, { horizon: 12 });
		expect(outcome.kind).toBe('no-forecast');
		if (outcome.kind === 'no-forecast') expect(outcome.reason).toMatch(/^too many gaps/);
	});

	test('unpredictable: backtest error beyond the limit', () => {
		const { t, v } = traffic(4);
		const outcome = forecast({ t, v }, { horizon: 12, maxBacktestWape: 0.001 });
		expect(outcome.kind).toBe('no-forecast');
		if (outcome.kind === 'no-forecast') {
			expect(outcome.reason).toMatch(/^unpredictable: the best forecast missed by/);
			expect(outcome.backtest?.wape).toBeGreaterThan(0);
		}
	});

	test('bad options are errors, not silent defaults', () => {
		const { t, v } = traffic(3);
		expect(() => forecast({ t, v }, { horizon: 0 })).toThrow(/horizon/);
		expect(() => forecast({ t, v }, { horizon: 12, quantiles: [1.5] })).toThrow(/quantile/);
		expect(() => forecast({ t, v }, { horizon: 12, seasons: [1] })).toThrow(/seasons/);
	});
});

describe('forecast on a traffic-like series', () => {
	const { t, v } = traffic(5);
	const result = expectForecast(forecast({ t, v }, { horizon: 48 }));

	test('detects the daily season and continues the time grid', () => {
		expect(result.seasons).toEqual([288]);
		expect(result.intervalSeconds).toBe(FIVE_MINUTES);
		expect(result.points).toHaveLength(48);
		expect(result.points[0].t).toBe(t[t.length - 1] + FIVE_MINUTES);
		expect(result.points[47].t).toBe(t[t.length - 1] + 48 * FIVE_MINUTES);
	});

	test('follows the daily wave', () => {
		result.points.forEach((point) => {
			const time = point.t;
			const truth = 120 + 40 * Math.sin(((time % 86_400) / 86_400) * 2 * Math.PI);
			expect(Math.abs(point.mean - truth)).toBeLessThan(12);
		});
	});

	test('quantiles are ordered and bracket the mean sensibly', () => {
		for (const point of result.points) {
			expect(point.q['0.5']).toBeLessThanOrEqual(point.q['0.9']);
			expect(point.q['0.9']).toBeLessThanOrEqual(point.q['0.99']);
			expect(point.q['0.9'] - point.mean).toBeGreaterThan(0);
			expect(point.q['0.9'] - point.mean).toBeLessThan(30);
		}
	});

	test('reports backtest scores, the baseline and the winning models', () => {
		const { backtest } = result;
		// Up to eight windows, fewer (never under three) for long histories such as this 5-minute one.
		expect(backtest.origins).toBeGreaterThanOrEqual(3);
		expect(backtest.origins).toBeLessThanOrEqual(8);
		expect(backtest.calibrationWindows).toBeGreaterThan(backtest.origins);
		expect(backtest.horizon).toBe(48);
		for (const key of ['mase', 'smape', 'mape', 'wape', 'underForecastRate', 'p90Coverage'] as const) {
			expect(Number.isFinite(backtest[key])).toBe(true);
		}
		expect(backtest.mase).toBeLessThan(backtest.baseline.mase);
		const weights = backtest.candidates.map((c) => c.weight);
		expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
		expect(backtest.candidates.filter((c) => c.weight > 0).length).toBeLessThanOrEqual(6);
		expect(result.model).toMatch(/^combination\(|\[288\]$/);
	});

	test('quantiles calibrated on backtests cover the actual future about as promised', () => {
		const future = syntheticTraffic({ length: 288 * 5 + 48, dailyAmplitude: 40, noise: 4, level: 120, seed: 1 }).v.slice(-48);
		const covered = result.points.filter((p, h) => future[h] <= p.q['0.9']).length / 48;
		expect(covered).toBeGreaterThan(0.7);
		const coveredP99 = result.points.filter((p, h) => future[h] <= p.q['0.99']).length / 48;
		expect(coveredP99).toBeGreaterThan(0.9);
	});

	test('given seasons skip detection', () => {
		const given = expectForecast(forecast({ t, v }, { horizon: 12, seasons: [288] }));
		expect(given.seasons).toEqual([288]);
	});
});

describe('gaps and outliers', () => {
	const clean = traffic(5, 2);
	const cleanValues = clean.v as number[];
	const baseline = expectForecast(forecast(clean, { horizon: 24 }));

	test('a missing afternoon (null values and missing timestamps) does not drag the forecast towards zero', () => {
		// In the hole, odd slots lose their timestamp entirely and even slots report null.
		const inHole = (i: number): boolean => i >= 900 && i < 960;
		const kept = clean.t.map((_, i) => i).filter((i) => !inHole(i) || i % 2 === 0);
		const withHoles = { t: kept.map((i) => clean.t[i]), v: kept.map((i) => (inHole(i) ? null : cleanValues[i])) };
		const result = expectForecast(forecast(withHoles, { horizon: 24 }));
		expect(result.history.gaps).toBe(60);
		result.points.forEach((p, h) => expect(Math.abs(p.mean - baseline.points[h].mean)).toBeLessThan(8));
	});

	test('spikes and an outage in the history do not wreck the fit', () => {
		const v = cleanValues.slice();
		for (const at of [300, 700, 1100]) for (let k = 0; k < 3; k++) v[at + k] *= 10;
		for (let i = 500; i < 512; i++) v[i] = 0;
		const result = expectForecast(forecast({ t: clean.t, v }, { horizon: 24 }));
		expect(result.history.outliers).toBeGreaterThanOrEqual(9);
		result.points.forEach((p, h) => expect(Math.abs(p.mean - baseline.points[h].mean)).toBeLessThan(8));
	});

	test('a surge in the most recent points is not cleaned away', () => {
		const v = cleanValues.slice();
		for (let i = v.length - 3; i < v.length; i++) v[i] += 300;
		const result = expectForecast(forecast({ t: clean.t, v }, { horizon: 6 }));
		expect(result.points[0].mean).toBeGreaterThan(baseline.points[0].mean + 50);
	});

	test('non-negative history gives non-negative forecasts', () => {
		const { t } = clean;
		const v = t.map((time, i) => Math.max(0, 40 * Math.sin(((time % 86_400) / 86_400) * 2 * Math.PI)) + (i % 5));
		const result = expectForecast(forecast({ t, v }, { horizon: 48 }));
		for (const p of result.points) {
			expect(p.mean).toBeGreaterThanOrEqual(0);
			expect(p.q['0.5']).toBeGreaterThanOrEqual(0);
		}
	});
});

describe('non-seasonal data', () => {
	test('weekly data has no daily cycle and still gets a forecast from a trend model', () => {
		const t = Array.from({ length: 60 }, (_, i) => i * 7 * 86_400);
		const v = t.map((_, i) => 100 + 2 * i + (i % 3));
		const result = expectForecast(forecast({ t, v }, { horizon: 4 }));
		expect(result.seasons).toEqual([]);
		expect(result.points[3].mean).toBeGreaterThan(200);
	});
});
