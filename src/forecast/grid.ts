import type { Series } from './types';

/** A series on a regular time grid; NaN marks a gap (missing sample or missing timestamp). */
export interface RegularSeries {
	/** Unix seconds of values[0]. */
	start: number;
	intervalSeconds: number;
	values: Float64Array;
}

/**
 * Median spacing of the sorted, distinct timestamps: robust to a few missing
 * or jittered samples. The lower middle value for an even count and whole
 * seconds keep jitter from producing a fractional interval.
 */
export function inferIntervalSeconds(times: readonly number[]): number | null {
	const sorted = times.filter(Number.isFinite).sort((a, b) => a - b);
	const diffs: number[] = [];
	for (let i = 1; i < sorted.length; i++) if (sorted[i] > sorted[i - 1]) diffs.push(sorted[i] - sorted[i - 1]);
	if (diffs.length === 0) return null;
	diffs.sort((a, b) => a - b);
	const median = diffs[(diffs.length - 1) >> 1];
	return median >= 1 ? Math.round(median) : median;
}

/**
 * Places samples on the grid start + k * interval. Samples are snapped to the
 * nearest slot; several in one slot are averaged; slots without a finite
 * sample become NaN so later steps see a gap, not a zero.
 */
export function toRegularGrid(series: Series, intervalSeconds?: number): RegularSeries | null {
	if (series.t.length !== series.v.length) {
		throw new Error(`series has ${series.t.length} timestamps but ${series.v.length} values`);
	}
	const interval = intervalSeconds ?? inferIntervalSeconds(series.t);
	if (interval === null || !(interval > 0)) return null;
	let first = Infinity;
	let last = -Infinity;
	for (const t of series.t) {
		if (!Number.isFinite(t)) continue;
		if (t < first) first = t;
		if (t > last) last = t;
	}
	if (!Number.isFinite(first)) return null;
	const length = Math.round((last - first) / interval) + 1;
	if (length > 10_000_000) {
		throw new Error(`timestamps span ${length} steps of ${interval} s: check the interval or the time column`);
	}
	const sums = new Float64Array(length);
	const counts = new Uint32Array(length);
	for (let i = 0; i < series.t.length; i++) {
		const t = series.t[i];
		const v = series.v[i];
		if (!Number.isFinite(t) || v === null || !Number.isFinite(v)) continue;
		const slot = Math.round((t - first) / interval);
		sums[slot] += v;
		counts[slot]++;
	}
	const values = new Float64Array(length);
	for (let k = 0; k < length; k++) values[k] = counts[k] > 0 ? sums[k] / counts[k] : NaN;
	return { start: first, intervalSeconds: interval, values };
}
