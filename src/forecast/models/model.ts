/**
 * A forecasting model in two steps, as in statsforecast: `fit` learns from a
 * gap-free history, `predict` extends it. Selection and combination live
 * elsewhere so every model stays a small, separately testable unit.
 */
export interface ForecastModel {
	readonly name: string;
	/** Returns null when the model cannot use this history (too short for its seasons, say). */
	fit(history: Float64Array, seasons: readonly number[]): FittedModel | null;
}

export interface FittedModel {
	readonly name: string;
	predict(horizon: number): Float64Array;
	/**
	 * The fitted parameters applied, without re-estimation, to a longer
	 * history that begins like the one fitted. Rolling-origin backtests use it
	 * to score later origins at the cost of a filter pass instead of a new
	 * optimisation; the parameters still never saw anything after the origin.
	 */
	update?(history: Float64Array, seasons: readonly number[]): FittedModel | null;
	/**
	 * Parameters re-estimated on a longer history that begins like the one
	 * fitted, the search starting from the current ones. Later backtest origins
	 * get fresh parameters (nothing after their origin) at a fraction of the
	 * cost of a fit from scratch, because the optimum moves little.
	 */
	refit?(history: Float64Array, seasons: readonly number[]): FittedModel | null;
}
