import { replicasFromForecast } from '../../../src/forecast/replicas';
import type { ForecastResult, NoForecast } from '../../../src/forecast/types';

/** A hand-made forecast: 5-minute steps after t = 1000, p90 rising 100, 200, ..., 1200. */
function fakeForecast(): ForecastResult {
	const points = Array.from({ length: 12 }, (_, h) => ({
		t: 1000 + 300 * (h + 1),
		mean: 80 * (h + 1),
		q: { '0.5': 80 * (h + 1), '0.9': 100 * (h + 1), '0.99': 130 * (h + 1) },
	}));
	return {
		kind: 'forecast',
		model: 'test',
		seasons: [],
		intervalSeconds: 300,
		points,
		history: { points: 100, gaps: 0, outliers: 0 },
		backtest: {} as ForecastResult['backtest'],
	};
}

describe('replicasFromForecast', () => {
	test('peak p90 over [now + lead, now + lead + window], over capacity, plus headroom, rounded up', () => {
		// now = 1000, lead 10 min, window 15 min: points at 1600..2500 (h = 2..5), peak p90 = 500.
		const result = replicasFromForecast(fakeForecast(), { perPodCapacity: 120, headroom: 0.2, leadSeconds: 600, windowSeconds: 900 });
		expect(result).toMatchObject({ kind: 'replicas', replicas: Math.ceil((500 / 120) * 1.2), demand: 500, from: 1600, to: 2500 });
	});

	test('the point whose interval contains the window start counts too', () => {
		const result = replicasFromForecast(fakeForecast(), { perPodCapacity: 100, leadSeconds: 400, windowSeconds: 100 });
		// Window [1400, 1500]: the 1300 point covers until 1600 and the 1600 point starts after it ends, so p90 = 100.
		expect(result).toMatchObject({ kind: 'replicas', replicas: 1, demand: 100 });
	});

	test('another quantile, and an exact multiple does not round up on floating-point noise', () => {
		const result = replicasFromForecast(fakeForecast(), {
			perPodCapacity: 100,
			headroom: 0.1,
			leadSeconds: 0,
			windowSeconds: 900,
			quantile: 0.99,
		});
		// Peak p99 in [1000, 1900] is 130 * 3 = 390 -> 390 / 100 * 1.1 = 4.29 -> 5.
		expect(result).toMatchObject({ kind: 'replicas', replicas: 5 });
		const exact = replicasFromForecast(fakeForecast(), { perPodCapacity: 100, headroom: 0.1, leadSeconds: 0, windowSeconds: 900 });
		expect(exact).toMatchObject({ replicas: Math.ceil(3.3 - 1e-9) });
	});

	test('aligned to steps: a run one start-up before a boundary covers whole steps, not the step that begins at the window end', () => {
		// now + lead = 1300, a step boundary: the window is the 1300 step only (p90 100), where the ordinary one reaches the 1600 step.
		const on = { perPodCapacity: 100, leadSeconds: 90, windowSeconds: 300, now: 1210 };
		expect(replicasFromForecast(fakeForecast(), { ...on, alignToStep: true })).toMatchObject({ replicas: 1, demand: 100, from: 1300, to: 1600, aligned: true });
		expect(replicasFromForecast(fakeForecast(), on)).toMatchObject({ replicas: 2, demand: 200 });
		expect(replicasFromForecast(fakeForecast(), on)).not.toHaveProperty('aligned');
		// Scheduler jitter of 20 s either way still counts as on the boundary.
		for (const now of [1190, 1230]) {
			expect(replicasFromForecast(fakeForecast(), { ...on, now, alignToStep: true })).toMatchObject({ replicas: 1, from: 1300, aligned: true });
		}
	});

	test('aligned to steps, but a run off the boundary (schedule not set up, a late run) gets the ordinary window, never less', () => {
		for (const now of [1000, 1250, 1300]) {
			const ordinary = replicasFromForecast(fakeForecast(), { perPodCapacity: 100, leadSeconds: 90, windowSeconds: 300, now });
			const aligned = replicasFromForecast(fakeForecast(), { perPodCapacity: 100, leadSeconds: 90, windowSeconds: 300, now, alignToStep: true });
			expect(aligned).toEqual({ ...ordinary, aligned: false });
		}
	});

	test('capacity <= 0 (or not a number) is an error, not a division by zero', () => {
		for (const perPodCapacity of [0, -5, NaN]) {
			expect(() => replicasFromForecast(fakeForecast(), { perPodCapacity, leadSeconds: 0, windowSeconds: 300 })).toThrow(
				/perPodCapacity must be a positive number/,
			);
		}
		expect(() =>
			replicasFromForecast(fakeForecast(), { perPodCapacity: 1, headroom: -0.1, leadSeconds: 0, windowSeconds: 300 }),
		).toThrow(/headroom/);
	});

	test('no forecast means no recommendation with the reason, never 0 replicas', () => {
		const none: NoForecast = {
			kind: 'no-forecast',
			reason: 'history too short: 30 points, need at least 588',
			seasons: [],
			intervalSeconds: 300,
			history: { points: 30, gaps: 0, outliers: 0 },
		};
		expect(replicasFromForecast(none, { perPodCapacity: 10, leadSeconds: 60, windowSeconds: 900 })).toEqual({
			kind: 'no-recommendation',
			reason: 'history too short: 30 points, need at least 588',
		});
	});

	test('a window beyond the forecast horizon is refused, with the horizon needed', () => {
		const result = replicasFromForecast(fakeForecast(), { perPodCapacity: 10, leadSeconds: 1800, windowSeconds: 3600 });
		expect(result.kind).toBe('no-recommendation');
		if (result.kind === 'no-recommendation') expect(result.reason).toMatch(/forecast ends too early.*forecast at least 18 steps/);
	});

	test('zero forecast demand keeps the floor of one pod unless told otherwise; max caps', () => {
		const zero = fakeForecast();
		zero.points.forEach((p) => (p.q['0.9'] = 0));
		expect(replicasFromForecast(zero, { perPodCapacity: 10, leadSeconds: 0, windowSeconds: 300 })).toMatchObject({
			replicas: 1,
			clamped: true,
		});
		expect(replicasFromForecast(zero, { perPodCapacity: 10, leadSeconds: 0, windowSeconds: 300, minReplicas: 0 })).toMatchObject({
			replicas: 0,
		});
		expect(replicasFromForecast(fakeForecast(), { perPodCapacity: 1, leadSeconds: 0, windowSeconds: 300, maxReplicas: 50 })).toMatchObject({
			replicas: 50,
			clamped: true,
		});
	});

	test('a quantile the forecast lacks is an error', () => {
		expect(() => replicasFromForecast(fakeForecast(), { perPodCapacity: 1, leadSeconds: 0, windowSeconds: 300, quantile: 0.95 })).toThrow(
			/no 0.95 quantile/,
		);
	});
});
