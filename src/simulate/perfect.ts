import type { ForecastOptions, ForecastResult, Series } from '../forecast/types';
import type { MinuteDemand } from './demand';

/**
 * A forecast that knows the future: every level of every step is the highest
 * minute of demand in that step. Replayed through the same loop, floor rule,
 * Policy Gate and HPA as the real forecast, it measures what the loop itself
 * can reach, whatever the forecast: the gap between it and a target is not a
 * forecasting problem. For the benchmark's bounds only; nothing shipped uses it.
 */
export type Forecaster = (series: Series, options: ForecastOptions) => ForecastResult;

export function perfectForecaster(demand: MinuteDemand, stepSeconds: number): Forecaster {
	if (!(stepSeconds >= 60) || stepSeconds % 60 !== 0) throw new Error(`the step must be whole minutes, got ${stepSeconds} s`);
	const perStep = stepSeconds / 60;
	const peakOfStep = (start: number): number => {
		let peak = NaN;
		for (let j = 0; j < perStep; j++) {
			const m = Math.floor((start - demand.start) / 60) + j;
			const value = m >= 0 && m < demand.values.length ? demand.values[m] : NaN;
			if (!Number.isNaN(value)) peak = Number.isNaN(peak) ? value : Math.max(peak, value);
		}
		return peak;
	};
	return (series, options) => {
		const last = series.t[series.t.length - 1];
		const levels = options.quantiles ?? [0.5, 0.9, 0.99];
		const points = [];
		for (let k = 1; k <= options.horizon; k++) {
			const t = last + k * stepSeconds;
			const peak = peakOfStep(t);
			// A step with no data (the end of the history, a gap) asks for nothing beyond the bounds.
			const value = Number.isNaN(peak) ? 0 : peak;
			points.push({ t, mean: value, q: Object.fromEntries(levels.map((level) => [String(level), value])) });
		}
		const perfect = { mase: 0, smape: 0, mape: 0, wape: 0, underForecastRate: 0 };
		return {
			kind: 'forecast',
			model: 'perfect',
			seasons: [],
			intervalSeconds: stepSeconds,
			points,
			backtest: { ...perfect, origins: 1, calibrationWindows: 1, horizon: options.horizon, p90Coverage: 1, baseline: { ...perfect, model: 'perfect' }, candidates: [] },
			history: { points: series.t.length, gaps: 0, outliers: 0 },
		};
	};
}
