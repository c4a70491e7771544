import { quantileOfSorted } from './stats';

/**
 * Forecast quantiles calibrated on the model's own backtest errors rather
 * than on textbook formulas: errors are standardised by a per-step scale
 * that grows with the horizon, pooled across steps and windows, and their
 * empirical quantiles give the offsets. In the tails, where few errors exist,
 * a normal fit to the same errors is used when it is wider, so a small
 * sample cannot make the p99 optimistic.
 */

export interface ErrorModel {
	/** Spread of the error at each step ahead; never decreasing. */
	scales: Float64Array;
	/** Standardised errors, sorted. */
	standardized: Float64Array;
	mean: number;
	deviation: number;
}

/** `errors[k][h]` is actual minus forecast at window k, step h; NaN where the actual was a gap. */
export function fitErrorModel(errors: readonly Float64Array[], horizon: number): ErrorModel {
	const raw = new Float64Array(horizon);
	const counts = new Float64Array(horizon);
	for (const window of errors) {
		for (let h = 0; h < horizon; h++) {
			if (!Number.isFinite(window[h])) continue;
			raw[h] += window[h] * window[h];
			counts[h]++;
		}
	}
	const radius = Math.max(1, Math.floor(horizon / 8));
	const scales = new Float64Array(horizon);
	let running = 0;
	for (let h = 0; h < horizon; h++) {
		let sum = 0;
		let count = 0;
		for (let j = Math.max(0, h - radius); j <= Math.min(horizon - 1, h + radius); j++) {
			sum += raw[j];
			count += counts[j];
		}
		const rms = count > 0 ? Math.sqrt(sum / count) : running;
		running = Math.max(running, rms);
		scales[h] = running;
	}
	const z: number[] = [];
	for (const window of errors) {
		for (let h = 0; h < horizon; h++) {
			if (Number.isFinite(window[h]) && scales[h] > 0) z.push(window[h] / scales[h]);
		}
	}
	const standardized = Float64Array.from(z).sort();
	const mean = z.length > 0 ? z.reduce((a, b) => a + b, 0) / z.length : 0;
	const deviation =
		z.length > 1 ? Math.sqrt(z.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (z.length - 1)) : 0;
	return { scales, standardized, mean, deviation };
}

/** Offset from the point forecast to the given quantile, per step ahead. */
export function quantileOffsets(model: ErrorModel, level: number): Float64Array {
	const z = standardQuantile(model, level);
	return model.scales.map((s) => s * z);
}

/**
 * Fewer errors than this beyond a quantile and the empirical quantile is a
 * guess: the normal fit to the same errors is used when it lies further out.
 * With more, the empirical one stands (a normal fit to spiky errors would
 * widen a p90 far past 90 %; the held-out calibration corrects the rest).
 */
const SPARSE_TAIL = 5;

/** The quantile of the standardised errors: the empirical one, or in a sparse tail the normal fit when that lies further out. */
export function standardQuantile(model: ErrorModel, level: number): number {
	const empirical = quantileOfSorted(model.standardized, level);
	if (!Number.isFinite(empirical)) return 0;
	if (Math.min(level, 1 - level) * model.standardized.length >= SPARSE_TAIL) return empirical;
	const normal = model.mean + model.deviation * inverseNormal(level);
	if (level > 0.5) return Math.max(empirical, normal);
	if (level < 0.5) return Math.min(empirical, normal);
	return empirical;
}

/**
 * Share of actuals at or below the forecast quantile, each window scored
 * with an error model fitted on the other windows: an honest, out-of-sample
 * coverage. With one window only, it is scored in sample.
 */
export function crossValidatedCoverage(errors: readonly Float64Array[], horizon: number, level: number): number {
	let covered = 0;
	let count = 0;
	errors.forEach((window, k) => {
		const others = errors.length > 1 ? errors.filter((_, j) => j !== k) : errors;
		const offsets = quantileOffsets(fitErrorModel(others, horizon), level);
		for (let h = 0; h < horizon; h++) {
			if (!Number.isFinite(window[h])) continue;
			if (window[h] <= offsets[h]) covered++;
			count++;
		}
	});
	return count > 0 ? covered / count : NaN;
}

/** Standard normal quantile by bisection on the error function. */
export function inverseNormal(p: number): number {
	if (p <= 0) return -Infinity;
	if (p >= 1) return Infinity;
	let lo = -10;
	let hi = 10;
	for (let i = 0; i < 60; i++) {
		const mid = (lo + hi) / 2;
		if (normalCdf(mid) < p) lo = mid;
		else hi = mid;
	}
	return (lo + hi) / 2;
}

export function normalCdf(x: number): number {
	return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** Abramowitz & Stegun 7.1.26; absolute error below 1.5e-7, ample for interval widths. */
function erf(x: number): number {
	const sign = x < 0 ? -1 : 1;
	const a = Math.abs(x);
	const t = 1 / (1 + 0.3275911 * a);
	const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
	return sign * (1 - poly * Math.exp(-a * a));
}
