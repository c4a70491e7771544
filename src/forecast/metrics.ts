/**
 * Accuracy measures. Every function skips positions where the actual is not
 * finite, so gaps in the evaluation window never count as zero demand.
 */

/** Mean absolute error of the in-sample seasonal naive forecast: the MASE denominator. */
export function seasonalNaiveScale(history: ArrayLike<number>, season: number): number {
	const lag = season >= 1 && history.length > season ? season : 1;
	let sum = 0;
	let count = 0;
	for (let i = lag; i < history.length; i++) {
		const d = history[i] - history[i - lag];
		if (Number.isFinite(d)) {
			sum += Math.abs(d);
			count++;
		}
	}
	return count > 0 ? sum / count : NaN;
}

export function mase(actual: ArrayLike<number>, predicted: ArrayLike<number>, scale: number): number {
	return meanAbsoluteError(actual, predicted) / scale;
}

export function meanAbsoluteError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
	let sum = 0;
	let count = 0;
	for (let i = 0; i < actual.length; i++) {
		if (!Number.isFinite(actual[i])) continue;
		sum += Math.abs(actual[i] - predicted[i]);
		count++;
	}
	return count > 0 ? sum / count : NaN;
}

/** Symmetric MAPE in percent, as defined by the M4 competition. */
export function smape(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
	let sum = 0;
	let count = 0;
	for (let i = 0; i < actual.length; i++) {
		if (!Number.isFinite(actual[i])) continue;
		const denominator = Math.abs(actual[i]) + Math.abs(predicted[i]);
		sum += denominator > 0 ? (200 * Math.abs(actual[i] - predicted[i])) / denominator : 0;
		count++;
	}
	return count > 0 ? sum / count : NaN;
}

/** MAPE in percent; zero actuals are skipped because their percentage error is undefined. */
export function mape(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
	let sum = 0;
	let count = 0;
	for (let i = 0; i < actual.length; i++) {
		if (!Number.isFinite(actual[i]) || actual[i] === 0) continue;
		sum += Math.abs((actual[i] - predicted[i]) / actual[i]);
		count++;
	}
	return count > 0 ? (100 * sum) / count : NaN;
}

/** Weighted absolute percentage error: total absolute error over total absolute demand, in percent. */
export function wape(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
	let errors = 0;
	let demand = 0;
	for (let i = 0; i < actual.length; i++) {
		if (!Number.isFinite(actual[i])) continue;
		errors += Math.abs(actual[i] - predicted[i]);
		demand += Math.abs(actual[i]);
	}
	return demand > 0 ? (100 * errors) / demand : NaN;
}

/** Share of points where the forecast fell short of the actual: each one a moment with too few pods. */
export function underForecastRate(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
	let under = 0;
	let count = 0;
	for (let i = 0; i < actual.length; i++) {
		if (!Number.isFinite(actual[i])) continue;
		if (actual[i] > predicted[i]) under++;
		count++;
	}
	return count > 0 ? under / count : NaN;
}

/** Share of actuals at or below the given upper quantile forecast. */
export function coverage(actual: ArrayLike<number>, upper: ArrayLike<number>): number {
	let covered = 0;
	let count = 0;
	for (let i = 0; i < actual.length; i++) {
		if (!Number.isFinite(actual[i])) continue;
		if (actual[i] <= upper[i]) covered++;
		count++;
	}
	return count > 0 ? covered / count : NaN;
}

/**
 * Absolute error where a shortfall weighs `underWeight` times an excess. A
 * shortfall means too few pods during a surge, which costs more than idle pods.
 */
export function asymmetricAbsoluteError(
	actual: ArrayLike<number>,
	predicted: ArrayLike<number>,
	underWeight: number,
): number {
	let sum = 0;
	let count = 0;
	for (let i = 0; i < actual.length; i++) {
		if (!Number.isFinite(actual[i])) continue;
		const error = actual[i] - predicted[i];
		sum += error > 0 ? underWeight * error : -error;
		count++;
	}
	return count > 0 ? sum / count : NaN;
}
