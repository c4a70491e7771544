import type { ChartFormat, ChartSpec } from '../chart';
import { forecastToJson, inferIntervalSeconds } from '../forecast';
import type { ForecastOutcome, ReplicaRecommendation, Series } from '../forecast';
import type { ScaleProposal, Target } from '../policy';
import { lastObserved, preScale } from './pipeline';
import type { PreScaleSettings } from './settings';
import { Seasonality, SettingsError, horizonSteps, seasonSteps } from './seriesSettings';

/** The node's replica parameters are the engine's pre-scaling settings, so the tuner's output pastes in as is. */
export type ReplicaSettings = PreScaleSettings;

export type ChartBand = 'p10-p90' | 'p50-p99';

export interface SeriesSettings {
	horizon: string;
	seasonality: Seasonality;
	seasons: string;
	quantiles: number[];
	/** null: Per-Pod Capacity not set, so no recommendation. */
	replicas: ReplicaSettings | null;
	/** Unix seconds the replica window starts from; null = the last data point. */
	decisionTime: number | null;
	maxBacktestWape?: number;
	chart: { format: ChartFormat; band: ChartBand; historySeconds: number | null; title: string } | null;
	proposal: { target: Target; currentReplicas: number } | null;
}

export interface SeriesResult {
	forecast: Record<string, unknown>;
	noForecast?: string;
	recommendation: Record<string, unknown>;
	proposal?: ScaleProposal;
	chart?: ChartSpec;
	outcome: ForecastOutcome;
}

const BANDS: Record<ChartBand, [number, number]> = { 'p10-p90': [0.1, 0.9], 'p50-p99': [0.5, 0.99] };

/**
 * One series through the engine: forecast, replica recommendation, optional
 * proposal and chart. A history that cannot carry a forecast gives a reason,
 * never an error and never a replica count.
 */
export function forecastSeries(series: Series, settings: SeriesSettings): SeriesResult {
	const interval = inferIntervalSeconds(series.t);
	const horizon = horizonSteps(settings.horizon, interval);
	const reported = [...new Set([...settings.quantiles, ...(settings.replicas ? [settings.replicas.quantile] : [])])].sort((a, b) => a - b);
	const chartLevels = settings.chart ? [0.5, ...BANDS[settings.chart.band]] : [];
	if (settings.proposal && !settings.replicas) throw new SettingsError('Policy Gate Proposal needs Per-Pod Capacity: without it there is no replica count to propose');
	const { outcome, recommendation, proposal } = preScale(series, settings.replicas, {
		horizon,
		seasons: seasonSteps(settings.seasonality, settings.seasons, interval),
		quantiles: [...settings.quantiles, ...chartLevels],
		...(settings.maxBacktestWape !== undefined ? { maxBacktestWape: settings.maxBacktestWape } : {}),
		now: settings.decisionTime ?? undefined,
		...(settings.proposal ? { proposal: settings.proposal } : {}),
	});

	const json = forecastToJson(outcome);
	const keep = new Set(reported.map(String));
	const points = outcome.kind === 'forecast' ? outcome.points.map((p) => ({ ...p, q: pick(p.q, keep) })) : [];
	const forecastJson: Record<string, unknown> = {
		kind: outcome.kind,
		...json,
		points: (json.points as Array<Record<string, unknown>>).map((p, i) => ({ ...p, q: points[i].q })),
		horizonSteps: horizon,
	};

	const result: SeriesResult = {
		forecast: forecastJson,
		recommendation: recommendationJson(recommendation, settings.replicas),
		outcome,
	};
	if (outcome.kind !== 'forecast') result.noForecast = outcome.reason;
	if (proposal) result.proposal = proposal;
	if (settings.chart) result.chart = chartSpec(series, outcome, recommendation, settings);
	return result;
}

function recommendationJson(recommendation: ReplicaRecommendation, replicas: ReplicaSettings | null): Record<string, unknown> {
	if (recommendation.kind !== 'replicas' || !replicas) return recommendation;
	return {
		kind: 'replicas',
		replicas: recommendation.replicas,
		demand: recommendation.demand,
		quantile: recommendation.quantile,
		from: new Date(recommendation.from * 1000).toISOString(),
		to: new Date(recommendation.to * 1000).toISOString(),
		clamped: recommendation.clamped,
		// With Align Window to Steps: whether this run fell on a step boundary (a schedule off it gets the ordinary window).
		...(recommendation.aligned !== undefined ? { aligned: recommendation.aligned } : {}),
		perPodCapacity: replicas.perPodCapacity,
		headroom: replicas.headroom,
	};
}

function chartSpec(series: Series, outcome: ForecastOutcome, recommendation: ReplicaRecommendation, settings: SeriesSettings): ChartSpec {
	const chart = settings.chart!;
	const points = outcome.kind === 'forecast' ? outcome.points : [];
	const interval = outcome.intervalSeconds ?? 60;
	const end = lastObserved(series) ?? Math.max(...series.t);
	const span = chart.historySeconds ?? Math.max(4 * points.length * interval, 6 * 3600);
	const shown = series.t.map((t, i) => [t, series.v[i]] as const).filter(([t]) => t > end - span && t <= end);
	shown.sort((a, b) => a[0] - b[0]);
	const [low, high] = BANDS[chart.band];
	const percent = (level: number): string => `p${Math.round(level * 1000) / 10}`;
	const subtitle =
		outcome.kind === 'forecast'
			? [
					recommendation.kind === 'replicas' ? `${recommendation.replicas} replicas for ${percent(recommendation.quantile)} demand ${Number(recommendation.demand.toPrecision(4))}` : null,
					Number.isFinite(outcome.backtest.mape) ? `backtest MAPE ${outcome.backtest.mape.toFixed(1)}%` : null,
					outcome.model,
				]
					.filter(Boolean)
					.join(' | ')
			: `no forecast: ${outcome.reason}`;
	return {
		title: chart.title,
		subtitle,
		history: { t: shown.map(([t]) => t), v: shown.map(([, v]) => v) },
		forecast: {
			t: points.map((p) => p.t),
			line: points.map((p) => p.q['0.5']),
			lineLabel: 'p50 forecast',
			lower: points.map((p) => p.q[String(low)]),
			upper: points.map((p) => p.q[String(high)]),
			bandLabel: `${percent(low)}-${percent(high)}`,
		},
		now: marker(settings.decisionTime, end, points.length > 0 ? points[points.length - 1].t : end),
		...(recommendation.kind === 'replicas' && settings.replicas
			? { reference: { value: recommendation.replicas * settings.replicas.perPodCapacity, label: `capacity of ${recommendation.replicas} pods` } }
			: {}),
	};
}

/** The decision time, unless it lies outside the drawn range (replaying old data with a wall-clock decision time). */
function marker(decisionTime: number | null, lastData: number, lastForecast: number): number {
	return decisionTime !== null && decisionTime >= lastData && decisionTime <= lastForecast ? decisionTime : lastData;
}

function pick(q: Record<string, number>, keys: Set<string>): Record<string, number> {
	return Object.fromEntries(Object.entries(q).filter(([key]) => keys.has(key)));
}
