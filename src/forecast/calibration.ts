import { fitErrorModel, quantileOffsets, standardQuantile, type ErrorModel } from './quantiles';

/**
 * Quantile levels calibrated on the forecast's own backtest errors. An error
 * model fitted on a handful of windows is too narrow in expectation (its
 * empirical p90 sits below the true one as often as not, and the winning
 * models were chosen on those very windows), so nominal p90 bands covered
 * 80-86 % on real series. Here each window is held out in turn, the error
 * model is fitted on the windows that do not overlap it, and the level
 * actually used is the smallest one whose held-out coverage reaches the
 * nominal level: a per-series correction learnt from residuals, per step
 * ahead through the error model's per-step scales.
 */

/** Errors of one backtest window: actual minus forecast at each step ahead (NaN where the actual was a gap). */
export interface ErrorWindow {
	origin: number;
	errors: Float64Array;
}

/** Levels tried above (or below) the nominal one; 0.999 is as far as a few hundred errors can speak for. */
const MAX_LEVEL = 0.999;

/**
 * Held-out coverage of a level says something only when the errors are
 * expected to fall beyond it at least this many times: a p99 on a hundred
 * errors keeps its nominal level (and the error model's normal tail).
 */
const MIN_EXPECTED_MISSES = 2;
const LEVEL_RESOLUTION = 0.002;

interface HeldOut {
	window: ErrorWindow;
	model: ErrorModel;
}

/** Error models for every window, each fitted without the windows that share any target time with it. */
function heldOutModels(windows: readonly ErrorWindow[], horizon: number): HeldOut[] {
	const out: HeldOut[] = [];
	for (const window of windows) {
		const others = windows.filter((other) => Math.abs(other.origin - window.origin) >= horizon).map((w) => w.errors);
		if (others.length === 0) continue;
		out.push({ window, model: fitErrorModel(others, horizon) });
	}
	return out;
}

function coverageAt(heldOut: readonly HeldOut[], horizon: number, level: number): number {
	let covered = 0;
	let count = 0;
	for (const { window, model } of heldOut) {
		const z = standardQuantile(model, level);
		for (let h = 0; h < horizon; h++) {
			const e = window.errors[h];
			if (!Number.isFinite(e)) continue;
			if (e <= model.scales[h] * z) covered++;
			count++;
		}
	}
	return count > 0 ? covered / count : NaN;
}

/**
 * The level to fit the final quantile at so that held-out coverage matches
 * `nominal`: raised for upper quantiles, lowered for lower ones, never moved
 * towards the median. The median itself is left alone. Fewer than two
 * non-overlapping windows leave nothing to hold out, and too few errors say
 * nothing about a far tail: then the nominal level stands.
 */
export function calibratedLevel(windows: readonly ErrorWindow[], horizon: number, nominal: number): number {
	if (nominal === 0.5) return nominal;
	let errors = 0;
	for (const window of windows) for (let h = 0; h < horizon; h++) if (Number.isFinite(window.errors[h])) errors++;
	if (Math.min(nominal, 1 - nominal) * errors < MIN_EXPECTED_MISSES) return nominal;
	const heldOut = heldOutModels(windows, horizon);
	if (heldOut.length < 2) return nominal;
	// Coverage only grows with the level (the standardised quantile does), so a bisection finds the smallest
	// level that reaches the nominal one.
	const upper = nominal > 0.5;
	const reaches = (level: number): boolean => {
		const coverage = coverageAt(heldOut, horizon, level);
		return upper ? coverage >= nominal : coverage <= nominal;
	};
	if (reaches(nominal)) return nominal;
	let near = nominal;
	let far = upper ? MAX_LEVEL : 1 - MAX_LEVEL;
	if (!reaches(far)) return far;
	while (Math.abs(far - near) > LEVEL_RESOLUTION) {
		const middle = (near + far) / 2;
		if (reaches(middle)) far = middle;
		else near = middle;
	}
	return far;
}

/**
 * Honest coverage of the calibrated quantile: each window scored by a
 * quantile whose level was calibrated, and whose error model was fitted, on
 * the windows that do not overlap it. This is what the backtest reports.
 */
export function calibratedCoverage(windows: readonly ErrorWindow[], horizon: number, nominal: number): number {
	let covered = 0;
	let count = 0;
	for (const window of windows) {
		const others = windows.filter((other) => Math.abs(other.origin - window.origin) >= horizon);
		if (others.length === 0) continue;
		const level = calibratedLevel(others, horizon, nominal);
		const offsets = quantileOffsets(
			fitErrorModel(
				others.map((w) => w.errors),
				horizon,
			),
			level,
		);
		for (let h = 0; h < horizon; h++) {
			const e = window.errors[h];
			if (!Number.isFinite(e)) continue;
			if (e <= offsets[h]) covered++;
			count++;
		}
	}
	return count > 0 ? covered / count : NaN;
}
