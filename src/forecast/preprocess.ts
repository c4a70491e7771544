import { mstl } from './decomposition/mstl';
import { mad, median } from './stats';

export interface PreparedHistory {
	/** Gap-free values for fitting: gaps and outliers replaced by trend plus seasons. */
	values: Float64Array;
	gaps: number;
	outliers: number;
}

export interface PrepareOptions {
	/** Residuals beyond this many robust standard deviations count as outliers. Default 5. */
	outlierThreshold?: number;
	/** The most recent points are never called outliers: a surge that starts now must reach the models. */
	protectLast?: number;
}

/**
 * Fills gaps and tames spikes and outages before fitting. A robust MSTL
 * (gaps and outliers get zero weight) gives a trend-plus-seasons value at
 * every step; gaps take that value, and so do short runs of extreme
 * residuals. Nothing is ever filled with zero.
 *
 * Only short, one-off excursions are replaced: a deviation that lasts, or
 * that repeats at the same time of the next or previous cycle, is a change in
 * the pattern (a shifted daily peak, a new level) that the models must see.
 */
export function prepareHistory(
	values: Float64Array,
	seasons: readonly number[],
	options: PrepareOptions = {},
): PreparedHistory {
	const n = values.length;
	const threshold = options.outlierThreshold ?? 5;
	const protectLast = options.protectLast ?? 3;
	const period = seasons.length > 0 ? seasons[0] : 1;
	const decomposition = mstl(values, seasons, { robustIterations: 2 });
	const fitted = Float64Array.from(decomposition.trend);
	for (const component of decomposition.seasonals) for (let i = 0; i < n; i++) fitted[i] += component[i];

	const residuals = new Float64Array(n);
	const finite: number[] = [];
	for (let i = 0; i < n; i++) {
		residuals[i] = values[i] - fitted[i];
		if (Number.isFinite(residuals[i])) finite.push(residuals[i]);
	}
	// A smooth series has a tiny MAD; the typical cycle-to-cycle change keeps the bar from dropping to noise level.
	const scale = Math.max(mad(finite), typicalSeasonalChange(values, period));
	const direction = new Int8Array(n);
	if (scale > 0 && Number.isFinite(threshold)) {
		for (let i = 0; i < n; i++) {
			if (residuals[i] > threshold * scale) direction[i] = 1;
			else if (residuals[i] < -threshold * scale) direction[i] = -1;
		}
	}
	const maxRun = Math.max(3, Math.floor(period / 8));
	const replace = new Uint8Array(n);
	for (let i = 0; i < n; ) {
		if (direction[i] === 0) {
			i++;
			continue;
		}
		let end = i;
		while (end + 1 < n && direction[end + 1] === direction[i]) end++;
		const recurs = period > 1 && repeatsInNeighbourCycle(direction, i, end, period);
		if (end - i + 1 <= maxRun && end < n - protectLast && !recurs) replace.fill(1, i, end + 1);
		i = end + 1;
	}

	const out = new Float64Array(n);
	let gaps = 0;
	let outliers = 0;
	for (let i = 0; i < n; i++) {
		if (!Number.isFinite(values[i])) {
			out[i] = fitted[i];
			gaps++;
		} else if (replace[i]) {
			out[i] = fitted[i];
			outliers++;
		} else out[i] = values[i];
	}
	return { values: out, gaps, outliers };
}

/** Median absolute change from one cycle to the next, scaled like a standard deviation of one value. */
function typicalSeasonalChange(values: Float64Array, period: number): number {
	const changes: number[] = [];
	for (let i = period; i < values.length; i++) {
		const change = Math.abs(values[i] - values[i - period]);
		if (Number.isFinite(change)) changes.push(change);
	}
	return (1.4826 * median(changes)) / Math.SQRT2;
}

function repeatsInNeighbourCycle(direction: Int8Array, from: number, to: number, period: number): boolean {
	const sign = direction[from];
	for (const shift of [-period, period]) {
		for (let i = from + shift; i <= to + shift; i++) {
			if (i >= 0 && i < direction.length && direction[i] === sign) return true;
		}
	}
	return false;
}
