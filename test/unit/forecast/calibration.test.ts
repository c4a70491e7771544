import { calibratedCoverage, calibratedLevel, type ErrorWindow } from '../../../src/forecast/calibration';
import { forecast } from '../../../src/forecast/forecast';
import { fitErrorModel, inverseNormal, quantileOffsets } from '../../../src/forecast/quantiles';
import { gaussian, seededRandom, syntheticTraffic } from './synthetic';

/** Windows of errors whose spread grows with the step ahead, one window per origin `spacing` apart. */
function windows(count: number, horizon: number, spacing: number, spread: (k: number, h: number) => number, seed: number): ErrorWindow[] {
	const normal = gaussian(seededRandom(seed));
	return Array.from({ length: count }, (_, k) => ({
		origin: 1000 + k * spacing,
		errors: Float64Array.from({ length: horizon }, (_, h) => spread(k, h) * normal()),
	}));
}

describe('quantile calibration on held-out backtest windows', () => {
	test('errors that look alike in every window leave the nominal level almost where it is', () => {
		const w = windows(24, 12, 12, (_, h) => 1 + h / 6, 3);
		const level = calibratedLevel(w, 12, 0.9);
		expect(level).toBeGreaterThanOrEqual(0.9);
		expect(level).toBeLessThan(0.95);
	});

	test('errors that persist through a window: the plain p90 covers too little, the calibrated one about 90 %', () => {
		// Each window misses the level by one offset for its whole horizon, so eight windows are eight draws,
		// not 96: a quantile fitted on them is too narrow in expectation. Averaged over many series.
		let plainCovered = 0;
		let calibratedCovered = 0;
		let points = 0;
		let raised = 0;
		for (let seed = 1; seed <= 200; seed++) {
			const normal = gaussian(seededRandom(seed));
			const window = (k: number): ErrorWindow => {
				const offset = normal();
				return { origin: 1000 + 12 * k, errors: Float64Array.from({ length: 12 }, () => offset + 0.3 * normal()) };
			};
			const past = Array.from({ length: 8 }, (_, k) => window(k));
			const level = calibratedLevel(past, 12, 0.9);
			if (level > 0.9) raised++;
			expect(calibratedLevel(past, 12, 0.1)).toBeLessThanOrEqual(0.1);
			const model = fitErrorModel(
				past.map((w) => w.errors),
				12,
			);
			const plain = quantileOffsets(model, 0.9);
			const calibrated = quantileOffsets(model, level);
			for (let j = 0; j < 20; j++) {
				const fresh = window(100 + j);
				for (let h = 0; h < 12; h++) {
					if (fresh.errors[h] <= plain[h]) plainCovered++;
					if (fresh.errors[h] <= calibrated[h]) calibratedCovered++;
					points++;
				}
			}
		}
		expect(raised).toBeGreaterThan(100);
		expect(plainCovered / points).toBeLessThan(0.88);
		expect(calibratedCovered / points).toBeGreaterThan(0.89);
		expect(calibratedCovered / points).toBeLessThan(0.93);
	});

	test('the median is never moved, and with nothing to hold out the nominal level stands', () => {
		const w = windows(24, 12, 12, (k) => 1 + k / 8, 7);
		expect(calibratedLevel(w, 12, 0.5)).toBe(0.5);
		// Three windows that all overlap one another: none can be held out against the others.
		expect(calibratedLevel(windows(3, 12, 4, () => 1, 8), 12, 0.9)).toBe(0.9);
		// 96 errors: about one beyond a p99, too few to say whether it covers 99 %.
		expect(calibratedLevel(windows(8, 12, 12, (k) => 1 + k, 9), 12, 0.99)).toBe(0.99);
	});

	test('on errors with known noise the calibrated p90 covers about 90 % of fresh errors, per step ahead', () => {
		const horizon = 12;
		const sd = (h: number): number => 2 * (1 + h / 4);
		const past = windows(32, horizon, horizon, (_, h) => sd(h), 11);
		const level = calibratedLevel(past, horizon, 0.9);
		const offsets = quantileOffsets(
			fitErrorModel(
				past.map((w) => w.errors),
				horizon,
			),
			level,
		);
		// The true 0.9 quantile of N(0, sd(h)) is 1.2816 sd(h): every step within about a quarter of it.
		for (let h = 0; h < horizon; h++) {
			expect(offsets[h] / (inverseNormal(0.9) * sd(h))).toBeGreaterThan(0.8);
			expect(offsets[h] / (inverseNormal(0.9) * sd(h))).toBeLessThan(1.35);
		}
		const future = windows(400, horizon, horizon, (_, h) => sd(h), 12);
		let covered = 0;
		for (const w of future) for (let h = 0; h < horizon; h++) if (w.errors[h] <= offsets[h]) covered++;
		const coverage = covered / (400 * horizon);
		expect(coverage).toBeGreaterThan(0.87);
		expect(coverage).toBeLessThan(0.94);
		// What the backtest reports: the same procedure scored on windows it did not see.
		const reported = calibratedCoverage(past, horizon, 0.9);
		expect(reported).toBeGreaterThan(0.84);
		expect(reported).toBeLessThan(0.97);
	});

	test('forecasts of a series with known noise: the p90 lies about 1.28 noise deviations above the mean and covers about 90 % of the future', () => {
		// Half-hourly, 14 days of history, 4-hour horizon, forecasts every 4 hours over 2 days.
		const noise = 8;
		const day = 48;
		const full = syntheticTraffic({ length: 20 * day, intervalSeconds: 1800, dailyAmplitude: 60, level: 200, noise, seed: 21 });
		let covered = 0;
		let points = 0;
		const widths: number[] = [];
		for (let end = 15 * day; end + 8 <= 17 * day; end += 8) {
			const result = forecast({ t: full.t.slice(end - 14 * day, end), v: full.v.slice(end - 14 * day, end) }, { horizon: 8 });
			if (result.kind !== 'forecast') throw new Error(result.reason);
			result.points.forEach((p, h) => {
				widths.push(p.q['0.9'] - p.mean);
				if (full.v[end + h] <= p.q['0.9']) covered++;
				points++;
			});
		}
		const meanWidth = widths.reduce((a, b) => a + b, 0) / widths.length;
		expect(meanWidth / (inverseNormal(0.9) * noise)).toBeGreaterThan(0.8);
		expect(meanWidth / (inverseNormal(0.9) * noise)).toBeLessThan(1.35);
		// 96 points in 12 windows: a loose bracket around 90 %.
		expect(covered / points).toBeGreaterThan(0.8);
		expect(covered / points).toBeLessThan(0.98);
	});
});
