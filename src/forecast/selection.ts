import { asymmetricAbsoluteError, meanAbsoluteError } from './metrics';

/** What a backtest window is scored against: the raw actuals (NaN = gap) and the MASE scale of its history. */
export interface BacktestWindow {
	actual: Float64Array;
	scale: number;
}

export interface RankedCandidate {
	name: string;
	loss: number;
	mase: number;
}

/**
 * Mean over windows of the scaled asymmetric error: a shortfall counts
 * `underWeight` times an excess, and scaling by each history's seasonal
 * naive error keeps windows of different level comparable.
 */
export function rankCandidates(
	backtests: ReadonlyArray<{ name: string; forecasts: Float64Array[] }>,
	windows: readonly BacktestWindow[],
	underWeight: number,
): RankedCandidate[] {
	const ranked = backtests.map(({ name, forecasts }) => {
		let loss = 0;
		let mase = 0;
		windows.forEach((window, k) => {
			loss += asymmetricAbsoluteError(window.actual, forecasts[k], underWeight) / window.scale;
			mase += meanAbsoluteError(window.actual, forecasts[k]) / window.scale;
		});
		return { name, loss: loss / windows.length, mase: mase / windows.length };
	});
	return ranked.filter((r) => Number.isFinite(r.loss)).sort((a, b) => a.loss - b.loss);
}

/**
 * Weights for the best `count` candidates, proportional to the inverse
 * squared loss: close runners-up share the forecast, clearly worse ones
 * barely count. A perfect backtest takes all the weight.
 */
export function combinationWeights(ranked: readonly RankedCandidate[], count: number): Map<string, number> {
	const top = ranked.slice(0, Math.max(1, count));
	const weights = new Map<string, number>();
	if (top.length === 0) return weights;
	if (top[0].loss <= 0) {
		weights.set(top[0].name, 1);
		return weights;
	}
	const raw = top.map((r) => 1 / (r.loss * r.loss));
	const total = raw.reduce((a, b) => a + b, 0);
	top.forEach((r, i) => weights.set(r.name, raw[i] / total));
	return weights;
}

export function combine(forecasts: readonly Float64Array[], weights: readonly number[]): Float64Array {
	const out = new Float64Array(forecasts[0].length);
	forecasts.forEach((forecast, j) => {
		for (let h = 0; h < out.length; h++) out[h] += weights[j] * forecast[h];
	});
	return out;
}
