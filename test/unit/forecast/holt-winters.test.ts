import {
	fitHoltWintersParameters,
	holtWinters,
	holtWintersFilter,
	holtWintersForecast,
	type HoltWintersState,
} from '../../../src/forecast/models/holtWinters';
import { AIR_PASSENGERS } from './air-passengers';

/** R: st <- decompose(ts(AirPassengers[1:24], frequency = 12)); the start values HoltWinters() derives. */
const R_START: HoltWintersState = {
	level: 124.316919191919,
	trend: 1.14568764568765,
	seasonal: Float64Array.from([
		-14.8194444444445, -5.65277777777777, 7.51388888888889, 0.0138888888888882, -10.9861111111111, 11.6805555555555,
		22.6388888888889, 22.1805555555556, 9.47222222222223, -8.15277777777777, -23.5694444444444, -10.3194444444445,
	]),
};

describe('Holt-Winters on AirPassengers against R stats::HoltWinters', () => {
	test('fixed alpha 0.3, beta 0.1, gamma 0.2: same SSE, final states and 12 forecasts', () => {
		const params = { alpha: 0.3, beta: 0.1, gamma: 0.2, phi: 1, trend: true };
		const { sse, final } = holtWintersFilter(AIR_PASSENGERS, 12, params, R_START, 12);
		expect(sse).toBeCloseTo(98448.9929976346, 6);
		expect(final.level).toBeCloseTo(495.247697970535, 9);
		expect(final.trend).toBeCloseTo(3.1825101994585, 9);
		const r = [
			474.457772260136, 469.801810918527, 513.007326048794, 515.453742108855, 521.347402388714, 564.137815183318,
			601.806610175241, 588.059358231583, 521.474488121024, 484.515573603503, 453.134844821784, 493.516599260301,
		];
		Array.from(holtWintersForecast(final, params, 12)).forEach((value, h) => expect(value).toBeCloseTo(r[h], 8));
	});

	test("R's optimum (alpha 0.2480, beta 0.0345, gamma 1) reproduces its SSE of 21860.18", () => {
		const params = { alpha: 0.247959489735667, beta: 0.03453372964885, gamma: 1, phi: 1, trend: true };
		expect(holtWintersFilter(AIR_PASSENGERS, 12, params, R_START, 12).sse).toBeCloseTo(21860.18462185, 4);
	});

	test('our parameter search from the same start reaches an SSE no worse than R', () => {
		const params = fitHoltWintersParameters(AIR_PASSENGERS, 12, { trend: true, damped: false }, R_START, 12);
		const { sse } = holtWintersFilter(AIR_PASSENGERS, 12, params, R_START, 12);
		expect(sse).toBeLessThanOrEqual(21860.18462185 * 1.001);
		expect(params.alpha).toBeGreaterThan(0.15);
		expect(params.alpha).toBeLessThan(0.35);
	});
});

describe('holtWinters model', () => {
	test('a noiseless trend plus season is extrapolated exactly', () => {
		const season = [5, -3, 8, -10];
		const y = Float64Array.from({ length: 80 }, (_, i) => 50 + 0.5 * i + season[i % 4]);
		const fitted = holtWinters({ trend: true, damped: false }).fit(y, [4]);
		const forecast = fitted!.predict(8);
		forecast.forEach((value, h) => expect(value).toBeCloseTo(50 + 0.5 * (80 + h) + season[(80 + h) % 4], 3));
	});

	test('needs two full seasons', () => {
		expect(holtWinters().fit(new Float64Array(40).fill(1), [24])).toBeNull();
	});

	test('update keeps the parameters and follows the new data', () => {
		const y = Float64Array.from(AIR_PASSENGERS);
		const early = holtWinters().fit(y.subarray(0, 120), [12])!;
		const late = early.update!(y, [12])!;
		const refit = holtWinters().fit(y, [12])!;
		// Same parameters over more data: close to, but not the same as, a full re-estimation.
		const a = late.predict(12);
		const b = refit.predict(12);
		a.forEach((value, h) => expect(Math.abs(value - b[h]) / b[h]).toBeLessThan(0.1));
		expect(Array.from(a)).not.toEqual(Array.from(early.predict(12)));
	});
});
