import { loessEstimate, loessSmooth } from './loess';

/**
 * STL: Seasonal-Trend decomposition by Loess (Cleveland, Cleveland, McRae &
 * Terpenning, 1990), written from the paper's description. Gaps (NaN) get
 * zero weight, so they never pull the fit towards zero; robustness iterations
 * down-weight spikes and outages.
 */

export interface StlOptions {
	period: number;
	/** Seasonal smoothing span in cycles (odd, >= 7 in practice); 'periodic' keeps the profile fixed. */
	seasonalWindow: number | 'periodic';
	seasonalDegree?: number;
	trendWindow?: number;
	trendDegree?: number;
	lowpassWindow?: number;
	innerIterations?: number;
	/** Robustness passes after the first fit; 0 for the plain (non-robust) STL. */
	outerIterations?: number;
}

export interface StlResult {
	seasonal: Float64Array;
	trend: Float64Array;
	remainder: Float64Array;
	/** Final robustness weights times gap mask; 0 marks a gap or a rejected outlier. */
	weights: Float64Array;
}

function nextOdd(x: number): number {
	const r = Math.round(x);
	return r % 2 === 0 ? r + 1 : r;
}

export function stl(series: ArrayLike<number>, options: StlOptions): StlResult {
	const n = series.length;
	const period = Math.max(2, Math.round(options.period));
	const periodic = options.seasonalWindow === 'periodic';
	const seasonalWindow = Math.max(3, nextOdd(periodic ? 10 * n + 1 : (options.seasonalWindow as number)));
	const seasonalDegree = periodic ? 0 : (options.seasonalDegree ?? 0);
	const trendWindow = Math.max(
		3,
		nextOdd(options.trendWindow ?? Math.ceil((1.5 * period) / (1 - 1.5 / seasonalWindow))),
	);
	const trendDegree = options.trendDegree ?? 1;
	const lowpassWindow = Math.max(3, nextOdd(options.lowpassWindow ?? period));
	const innerIterations = options.innerIterations ?? ((options.outerIterations ?? 0) > 0 ? 1 : 2);
	const outerIterations = options.outerIterations ?? 0;
	const seasonalJump = Math.ceil(seasonalWindow / 10);
	const trendJump = Math.ceil(trendWindow / 10);
	const lowpassJump = Math.ceil(lowpassWindow / 10);

	const { filled, mask } = fillForSmoothing(series);
	const weights = Float64Array.from(mask);
	const seasonal = new Float64Array(n);
	const trend = new Float64Array(n);
	const work = new Float64Array(n);
	const cycle = new Float64Array(n + 2 * period);
	const lowpass = new Float64Array(n);
	const buffers = new SubseriesBuffers(Math.ceil(n / period) + 2);

	for (let outer = 0; outer <= outerIterations; outer++) {
		for (let inner = 0; inner < innerIterations; inner++) {
			for (let i = 0; i < n; i++) work[i] = filled[i] - trend[i];
			smoothCycleSubseries(work, n, period, seasonalWindow, seasonalDegree, seasonalJump, weights, cycle, buffers);
			lowPassFilter(cycle, n, period, lowpassWindow, trendDegree, lowpassJump, lowpass);
			for (let i = 0; i < n; i++) {
				seasonal[i] = cycle[period + i] - lowpass[i];
				work[i] = filled[i] - seasonal[i];
			}
			loessSmooth(work, n, trendWindow, trendDegree, trendJump, weights, trend);
		}
		if (outer < outerIterations) robustnessWeights(filled, seasonal, trend, mask, weights);
	}

	if (periodic) averageBySlot(seasonal, period);
	const remainder = new Float64Array(n);
	for (let i = 0; i < n; i++) remainder[i] = mask[i] > 0 ? series[i] - seasonal[i] - trend[i] : NaN;
	return { seasonal, trend, remainder, weights };
}

/** Gaps get weight 0; their placeholder values only matter where no neighbour has weight. */
function fillForSmoothing(series: ArrayLike<number>): { filled: Float64Array; mask: Float64Array } {
	const n = series.length;
	const filled = new Float64Array(n);
	const mask = new Float64Array(n);
	let previous = -1;
	for (let i = 0; i < n; i++) {
		if (!Number.isFinite(series[i])) continue;
		mask[i] = 1;
		filled[i] = series[i];
		if (previous >= 0 && i - previous > 1) {
			const slope = (series[i] - series[previous]) / (i - previous);
			for (let j = previous + 1; j < i; j++) filled[j] = series[previous] + slope * (j - previous);
		} else if (previous < 0) {
			for (let j = 0; j < i; j++) filled[j] = series[i];
		}
		previous = i;
	}
	for (let j = previous + 1; j < n && previous >= 0; j++) filled[j] = series[previous];
	return { filled, mask };
}

class SubseriesBuffers {
	values: Float64Array;
	weights: Float64Array;
	smoothed: Float64Array;
	constructor(size: number) {
		this.values = new Float64Array(size);
		this.weights = new Float64Array(size);
		this.smoothed = new Float64Array(size + 2);
	}
}

/**
 * Smooths each cycle-subseries (all values of one slot of the season) and
 * extends it by one cycle on each side, so `cycle` holds n + 2*period values.
 */
function smoothCycleSubseries(
	y: Float64Array,
	n: number,
	period: number,
	span: number,
	degree: number,
	jump: number,
	weights: Float64Array,
	cycle: Float64Array,
	buffers: SubseriesBuffers,
): void {
	const { values, weights: subWeights, smoothed } = buffers;
	for (let slot = 0; slot < period; slot++) {
		const k = Math.floor((n - 1 - slot) / period) + 1;
		for (let m = 0; m < k; m++) {
			values[m] = y[slot + m * period];
			subWeights[m] = weights[slot + m * period];
		}
		const inner = smoothed.subarray(1, k + 1);
		loessSmooth(values, k, span, degree, jump, subWeights, inner);
		const before = loessEstimate(values, k, span, degree, -1, 0, Math.min(span, k) - 1, subWeights);
		smoothed[0] = Number.isNaN(before) ? smoothed[1] : before;
		const after = loessEstimate(values, k, span, degree, k, Math.max(0, k - span), k - 1, subWeights);
		smoothed[k + 1] = Number.isNaN(after) ? smoothed[k] : after;
		for (let m = 0; m < k + 2; m++) cycle[m * period + slot] = smoothed[m];
	}
}

function movingAverage(x: Float64Array, length: number, window: number, out: Float64Array): void {
	let sum = 0;
	for (let i = 0; i < window; i++) sum += x[i];
	out[0] = sum / window;
	for (let i = 1; i <= length - window; i++) {
		sum += x[i + window - 1] - x[i - 1];
		out[i] = sum / window;
	}
}

/** Removes the trend left in the smoothed subseries: three moving averages, then a loess. */
function lowPassFilter(
	cycle: Float64Array,
	n: number,
	period: number,
	span: number,
	degree: number,
	jump: number,
	out: Float64Array,
): void {
	const total = n + 2 * period;
	const first = new Float64Array(total - period + 1);
	movingAverage(cycle, total, period, first);
	const second = new Float64Array(first.length - period + 1);
	movingAverage(first, first.length, period, second);
	const third = new Float64Array(second.length - 2);
	movingAverage(second, second.length, 3, third);
	loessSmooth(third, n, span, degree, jump, null, out);
}

/** Bisquare weights on the remainder scaled by six times its median absolute value. */
function robustnessWeights(
	y: Float64Array,
	seasonal: Float64Array,
	trend: Float64Array,
	mask: Float64Array,
	weights: Float64Array,
): void {
	const n = y.length;
	const residuals: number[] = [];
	const absolute = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		absolute[i] = Math.abs(y[i] - seasonal[i] - trend[i]);
		if (mask[i] > 0) residuals.push(absolute[i]);
	}
	residuals.sort((a, b) => a - b);
	const m = residuals.length;
	const med = m === 0 ? 0 : 0.5 * (residuals[Math.floor((m - 1) / 2)] + residuals[Math.floor(m / 2)]);
	const limit = 6 * med;
	for (let i = 0; i < n; i++) {
		if (mask[i] === 0) {
			weights[i] = 0;
			continue;
		}
		const r = absolute[i];
		if (limit <= 0 || r <= 0.001 * limit) weights[i] = 1;
		else if (r <= 0.999 * limit) weights[i] = (1 - (r / limit) ** 2) ** 2;
		else weights[i] = 0;
	}
}

function averageBySlot(seasonal: Float64Array, period: number): void {
	const n = seasonal.length;
	for (let slot = 0; slot < period; slot++) {
		let sum = 0;
		let count = 0;
		for (let i = slot; i < n; i += period) {
			sum += seasonal[i];
			count++;
		}
		for (let i = slot; i < n; i += period) seasonal[i] = sum / count;
	}
}
