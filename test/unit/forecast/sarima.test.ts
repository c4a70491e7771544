import { difference, fitSarimaCss, sarima, sarimaForecast } from '../../../src/forecast/models/sarima';
import { ESTIMATION_POINTS, estimationWindow } from '../../../src/forecast/models/estimationWindow';
import { AIR_PASSENGERS } from './air-passengers';

const AIRLINE = { p: 0, d: 1, q: 1, P: 0, D: 1, Q: 1 };

describe('airline model SARIMA(0,1,1)(0,1,1)12 on log AirPassengers against R stats::arima(method = "CSS")', () => {
	const logged = AIR_PASSENGERS.map(Math.log);

	test('coefficients and innovation variance', () => {
		const fit = fitSarimaCss(logged, AIRLINE, 12)!;
		expect(fit.coefficients.ma[0]).toBeCloseTo(-0.37716244, 3);
		expect(fit.coefficients.seasonalMa[0]).toBeCloseTo(-0.57237906, 3);
		expect(fit.sigma2).toBeCloseTo(0.0013887499, 7);
	});

	test('forecasts with R coefficients match R predict() to 1e-3 (R filters with a Kalman filter, we with CSS innovations)', () => {
		const r = [
			6.10959222678615, 6.05372720481445, 6.17289065737481, 6.198639283166, 6.23166872184593, 6.36833809213235,
			6.50614774137478, 6.50205422816155, 6.32448848484454, 6.20822545151494, 6.06320860263787, 6.16799060482636,
		];
		const coefficients = { ar: [], ma: [-0.37716243911813], seasonalAr: [], seasonalMa: [-0.572379062668621] };
		const forecast = sarimaForecast(logged, AIRLINE, 12, coefficients, 12);
		forecast.forEach((value, h) => expect(Math.abs(value - r[h])).toBeLessThan(1e-3));
	});
});

describe('SARIMA building blocks', () => {
	test('differencing then forecasting a pure seasonal ramp continues it exactly', () => {
		const y = Array.from({ length: 60 }, (_, i) => 10 + 2 * i + [3, -1, 4, -6][i % 4]);
		expect(Array.from(difference(y, 1, 1, 4)).every((v) => Math.abs(v) < 1e-9)).toBe(true);
		const forecast = sarimaForecast(y, AIRLINE, 4, { ar: [], ma: [0], seasonalAr: [], seasonalMa: [0] }, 8);
		forecast.forEach((value, h) => expect(value).toBeCloseTo(10 + 2 * (60 + h) + [3, -1, 4, -6][(60 + h) % 4], 9));
	});

	test('an AR(1) coefficient is recovered from simulated data', () => {
		let state = 0;
		let seed = 7;
		const noise = (): number => {
			seed = (seed * 16807) % 2147483647;
			return seed / 2147483647 - 0.5;
		};
		const y = Array.from({ length: 3000 }, () => (state = 0.6 * state + noise()));
		const fit = fitSarimaCss(y, { p: 1, d: 0, q: 0, P: 0, D: 0, Q: 0 }, 1)!;
		expect(fit.coefficients.ar[0]).toBeCloseTo(0.6, 1);
	});

	test('the model needs three seasons of history', () => {
		expect(sarima().fit(new Float64Array(50).fill(1), [24])).toBeNull();
	});
});

describe('mean-reverting seasonal models and warm-started refits', () => {
	/** y_t = y_{t-24} + w_t with w an AR(2): a daily pattern that disturbances leave only for a while. */
	function seasonalAr2(length: number, seed: number): Float64Array {
		let s = seed;
		const noise = (): number => {
			s = (s * 16807) % 2147483647;
			return s / 2147483647 - 0.5;
		};
		const y = new Float64Array(length);
		const w = new Float64Array(length);
		for (let t = 0; t < length; t++) {
			w[t] = (t > 0 ? 0.5 * w[t - 1] : 0) + (t > 1 ? 0.2 * w[t - 2] : 0) + noise();
			y[t] = (t >= 24 ? y[t - 24] : 10 * Math.sin((2 * Math.PI * t) / 24)) + w[t];
		}
		return y;
	}
	const ORDER = { p: 2, d: 0, q: 0, P: 0, D: 1, Q: 1 };

	test('SARIMA(2,0,0)(0,1,1) recovers the AR coefficients of simulated data', () => {
		const fit = fitSarimaCss(seasonalAr2(1200, 11), ORDER, 24)!;
		// CSS with a bounded simplex search: within 0.1 of the truth, and the seasonal MA near its true 0.
		expect(Math.abs(fit.coefficients.ar[0] - 0.5)).toBeLessThan(0.1);
		expect(Math.abs(fit.coefficients.ar[1] - 0.2)).toBeLessThan(0.1);
		expect(Math.abs(fit.coefficients.seasonalMa[0])).toBeLessThan(0.1);
	});

	test('a refit on a longer history, started from the earlier fit, lands where a fit from scratch does', () => {
		const y = seasonalAr2(1200, 13);
		const model = sarima({ order: ORDER });
		const early = model.fit(y.subarray(0, 1100), [24])!;
		const refitted = early.refit!(y, [24])!.predict(24);
		const cold = model.fit(y, [24])!.predict(24);
		refitted.forEach((v, h) => expect(Math.abs(v - cold[h])).toBeLessThan(0.05));
	});

	test('parameters are estimated on the recent stretch only, the forecast still starts from the last value', () => {
		const y = seasonalAr2(4000, 17);
		const fit = sarima({ order: ORDER }).fit(y, [24])!;
		const recent = fitSarimaCss(estimationWindow(y, 24), ORDER, 24)!;
		expect(estimationWindow(y, 24).length).toBe(ESTIMATION_POINTS);
		expect(estimationWindow(y, 400).length).toBe(2000);
		expect(estimationWindow(y.subarray(0, 900), 24).length).toBe(900);
		const expected = sarimaForecast(y, ORDER, 24, recent.coefficients, 12);
		fit.predict(12).forEach((v, h) => expect(v).toBeCloseTo(expected[h], 9));
	});
});
