import { crossValidatedCoverage, fitErrorModel, inverseNormal, quantileOffsets } from '../../../src/forecast/quantiles';
import { gaussian, seededRandom } from './synthetic';

describe('quantile calibration from backtest errors', () => {
	test('inverse normal', () => {
		expect(inverseNormal(0.5)).toBeCloseTo(0, 6);
		expect(inverseNormal(0.9)).toBeCloseTo(1.281552, 5);
		expect(inverseNormal(0.99)).toBeCloseTo(2.326348, 5);
	});

	test('errors growing with the horizon give widening, ordered quantiles', () => {
		const normal = gaussian(seededRandom(5));
		const errors = Array.from({ length: 20 }, () => Float64Array.from({ length: 24 }, (_, h) => (1 + h / 4) * normal()));
		const model = fitErrorModel(errors, 24);
		for (let h = 1; h < 24; h++) expect(model.scales[h]).toBeGreaterThanOrEqual(model.scales[h - 1]);
		const p50 = quantileOffsets(model, 0.5);
		const p90 = quantileOffsets(model, 0.9);
		const p99 = quantileOffsets(model, 0.99);
		for (let h = 0; h < 24; h++) {
			expect(p50[h]).toBeLessThan(p90[h]);
			expect(p90[h]).toBeLessThan(p99[h]);
		}
		expect(p90[23] / p90[0]).toBeGreaterThan(3);
		// Normal errors with sd 1 + h/4: the 0.9 quantile at the last step is about 1.28 * 6.75.
		expect(p90[23]).toBeGreaterThan(0.75 * 1.28 * 6.75);
		expect(p90[23]).toBeLessThan(1.35 * 1.28 * 6.75);
	});

	test('held-out coverage of the 0.9 quantile is close to 0.9 for well-behaved errors', () => {
		const normal = gaussian(seededRandom(9));
		const errors = Array.from({ length: 12 }, () => Float64Array.from({ length: 48 }, () => 5 * normal()));
		const covered = crossValidatedCoverage(errors, 48, 0.9);
		expect(covered).toBeGreaterThan(0.85);
		expect(covered).toBeLessThan(0.96);
	});

	test('gaps in a window (NaN errors) are ignored', () => {
		const errors = [Float64Array.from([1, NaN, -1, 2]), Float64Array.from([NaN, -2, 1, 1])];
		const model = fitErrorModel(errors, 4);
		expect(model.standardized.length).toBe(6);
		expect(Array.from(model.scales).every(Number.isFinite)).toBe(true);
	});
});
