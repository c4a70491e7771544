import { mstl, type MstlResult } from '../decomposition/mstl';
import { fitAutoEts, type TrendFit } from './exponentialSmoothing';
import type { FittedModel, ForecastModel } from './model';
import { fitTheta } from './theta';

/**
 * Decompositions by history array and seasons. The ETS and Theta variants of
 * the same history share one; keys are weak so nothing outlives its history,
 * and histories are never mutated once handed to a model.
 */
const decompositions = new WeakMap<Float64Array, Map<string, MstlResult>>();

function cachedMstl(history: Float64Array, seasons: readonly number[], windows?: DecompositionOptions['seasonalWindows']): MstlResult {
	let bySeasons = decompositions.get(history);
	if (!bySeasons) {
		bySeasons = new Map();
		decompositions.set(history, bySeasons);
	}
	const key = `${seasons.join(',')}/${windows?.join(',') ?? ''}`;
	let result = bySeasons.get(key);
	if (!result) {
		result = mstl(history, seasons, { seasonalWindows: windows });
		bySeasons.set(key, result);
	}
	return result;
}

function seasonallyAdjusted(history: Float64Array, decomposition: MstlResult): Float64Array {
	const adjusted = Float64Array.from(history);
	for (const component of decomposition.seasonals) for (let i = 0; i < history.length; i++) adjusted[i] -= component[i];
	return adjusted;
}

/**
 * MSTL-style model: remove every season with MSTL, forecast the seasonally
 * adjusted series with a non-seasonal method, and add back the last cycle of
 * each seasonal component. Given no seasons, it is the non-seasonal method alone.
 */
export interface DecompositionOptions {
	/** Seasonal smoothing spans per season (see mstl); wider spans give a steadier profile that reacts later to change. */
	seasonalWindows?: ReadonlyArray<number | 'periodic'>;
}

export function decompositionModel(
	name: string,
	fitAdjusted: (adjusted: Float64Array) => TrendFit,
	options: DecompositionOptions = {},
): ForecastModel {
	const build = (history: Float64Array, seasons: readonly number[], trend: TrendFit | null): FittedModel | null => {
		if (seasons.length === 0) return fitted(trend ? trend.update(history) : fitAdjusted(history), []);
		// Two cycles of every season are the least a seasonal component can be estimated from.
		if (seasons.some((s) => 2 * s > history.length)) return null;
		const decomposition = cachedMstl(history, seasons, options.seasonalWindows);
		const adjusted = seasonallyAdjusted(history, decomposition);
		const trendFit = trend ? trend.update(adjusted) : fitAdjusted(adjusted);
		const n = history.length;
		const lastCycles = decomposition.seasonals.map((component, k) => component.slice(n - decomposition.seasons[k]));
		return fitted(trendFit, lastCycles);
	};
	const fitted = (trendFit: TrendFit, lastCycles: Float64Array[]): FittedModel => ({
		name,
		predict(horizon) {
			const out = trendFit.predict(horizon);
			for (const cycle of lastCycles) for (let h = 0; h < horizon; h++) out[h] += cycle[h % cycle.length];
			return out;
		},
		update: (longer, seasons) => build(longer, seasons, trendFit),
		// The seasons are re-estimated in full; the smoothing weights of the adjusted series barely move from
		// one origin to the next, so carrying them keeps a refit to the cost of the decomposition.
		refit: (longer, seasons) => build(longer, seasons, trendFit),
	});
	return { name, fit: (history, seasons) => build(history, seasons, null) };
}

export const mstlEts = (options: DecompositionOptions = {}, name = 'mstl-ets'): ForecastModel =>
	decompositionModel(name, fitAutoEts, options);
export const mstlTheta = (options: DecompositionOptions = {}, name = 'mstl-theta'): ForecastModel =>
	decompositionModel(name, fitTheta, options);
/** Without seasons the decomposition is a no-op: these are plain exponential smoothing and Theta. */
export const ets = (): ForecastModel => decompositionModel('ets', fitAutoEts);
export const theta = (): ForecastModel => decompositionModel('theta', fitTheta);
