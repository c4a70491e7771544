/**
 * The stretch of history the recursive models (SARIMA, Holt-Winters) estimate
 * their parameters on: the most recent ESTIMATION_POINTS, or five cycles of
 * the season when that is longer. Each search step is a pass over this
 * stretch, so weeks of 5-minute data would cost a multiple of an hourly M4
 * series for parameters that describe the recent dynamics no better; the
 * fitted model still filters the whole history before forecasting.
 */
export const ESTIMATION_POINTS = 1500;

export function estimationWindow(history: Float64Array, period: number): Float64Array {
	const length = Math.max(ESTIMATION_POINTS, 5 * period);
	return history.length > length ? history.subarray(history.length - length) : history;
}
