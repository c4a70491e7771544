import type { ForecastOutcome, Series } from '../forecast/types';
import { bucketDemand, minuteDemand, type MinuteDemand } from './demand';
import type { PreScaleSettings } from '../prescale';
import { DEFAULT_HPA_BEHAVIOR, DEFAULT_SYNC_SECONDS, HorizontalPodAutoscaler, type HpaBehavior, type MetricReading } from './hpa';
import { perfectForecaster } from './perfect';
import { PodPool } from './pods';
import { PreScalingLoop, type LoopDecision } from './predictive';

export type PolicyName = 'reactive' | 'predictive';
export const POLICY_NAMES: readonly PolicyName[] = ['reactive', 'predictive'];

export interface SimulationOptions {
	/** Demand one ready pod serves (the HPA's target average value per pod), in the series' unit. */
	capacityPerPod: number;
	/** A pod asked for at t serves from t + start-up. Default 90 s. */
	startupSeconds?: number;
	/** HPA bounds. Default 1 and 100. */
	minReplicas?: number;
	maxReplicas?: number;
	/** Default both. */
	policies?: PolicyName[];
	/** The HPA reads the demand of one scrape interval ago. Default 30 s. */
	scrapeSeconds?: number;
	/** HPA sync period and the replay's time resolution. Default 15 s. */
	syncSeconds?: number;
	/** Replayed but not scored: the predictive loop needs history before its first tick. Default 7 days. */
	warmupSeconds?: number;
	/** Pre-scaling loop interval (the workflow's schedule). Default 15 min. */
	cronSeconds?: number;
	/** Refit the forecast this often (a multiple of the loop interval); default every tick, like the workflow. */
	refitSeconds?: number;
	/** History each tick forecasts from. Default 14 days. */
	historySeconds?: number;
	/** Step of that history. Default 5 min, or the series' own interval when coarser. */
	historyStepSeconds?: number;
	/**
	 * The floor's headroom (default 0.05) and forecast quantile (default 0.5). Lower than the Forecast node's
	 * 0.2 and 0.9 on purpose: in a replay the floor sits under a working HPA, so it only needs to carry the
	 * expected demand ahead of time; the HPA above it handles the noise. The node's settings cut more
	 * under-provisioned minutes at 1.3-1.6x the replica-hours (bench/results/simulate.md).
	 */
	headroom?: number;
	quantile?: number;
	/** The Forecast node's Extra Lead: the floor looks this much further ahead than the start-up. Default 0. */
	extraLeadSeconds?: number;
	/** The loop runs this many seconds after each multiple of its interval (a Schedule Trigger cron with seconds). Default 0. */
	runOffsetSeconds?: number;
	/** The Forecast node's Align Window to Steps (PreScaleSettings.alignToStep). Default false. */
	alignToStep?: boolean;
	/**
	 * The HPA's scale-down stabilisation window under the predictive policy (its `behavior.scaleDown`);
	 * default 300 s, Kubernetes' own. The reactive HPA always keeps the default: it is today's setup.
	 */
	scaleDownStabilizationSeconds?: number;
	/** Scores the minutes before and after this time (unix seconds) separately as well: tune span and score span. */
	splitAt?: number;
	/** Policy Gate policy for the predictive loop (YAML/JSON text or object); default `simulationPolicy(min, max)`. */
	policy?: string | Record<string, unknown>;
	/** Fits shared between several replays of the same demand (see PreScalingSettings.forecastCache). */
	forecastCache?: Map<string, ForecastOutcome>;
	/** Levels and reach every fit carries, so replays with other quantiles, leads and refits share fits. */
	sharedFits?: { levels: number[]; reachSeconds: number };
	/**
	 * The loop's ticks shared between replays that differ only in the HPA: the floor a tick sets depends on the
	 * history, the settings, the policy and the floor before it, never on the HPA's own count.
	 */
	floorCache?: Map<string, LoopDecision[]>;
	/** Only the floors and scores are read, not every tick's gate verdict (PreScalingSettings.floorsOnly): the tuner's replays. */
	floorsOnly?: boolean;
	/** A forecast that knows the future instead of the engine: what the loop reaches with a perfect forecast (bench bounds only). */
	perfectForecast?: boolean;
	onProgress?: (progress: { policy: PolicyName; fraction: number; elapsedSeconds: number }) => void;
}

export type ResolvedSimulationOptions = Required<Omit<SimulationOptions, 'policy' | 'onProgress' | 'forecastCache' | 'splitAt' | 'sharedFits' | 'floorCache' | 'perfectForecast' | 'runOffsetSeconds' | 'floorsOnly'>> &
	Pick<SimulationOptions, 'policy' | 'splitAt' | 'runOffsetSeconds'>;

export interface Scores {
	underProvisionedMinutes: number;
	/** Of the scored minutes (minutes with data after the warm-up). */
	underProvisionedShare: number;
	/** Demand above ready capacity integrated over time, in the series' unit x seconds (requests when demand is per second). */
	unservedDemand: number;
	/** Pods that exist, ready or starting, times hours: what the cluster pays for. */
	replicaHours: number;
	peakReplicas: number;
	/** Syncs at which the replica count changed. */
	scaleEvents: number;
}

/** How many fewer under-provisioned minutes than `reactive` (0.8 = 80 % fewer); null when the reactive run had none. */
export function shortMinutesReduction(scores: Scores, reactive: Scores): number | null {
	return reactive.underProvisionedMinutes > 0 ? 1 - scores.underProvisionedMinutes / reactive.underProvisionedMinutes : null;
}

export interface PolicyRun {
	policy: PolicyName;
	scores: Scores;
	/** Per minute of the scored window: the lowest ready capacity, the most replicas, and whether demand exceeded capacity. */
	capacity: Float64Array;
	replicas: Int32Array;
	underProvisioned: Uint8Array;
	/** The pre-scaling loop's ticks (predictive only). */
	decisions: LoopDecision[];
	/** With `splitAt`: the scores of the minutes before it (tune span) and from it on (score span). */
	spans?: { before: Scores; after: Scores };
	seconds: number;
}

export interface SimulationResult {
	demand: MinuteDemand;
	/** Index into demand.values of the first scored minute. */
	scoredFrom: number;
	scoredMinutes: number;
	options: ResolvedSimulationOptions;
	runs: Partial<Record<PolicyName, PolicyRun>>;
}

export function resolveOptions(options: SimulationOptions, sourceIntervalSeconds = 60): ResolvedSimulationOptions {
	const resolved: ResolvedSimulationOptions = {
		capacityPerPod: options.capacityPerPod,
		startupSeconds: options.startupSeconds ?? 90,
		minReplicas: options.minReplicas ?? 1,
		maxReplicas: options.maxReplicas ?? 100,
		policies: options.policies ?? [...POLICY_NAMES],
		scrapeSeconds: options.scrapeSeconds ?? 30,
		syncSeconds: options.syncSeconds ?? DEFAULT_SYNC_SECONDS,
		warmupSeconds: options.warmupSeconds ?? 7 * 86_400,
		cronSeconds: options.cronSeconds ?? 900,
		refitSeconds: options.refitSeconds ?? options.cronSeconds ?? 900,
		historySeconds: options.historySeconds ?? 14 * 86_400,
		historyStepSeconds: options.historyStepSeconds ?? Math.max(300, Math.ceil(sourceIntervalSeconds / 60) * 60),
		headroom: options.headroom ?? 0.05,
		quantile: options.quantile ?? 0.5,
		extraLeadSeconds: options.extraLeadSeconds ?? 0,
		alignToStep: options.alignToStep ?? false,
		scaleDownStabilizationSeconds: options.scaleDownStabilizationSeconds ?? DEFAULT_HPA_BEHAVIOR.scaleDown.stabilizationWindowSeconds,
		policy: options.policy,
		...(options.splitAt !== undefined ? { splitAt: options.splitAt } : {}),
		...(options.runOffsetSeconds !== undefined ? { runOffsetSeconds: options.runOffsetSeconds } : {}),
	};
	const problems: string[] = [];
	const need = (ok: boolean, text: string) => ok || problems.push(text);
	need(Number.isFinite(resolved.capacityPerPod) && resolved.capacityPerPod > 0, `capacity per pod must be a positive number, got ${resolved.capacityPerPod} (fix: the demand one ready pod serves, in the series' unit, e.g. --capacity-per-pod 50)`);
	need(Number.isFinite(resolved.startupSeconds) && resolved.startupSeconds >= 0, `start-up must be 0 s or more, got ${resolved.startupSeconds}`);
	need(Number.isInteger(resolved.minReplicas) && resolved.minReplicas >= 1, `min replicas must be a whole number >= 1, got ${resolved.minReplicas}`);
	need(Number.isInteger(resolved.maxReplicas) && resolved.maxReplicas >= resolved.minReplicas, `max replicas must be a whole number >= min (${resolved.minReplicas}), got ${resolved.maxReplicas}`);
	need(resolved.policies.length > 0 && resolved.policies.every((p) => POLICY_NAMES.includes(p)), `policies must be reactive and/or predictive, got ${resolved.policies.join(',')}`);
	need(resolved.syncSeconds > 0 && 60 % resolved.syncSeconds === 0, `the sync period must divide a minute, got ${resolved.syncSeconds} s`);
	need(resolved.scrapeSeconds >= 0, `the scrape interval must be 0 s or more, got ${resolved.scrapeSeconds}`);
	need(resolved.cronSeconds >= 60 && resolved.cronSeconds % resolved.syncSeconds === 0, `the loop interval must be whole sync periods of at least a minute, got ${resolved.cronSeconds} s`);
	need(
		resolved.runOffsetSeconds === undefined || (Number.isInteger(resolved.runOffsetSeconds / resolved.syncSeconds) && resolved.runOffsetSeconds >= 0 && resolved.runOffsetSeconds < resolved.cronSeconds),
		`the run offset must be whole sync periods from 0 to under the loop interval, got ${resolved.runOffsetSeconds} s`,
	);
	need(resolved.refitSeconds >= resolved.cronSeconds && resolved.refitSeconds % resolved.cronSeconds === 0, `the refit interval must be whole loop intervals, got ${resolved.refitSeconds} s`);
	need(resolved.warmupSeconds >= 0, `the warm-up must be 0 s or more, got ${resolved.warmupSeconds}`);
	need(resolved.historySeconds >= resolved.historyStepSeconds, `the history must span at least one step, got ${resolved.historySeconds} s`);
	need(resolved.headroom >= 0, `headroom must be 0 or more, got ${resolved.headroom}`);
	need(resolved.quantile > 0 && resolved.quantile < 1, `the replica quantile must lie between 0 and 1, got ${resolved.quantile}`);
	need(resolved.extraLeadSeconds >= 0, `the extra lead must be 0 s or more, got ${resolved.extraLeadSeconds}`);
	need(resolved.scaleDownStabilizationSeconds >= 0 && resolved.scaleDownStabilizationSeconds <= 3600, `the scale-down stabilisation must be 0 to 3600 s, got ${resolved.scaleDownStabilizationSeconds}`);
	if (problems.length > 0) throw new Error(problems.join('; '));
	return resolved;
}

/** The Forecast node's settings a replay's predictive loop runs with (one settings type for node, replay and tuner). */
export function prescaleSettings(options: ResolvedSimulationOptions): PreScaleSettings {
	return {
		perPodCapacity: options.capacityPerPod,
		headroom: options.headroom,
		quantile: options.quantile,
		podStartupSeconds: options.startupSeconds,
		extraLeadSeconds: options.extraLeadSeconds,
		runIntervalSeconds: options.cronSeconds,
		minReplicas: options.minReplicas,
		maxReplicas: options.maxReplicas,
		alignToStep: options.alignToStep,
	};
}

/** Replays a demand history through the reactive HPA and/or the predictive loop plus HPA, and scores each. */
export function simulate(series: Series, options: SimulationOptions): SimulationResult {
	const demand = minuteDemand(series);
	const resolved = resolveOptions(options, demand.sourceIntervalSeconds);
	const minutes = demand.values.length;
	const scoredFrom = Math.ceil(resolved.warmupSeconds / 60);
	if (scoredFrom >= minutes) {
		throw new Error(
			`the series covers ${days(minutes * 60)} and the warm-up takes ${days(resolved.warmupSeconds)}: nothing left to score ` +
				'(fix: a longer history, e.g. --range 14d, or a shorter --warmup; the predictive loop needs about 2 days before its first forecast)',
		);
	}
	let scoredMinutes = 0;
	for (let m = scoredFrom; m < minutes; m++) if (!Number.isNaN(demand.values[m])) scoredMinutes++;
	if (scoredMinutes === 0) throw new Error('every minute after the warm-up is a gap: nothing to score (fix: a shorter --warmup or a history with data)');
	const runs: Partial<Record<PolicyName, PolicyRun>> = {};
	for (const policy of resolved.policies) runs[policy] = runPolicy(policy, demand, scoredFrom, scoredMinutes, resolved, options);
	return { demand, scoredFrom, scoredMinutes, options: resolved, runs };
}

function runPolicy(
	policy: PolicyName,
	demand: MinuteDemand,
	scoredFrom: number,
	scoredMinutes: number,
	options: ResolvedSimulationOptions,
	{ onProgress, forecastCache, sharedFits, floorCache, perfectForecast, floorsOnly }: Pick<SimulationOptions, 'onProgress' | 'forecastCache' | 'sharedFits' | 'floorCache' | 'perfectForecast' | 'floorsOnly'>,
): PolicyRun {
	const started = performance.now();
	const { capacityPerPod, syncSeconds, scrapeSeconds, cronSeconds } = options;
	const values = demand.values;
	const minutes = values.length;
	const t0 = demand.start;
	const pods = new PodPool(options.startupSeconds);
	const hpa = new HorizontalPodAutoscaler({ minReplicas: options.minReplicas, maxReplicas: options.maxReplicas, behavior: behaviorFor(policy, options) });
	const loop =
		policy === 'predictive'
			? new PreScalingLoop(bucketDemand(demand, options.historyStepSeconds), {
					prescale: prescaleSettings(options),
					refitSeconds: options.refitSeconds,
					historySeconds: options.historySeconds,
					minReplicas: options.minReplicas,
					maxReplicas: options.maxReplicas,
					policy: options.policy,
					forecastCache,
					floorsOnly: floorsOnly ?? false,
					...(perfectForecast ? { forecaster: perfectForecaster(demand, options.historyStepSeconds) } : {}),
					...(sharedFits ? { levels: sharedFits.levels, reachSeconds: sharedFits.reachSeconds } : {}),
				})
			: null;
	const floorKey = loop && floorCache ? JSON.stringify([prescaleSettings(options), options.refitSeconds, options.historySeconds, options.historyStepSeconds, options.policy ?? null, sharedFits ?? null, perfectForecast ?? false, options.runOffsetSeconds ?? 0, floorsOnly ?? false]) : null;
	const planned = floorKey ? floorCache!.get(floorKey) : undefined;
	const firstValue = values.find((v) => !Number.isNaN(v)) ?? 0;
	pods.seed(clamp(Math.ceil(firstValue / capacityPerPod - 1e-9), options.minReplicas, options.maxReplicas), t0);

	const scored = minutes - scoredFrom;
	const capacity = new Float64Array(scored);
	const replicas = new Int32Array(scored);
	const underProvisioned = new Uint8Array(scored);
	const decisions: LoopDecision[] = [];
	let underMinutes = 0;
	let unserved = 0;
	let replicaSeconds = 0;
	let peak = 0;
	let events = 0;
	const splitMinute = options.splitAt === undefined ? null : Math.max(scoredFrom, Math.min(minutes, Math.ceil((options.splitAt - t0) / 60)));
	const span = [newTally(), newTally()];
	const ticksPerMinute = 60 / syncSeconds;
	const progressEvery = Math.max(1, Math.floor(minutes / 100));

	for (let m = 0; m < minutes; m++) {
		const d = values[m];
		const inWindow = m >= scoredFrom;
		let lowest = Infinity;
		let most = 0;
		let short = false;
		for (let j = 0; j < ticksPerMinute; j++) {
			const t = t0 + m * 60 + j * syncSeconds;
			if (loop && inWindow && (t - (options.runOffsetSeconds ?? 0)) % cronSeconds === 0) {
				const decision = planned ? planned[decisions.length] : loop.tick(t, hpa.minReplicas);
				decisions.push(decision);
				hpa.minReplicas = decision.floor;
			}
			const current = pods.replicas;
			const desired = hpa.sync(t, current, reading(values, t0, t - scrapeSeconds, pods.ready(t), current, capacityPerPod));
			const tally = span[splitMinute !== null && m >= splitMinute ? 1 : 0];
			if (desired !== current) {
				pods.scaleTo(desired, t);
				if (inWindow) {
					events++;
					tally.events++;
				}
			}
			if (!inWindow || Number.isNaN(d)) continue;
			const ready = pods.ready(t) * capacityPerPod;
			lowest = Math.min(lowest, ready);
			most = Math.max(most, pods.replicas);
			replicaSeconds += pods.replicas * syncSeconds;
			tally.replicaSeconds += pods.replicas * syncSeconds;
			if (d > ready) {
				short = true;
				unserved += (d - ready) * syncSeconds;
				tally.unserved += (d - ready) * syncSeconds;
			}
		}
		if (inWindow) {
			const i = m - scoredFrom;
			capacity[i] = Number.isFinite(lowest) ? lowest : NaN;
			replicas[i] = most;
			underProvisioned[i] = short ? 1 : 0;
			if (short) underMinutes++;
			peak = Math.max(peak, most);
			const tally = span[splitMinute !== null && m >= splitMinute ? 1 : 0];
			if (!Number.isNaN(d)) tally.minutes++;
			if (short) tally.under++;
			tally.peak = Math.max(tally.peak, most);
		}
		if (onProgress && (m + 1) % progressEvery === 0) onProgress({ policy, fraction: (m + 1) / minutes, elapsedSeconds: (performance.now() - started) / 1000 });
	}
	if (floorKey && !planned) floorCache!.set(floorKey, decisions);
	return {
		policy,
		scores: {
			underProvisionedMinutes: underMinutes,
			underProvisionedShare: round(underMinutes / scoredMinutes, 6),
			unservedDemand: round(unserved, 3),
			replicaHours: round(replicaSeconds / 3600, 3),
			peakReplicas: peak,
			scaleEvents: events,
		},
		capacity,
		replicas,
		underProvisioned,
		decisions,
		...(splitMinute !== null ? { spans: { before: tallyScores(span[0]), after: tallyScores(span[1]) } } : {}),
		seconds: (performance.now() - started) / 1000,
	};
}

interface Tally {
	minutes: number;
	under: number;
	unserved: number;
	replicaSeconds: number;
	peak: number;
	events: number;
}

function newTally(): Tally {
	return { minutes: 0, under: 0, unserved: 0, replicaSeconds: 0, peak: 0, events: 0 };
}

function tallyScores(t: Tally): Scores {
	return {
		underProvisionedMinutes: t.under,
		underProvisionedShare: t.minutes > 0 ? round(t.under / t.minutes, 6) : 0,
		unservedDemand: round(t.unserved, 3),
		replicaHours: round(t.replicaSeconds / 3600, 3),
		peakReplicas: t.peak,
		scaleEvents: t.events,
	};
}

/** The reactive HPA is today's: Kubernetes' default behaviour. The predictive run may shorten its scale-down window. */
function behaviorFor(policy: PolicyName, options: ResolvedSimulationOptions): HpaBehavior {
	if (policy === 'reactive' || options.scaleDownStabilizationSeconds === DEFAULT_HPA_BEHAVIOR.scaleDown.stabilizationWindowSeconds) return DEFAULT_HPA_BEHAVIOR;
	return { ...DEFAULT_HPA_BEHAVIOR, scaleDown: { ...DEFAULT_HPA_BEHAVIOR.scaleDown, stabilizationWindowSeconds: options.scaleDownStabilizationSeconds } };
}

/** What the HPA reads at a sync: the demand one scrape interval ago, averaged over the pods ready now. */
function reading(values: Float64Array, t0: number, at: number, ready: number, current: number, capacityPerPod: number): MetricReading | null {
	const m = Math.floor((at - t0) / 60);
	const value = m >= 0 && m < values.length ? values[m] : NaN;
	// A gap is a metric the HPA cannot fetch: it keeps the count (only the min/max bounds still apply).
	if (Number.isNaN(value)) return null;
	return { averageValue: ready > 0 ? value / ready : 0, targetAverageValue: capacityPerPod, readyPods: ready, unreadyPods: current - ready };
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}

function round(value: number, digits: number): number {
	return Number(value.toFixed(digits));
}

function days(seconds: number): string {
	const d = seconds / 86_400;
	return d >= 1 ? `${Number(d.toFixed(1))} days` : `${Number((seconds / 3600).toFixed(1))} hours`;
}
