import { forecast } from '../forecast/forecast';
import { scaleProposal } from '../forecast/proposal';
import { replicasFromForecast, type ReplicaRecommendation } from '../forecast/replicas';
import type { ForecastOutcome, Series } from '../forecast/types';
import type { ScaleProposal, Target } from '../policy/types';
import { leadSeconds, type PreScaleSettings } from './settings';

/**
 * History -> forecast -> replica floor -> proposal, the chain the Forecast
 * node runs on each item, the replay simulator runs at each tick and the
 * tuner scores. One implementation, so a replay replays what the node does
 * (the stale-data guard included).
 */

export interface PreScaleRun {
	outcome: ForecastOutcome;
	recommendation: ReplicaRecommendation;
	proposal?: ScaleProposal;
}

export interface PreScaleOptions {
	/** Steps to forecast; `stepsToCover` gives the fewest that reach the floor's window. */
	horizon: number;
	seasons?: 'auto' | number[];
	/** Levels to forecast besides the replica quantile. */
	quantiles?: number[];
	maxBacktestWape?: number;
	/** Unix seconds of the decision; undefined = the last data point (a replay of an old history). */
	now?: number;
	/** Builds a Policy Gate proposal against the replicas in force now. */
	proposal?: { target: Target; currentReplicas: number };
}

/** Forecast, floor and (when asked) proposal for one series; no usable forecast gives a reason, never a count. */
export function preScale(series: Series, settings: PreScaleSettings | null, options: PreScaleOptions): PreScaleRun {
	const outcome = forecast(series, {
		horizon: options.horizon,
		...(options.seasons !== undefined ? { seasons: options.seasons } : {}),
		quantiles: forecastLevels(settings, options.quantiles ?? []),
		...(options.maxBacktestWape !== undefined ? { maxBacktestWape: options.maxBacktestWape } : {}),
	});
	const recommendation: ReplicaRecommendation = settings
		? floorRecommendation(outcome, settings, { now: options.now, lastObserved: lastObserved(series) })
		: { kind: 'no-recommendation', reason: 'Per-Pod Capacity is not set, so there is no replica recommendation' };
	const run: PreScaleRun = { outcome, recommendation };
	if (options.proposal) {
		if (!settings) throw new Error('a proposal needs the per-pod capacity: without it there is no replica count to propose');
		run.proposal = floorProposal(options.proposal.target, options.proposal.currentReplicas, outcome, recommendation, settings);
	}
	return run;
}

/** The levels a forecast must carry for these settings: the replica quantile plus whatever else is reported. */
export function forecastLevels(settings: Pick<PreScaleSettings, 'quantile'> | null, others: readonly number[]): number[] {
	const levels = new Set(others);
	if (settings) levels.add(settings.quantile);
	return [...levels].sort((a, b) => a - b);
}

/**
 * The replica floor for [now + start-up + extra lead, + run interval]. A
 * series whose newest point is well before the decision time gets no floor:
 * a metric that stopped reporting leaves no trailing gap for the forecast to see.
 */
export function floorRecommendation(
	outcome: ForecastOutcome,
	settings: PreScaleSettings,
	{ now, lastObserved: last }: { now?: number; lastObserved: number | null },
): ReplicaRecommendation {
	if (outcome.kind === 'forecast' && now !== undefined && last !== null) {
		const age = now - last;
		if (age > staleAfterSeconds(outcome.intervalSeconds)) {
			return {
				kind: 'no-recommendation',
				reason: `stale data: the newest point is from ${new Date(last * 1000).toISOString()}, ${Math.round(age / 60)} min before the decision time; the metric may have stopped reporting`,
			};
		}
	}
	return replicasFromForecast(outcome, {
		perPodCapacity: settings.perPodCapacity,
		headroom: settings.headroom,
		leadSeconds: leadSeconds(settings),
		windowSeconds: settings.runIntervalSeconds,
		quantile: settings.quantile,
		now,
		minReplicas: settings.minReplicas,
		maxReplicas: settings.maxReplicas ?? undefined,
		alignToStep: settings.alignToStep,
	});
}

/** Older than three sampling intervals (and ten minutes) is stale. */
export function staleAfterSeconds(intervalSeconds: number): number {
	return Math.max(3 * intervalSeconds, 600);
}

/** The Policy Gate proposal for a floor; without a floor it proposes the current count with the reason. */
export function floorProposal(target: Target, currentReplicas: number, outcome: ForecastOutcome, recommendation: ReplicaRecommendation, settings: PreScaleSettings): ScaleProposal {
	return scaleProposal({
		target,
		currentReplicas,
		outcome,
		recommendation,
		replicas: {
			perPodCapacity: settings.perPodCapacity,
			headroom: settings.headroom,
			leadSeconds: leadSeconds(settings),
			windowSeconds: settings.runIntervalSeconds,
			quantile: settings.quantile,
		},
	});
}

/** Forecast steps after the last point that reach the end of the floor's window, `beyond` seconds later still. */
export function stepsToCover(settings: PreScaleSettings, intervalSeconds: number, lastPoint: number, now: number, beyond = 0): number {
	// Aligned, the window may start up to a step after now + lead.
	const reach = now + leadSeconds(settings) + settings.runIntervalSeconds + beyond + (settings.alignToStep ? intervalSeconds : 0);
	return Math.max(1, Math.ceil((reach - lastPoint) / intervalSeconds));
}

export function lastObserved(series: Series): number | null {
	let last: number | null = null;
	series.t.forEach((t, i) => {
		const v = series.v[i];
		if (v !== null && Number.isFinite(v) && (last === null || t > last)) last = t;
	});
	return last;
}
