import { loessSmooth } from './loess';
import { stl } from './stl';

/**
 * MSTL (Bandara, Hyndman & Bergmeir, 2021): STL applied in turn to each
 * season, shortest first, refining every seasonal component by backfitting.
 */

export interface MstlOptions {
	/** Seasonal smoothing spans per season in cycles, or 'periodic' for a fixed profile; default 11, 15, 19, ... as in the paper. */
	seasonalWindows?: ReadonlyArray<number | 'periodic'>;
	iterations?: number;
	/** Robustness passes inside each STL; they keep spikes and outages out of the components. */
	robustIterations?: number;
}

export interface MstlResult {
	/** Seasons actually used: those with at least two full cycles of history. */
	seasons: number[];
	seasonals: Float64Array[];
	trend: Float64Array;
	remainder: Float64Array;
	weights: Float64Array;
}

export function mstl(series: ArrayLike<number>, seasons: readonly number[], options: MstlOptions = {}): MstlResult {
	const n = series.length;
	const used = [...seasons].filter((s) => s >= 2 && 2 * s <= n).sort((a, b) => a - b);
	const iterations = used.length > 1 ? (options.iterations ?? 2) : 1;
	const deseasonalised = Float64Array.from(series);
	const seasonals: Float64Array[] = used.map(() => new Float64Array(n));
	let trend: Float64Array = new Float64Array(n);
	let weights: Float64Array = new Float64Array(n).fill(1);
	if (used.length === 0) {
		const trendOnly = smoothTrend(series);
		const remainder = new Float64Array(n);
		for (let i = 0; i < n; i++) remainder[i] = series[i] - trendOnly.trend[i];
		return { seasons: [], seasonals: [], trend: trendOnly.trend, remainder, weights: trendOnly.weights };
	}
	for (let iteration = 0; iteration < iterations; iteration++) {
		for (let k = 0; k < used.length; k++) {
			const component = seasonals[k];
			for (let i = 0; i < n; i++) deseasonalised[i] += component[i];
			const window = options.seasonalWindows?.[k] ?? 7 + 4 * (k + 1);
			const result = stl(deseasonalised, {
				period: used[k],
				seasonalWindow: window,
				outerIterations: options.robustIterations ?? 0,
			});
			seasonals[k] = result.seasonal;
			for (let i = 0; i < n; i++) deseasonalised[i] -= result.seasonal[i];
			trend = result.trend;
			weights = result.weights;
		}
	}
	const remainder = new Float64Array(n);
	for (let i = 0; i < n; i++) remainder[i] = deseasonalised[i] - trend[i];
	return { seasons: used, seasonals, trend, remainder, weights };
}

/** Trend of a series without seasons: a local-linear loess over about a tenth of the history, gaps weighted 0. */
function smoothTrend(series: ArrayLike<number>): { trend: Float64Array; weights: Float64Array } {
	const n = series.length;
	const weights = new Float64Array(n);
	const values = new Float64Array(n);
	let last = NaN;
	for (let i = 0; i < n; i++) {
		if (Number.isFinite(series[i])) {
			weights[i] = 1;
			values[i] = last = series[i];
		} else values[i] = last;
	}
	const firstFinite = values.findIndex((v) => Number.isFinite(v));
	for (let i = 0; i < firstFinite; i++) values[i] = values[firstFinite];
	const span = Math.max(7, 2 * Math.floor(n / 20) + 1);
	const trend = new Float64Array(n);
	loessSmooth(values, n, span, 1, Math.ceil(span / 10), weights, trend);
	return { trend, weights };
}
