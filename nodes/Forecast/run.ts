import type { ChartFormat, ChartSpec } from '../../src/chart';
import { forecast, forecastToJson, inferIntervalSeconds, replicasFromForecast } from '../../src/forecast';
import type { ForecastOutcome, ReplicaRecommendation, Series } from '../../src/forecast';
import type { ScaleProposal, Target } from '../../src/policy';
import { scaleProposal } from './proposal';
import { Seasonality, SettingsError, horizonSteps, seasonSteps } from './settings';

export interface ReplicaSettings {
	perPodCapacity: number;
	headroom: number;
	leadSeconds: number;
	windowSeconds: number;
	quantile: number;
	minReplicas: number;
	/** null = no upper bound. */
	maxReplicas: number | null;
}

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
	const levels = new Set(settings.quantiles);
	if (settings.replicas) levels.add(settings.replicas.quantile);
	const reported = [...levels].sort((a, b) => a - b);
	if (settings.chart) [0.5, ...BANDS[settings.chart.band]].forEach((level) => levels.add(level));
	const outcome = forecast(series, {
		horizon,
		seasons: seasonSteps(settings.seasonality, settings.seasons, interval),
		quantiles: [...levels].sort((a, b) => a - b),
		...(settings.maxBacktestWape !== undefined ? { maxBacktestWape: settings.maxBacktestWape } : {}),
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

	const recommendation = recommend(outcome, series, settings);
	const result: SeriesResult = {
		forecast: forecastJson,
		recommendation: recommendationJson(recommendation, settings.replicas),
		outcome,
	};
	if (outcome.kind !== 'forecast') result.noForecast = outcome.reason;
	if (settings.proposal) {
		if (!settings.replicas) throw new SettingsError('Policy Gate Proposal needs Per-Pod Capacity: without it there is no replica count to propose');
		result.proposal = scaleProposal({
			target: settings.proposal.target,
			currentReplicas: settings.proposal.currentReplicas,
			outcome,
			recommendation,
			replicas: {
				perPodCapacity: settings.replicas.perPodCapacity,
				headroom: settings.replicas.headroom,
				leadSeconds: settings.replicas.leadSeconds,
				windowSeconds: settings.replicas.windowSeconds,
				quantile: settings.replicas.quantile,
			},
		});
	}
	if (settings.chart) result.chart = chartSpec(series, outcome, recommendation, settings);
	return result;
}

function recommend(outcome: ForecastOutcome, series: Series, settings: SeriesSettings): ReplicaRecommendation {
	const replicas = settings.replicas;
	if (!replicas) return { kind: 'no-recommendation', reason: 'Per-Pod Capacity is not set, so there is no replica recommendation' };
	const last = lastObserved(series);
	const now = settings.decisionTime ?? undefined;
	if (outcome.kind === 'forecast' && now !== undefined && last !== null) {
		// A series that simply ends (the target is gone, the scrape broke) has no trailing gaps for the engine to see.
		const age = now - last;
		if (age > Math.max(3 * outcome.intervalSeconds, 600)) {
			return {
				kind: 'no-recommendation',
				reason: `stale data: the newest point is from ${new Date(last * 1000).toISOString()}, ${Math.round(age / 60)} min before the decision time; the metric may have stopped reporting`,
			};
		}
	}
	return replicasFromForecast(outcome, {
		perPodCapacity: replicas.perPodCapacity,
		headroom: replicas.headroom,
		leadSeconds: replicas.leadSeconds,
		windowSeconds: replicas.windowSeconds,
		quantile: replicas.quantile,
		now,
		minReplicas: replicas.minReplicas,
		maxReplicas: replicas.maxReplicas ?? undefined,
	});
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

function lastObserved(series: Series): number | null {
	let last: number | null = null;
	series.t.forEach((t, i) => {
		const v = series.v[i];
		if (v !== null && Number.isFinite(v) && (last === null || t > last)) last = t;
	});
	return last;
}

function pick(q: Record<string, number>, keys: Set<string>): Record<string, number> {
	return Object.fromEntries(Object.entries(q).filter(([key]) => keys.has(key)));
}
