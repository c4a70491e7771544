/** A metric history: unix seconds and values; null or NaN marks a gap, never zero. */
export interface Series {
	t: number[];
	v: Array<number | null>;
}

export interface ForecastOptions {
	/** Steps ahead, in units of the sampling interval. */
	horizon: number;
	/** Seasonal periods in steps, or 'auto' to detect daily and weekly cycles. Default 'auto'. */
	seasons?: 'auto' | number[];
	/** Quantile levels in (0, 1). Default [0.5, 0.9, 0.99]. */
	quantiles?: number[];
	/** Sampling interval; default the median spacing of the timestamps. */
	intervalSeconds?: number;
	/** How much more a shortfall (too few pods) counts than an excess when ranking models. Default 2. */
	underForecastWeight?: number;
	/** Rolling-origin backtest windows for choosing models. Default 8, fewer for long histories (never under 3), so one forecast stays fast. */
	backtestOrigins?: number;
	/** How many of the best models to combine. Default 6. */
	combine?: number;
	/** Above this backtest WAPE (percent) the series is called unpredictable. Default 100. */
	maxBacktestWape?: number;
	/** Residuals beyond this many robust standard deviations are treated as spikes or outages. Default 5; Infinity turns it off. */
	outlierThreshold?: number;
	/** Restricts the candidates to these model names (as reported in results). */
	models?: string[];
}

export interface ForecastPoint {
	/** Unix seconds. */
	t: number;
	mean: number;
	/** Keyed by the level as written, e.g. '0.9'. */
	q: Record<string, number>;
}

export interface AccuracyScores {
	/** Mean absolute error over the in-sample seasonal naive error of the history before each origin. */
	mase: number;
	smape: number;
	mape: number;
	wape: number;
	/** Share of backtest points where the forecast was below the actual. */
	underForecastRate: number;
}

export interface CandidateScore {
	model: string;
	/** Asymmetric scaled loss over the backtest windows; lower is better. */
	loss: number;
	mase: number;
	/** Weight in the combination, 0 when not selected. */
	weight: number;
}

export interface BacktestReport extends AccuracyScores {
	/** Windows the models were ranked on; the scores above are over these. */
	origins: number;
	/** Windows whose errors calibrate the quantiles: the ranking windows plus extra ones for short horizons. */
	calibrationWindows: number;
	horizon: number;
	/** Share of backtest actuals at or below the 0.9 quantile, each window scored with quantiles calibrated on the others. */
	p90Coverage: number;
	/** The seasonal naive forecast on the same windows, for comparison. */
	baseline: AccuracyScores & { model: string };
	candidates: CandidateScore[];
}

export interface HistoryReport {
	points: number;
	gaps: number;
	/** Points treated as spikes or outages and replaced for fitting. */
	outliers: number;
}

export interface ForecastResult {
	kind: 'forecast';
	/** The winning model, or `combination(a,b,c)` when several are combined. */
	model: string;
	seasons: number[];
	intervalSeconds: number;
	points: ForecastPoint[];
	backtest: BacktestReport;
	history: HistoryReport;
}

export interface NoForecast {
	kind: 'no-forecast';
	/** Why, in words an SRE can act on. */
	reason: string;
	seasons: number[];
	intervalSeconds: number | null;
	history: HistoryReport;
	backtest?: BacktestReport;
}

export type ForecastOutcome = ForecastResult | NoForecast;
