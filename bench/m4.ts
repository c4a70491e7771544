import { forecast } from '../src/forecast/forecast';
import { mase, seasonalNaiveScale, smape } from '../src/forecast/metrics';
import type { ForecastOptions } from '../src/forecast/types';

/** M4 Hourly: horizon and the seasonal period used in its MASE. */
export const M4_HOURLY = { horizon: 48, season: 24, intervalSeconds: 3600 } as const;

export interface M4Series {
	id: string;
	values: number[];
}

/** Parses an M4 data file: header row, then `"id","v1","v2",...` with trailing empty cells. */
export function parseM4Csv(text: string): M4Series[] {
	const series: M4Series[] = [];
	const lines = text.split(/\r?\n/);
	for (let i = 1; i < lines.length; i++) {
		const line = lines[i].trim();
		if (line === '') continue;
		const cells = line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
		const values: number[] = [];
		for (let c = 1; c < cells.length; c++) {
			if (cells[c] === '') continue;
			const value = Number(cells[c]);
			if (!Number.isFinite(value)) throw new Error(`M4 file line ${i + 1}: "${cells[c]}" is not a number`);
			values.push(value);
		}
		series.push({ id: cells[0], values });
	}
	return series;
}

export interface M4SeriesResult {
	id: string;
	model: string;
	forecast: number[];
	mase: number;
	smape: number;
	/** Share of the actuals at or below the forecast's 0.9 quantile, when the forecaster gives one. */
	p90Coverage?: number;
}

export interface M4Result {
	series: number;
	/** Mean over series of the official M4 MASE (seasonal naive scale, m = 24). */
	mase: number;
	/** Mean over series of the M4 sMAPE, in percent. */
	smape: number;
	seconds: number;
	/** CPU time of the process over the run (user + system): on a shared machine, wall time also counts other work. */
	cpuSeconds: number;
	/** Share of all test actuals at or below the 0.9 quantile, over the series whose forecaster gave one; NaN otherwise. */
	p90Coverage: number;
	/** Series that got no forecast; they are left out of the means. */
	failed: number;
	failedIds: string[];
	forecasts: M4SeriesResult[];
}

export type M4Forecaster = (
	values: number[],
	horizon: number,
) => { forecast: number[]; model: string; p90?: number[] } | null;

/**
 * The engine as the benchmark runs it: every hourly series starts at t = 0,
 * one step per hour. M4 scores a forecast for every series, so the
 * "unpredictable" guard (which makes the node hold instead) is off.
 */
export const engineForecaster =
	(options: Partial<ForecastOptions> = {}): M4Forecaster =>
	(values, horizon) => {
		const t = values.map((_, i) => i * M4_HOURLY.intervalSeconds);
		const result = forecast({ t, v: values }, { horizon, maxBacktestWape: Infinity, ...options });
		if (result.kind !== 'forecast') return null;
		return { forecast: result.points.map((p) => p.mean), model: result.model, p90: result.points.map((p) => p.q['0.9']) };
	};

/** Forecasts every training series and scores it against the test file with the official M4 measures. */
export function runM4(
	trainCsv: string,
	testCsv: string,
	forecaster: M4Forecaster = engineForecaster(),
	onSeries?: (result: M4SeriesResult) => void,
): M4Result {
	const train = parseM4Csv(trainCsv);
	const test = new Map(parseM4Csv(testCsv).map((s) => [s.id, s.values]));
	const started = process.hrtime.bigint();
	const cpuStarted = process.cpuUsage();
	let covered = 0;
	let quantilePoints = 0;
	const forecasts: M4SeriesResult[] = [];
	const failedIds: string[] = [];
	for (const series of train) {
		const actual = test.get(series.id);
		if (!actual) throw new Error(`M4 test file has no series ${series.id}`);
		const horizon = actual.length;
		let output: ReturnType<M4Forecaster> = null;
		try {
			output = forecaster(series.values, horizon);
		} catch {
			output = null;
		}
		if (!output || output.forecast.length !== horizon || !output.forecast.every(Number.isFinite)) {
			failedIds.push(series.id);
			continue;
		}
		const scale = seasonalNaiveScale(series.values, M4_HOURLY.season);
		const result: M4SeriesResult = {
			id: series.id,
			model: output.model,
			forecast: output.forecast,
			mase: mase(actual, output.forecast, scale),
			smape: smape(actual, output.forecast),
		};
		if (output.p90 && output.p90.length === horizon) {
			const upper = output.p90;
			const inside = actual.filter((a, h) => a <= upper[h]).length;
			result.p90Coverage = inside / horizon;
			covered += inside;
			quantilePoints += horizon;
		}
		forecasts.push(result);
		onSeries?.(result);
	}
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const cpu = process.cpuUsage(cpuStarted);
	const average = (pick: (r: M4SeriesResult) => number): number =>
		forecasts.reduce((sum, r) => sum + pick(r), 0) / Math.max(1, forecasts.length);
	return {
		series: forecasts.length,
		mase: average((r) => r.mase),
		smape: average((r) => r.smape),
		seconds,
		cpuSeconds: (cpu.user + cpu.system) / 1e6,
		p90Coverage: quantilePoints > 0 ? covered / quantilePoints : NaN,
		failed: failedIds.length,
		failedIds,
		forecasts,
	};
}

/** M4 submission layout: `id,F1..Fh`, one row per series. */
export function writeM4Submission(forecasts: ReadonlyArray<{ id: string; forecast: number[] }>): string {
	const horizon = forecasts.reduce((max, f) => Math.max(max, f.forecast.length), 0);
	const header = ['id', ...Array.from({ length: horizon }, (_, i) => `F${i + 1}`)].join(',');
	const rows = forecasts.map((f) => [f.id, ...f.forecast.map((v) => String(v))].join(','));
	return [header, ...rows].join('\n') + '\n';
}
