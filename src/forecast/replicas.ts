import type { ForecastOutcome } from './types';

export interface ReplicaOptions {
	/** Demand one pod serves, in the unit of the forecast series (e.g. requests per second). */
	perPodCapacity: number;
	/** Spare capacity on top of the forecast, as a fraction: 0.2 = 20 %. Default 0. */
	headroom?: number;
	/** Pod start-up time: capacity ordered now is ready this much later. */
	leadSeconds: number;
	/** Time until the next scaling run: the capacity must last this long. */
	windowSeconds: number;
	/** Forecast quantile to provision for. Default 0.9; it must be among the forecast's quantiles. */
	quantile?: number;
	/** Unix seconds of the decision; default the time of the last observed point. */
	now?: number;
	/** Floor of the recommendation. Default 1: a forecast of no demand still keeps one pod unless asked otherwise. */
	minReplicas?: number;
	maxReplicas?: number;
	/**
	 * Whole steps: when now + lead falls on a step boundary of the forecast (within ALIGN_GRACE_SECONDS, for
	 * scheduler jitter), the window is the steps from that boundary to the one at its end, not one more: the
	 * run was scheduled one start-up before the boundary, so the step in progress was covered by the previous
	 * run and its pods stay under the HPA while its load lasts (the HPA reads that same step's load), and the
	 * floor can drop for a coming trough exactly when it starts. A run off the boundary (a schedule not set up
	 * for it, a late run) gets the ordinary window, which covers the step in progress as well. Default false.
	 */
	alignToStep?: boolean;
}

export type ReplicaRecommendation =
	| {
			kind: 'replicas';
			replicas: number;
			/** The peak quantile demand inside the window, before capacity and headroom. */
			demand: number;
			quantile: number;
			/** Window [from, to] in unix seconds. */
			from: number;
			to: number;
			/** True when min or max replicas changed the computed count. */
			clamped: boolean;
			/** With alignToStep: whether this run fell on a step boundary (whole steps) or got the ordinary window. */
			aligned?: boolean;
	  }
	| { kind: 'no-recommendation'; reason: string };

/**
 * Replicas to run for the coming window:
 * ceil(peak quantile demand over [now + lead, now + lead + window] / perPodCapacity * (1 + headroom)).
 * Without a usable forecast there is no recommendation (keep what runs), never 0.
 */
/** How far off a step boundary (now + lead) a run may be and still count as on it: scheduler jitter, not a late run. */
export const ALIGN_GRACE_SECONDS = 30;

export function replicasFromForecast(outcome: ForecastOutcome, options: ReplicaOptions): ReplicaRecommendation {
	const { perPodCapacity, leadSeconds, windowSeconds } = options;
	const headroom = options.headroom ?? 0;
	const level = options.quantile ?? 0.9;
	if (!(perPodCapacity > 0) || !Number.isFinite(perPodCapacity)) {
		throw new Error(`perPodCapacity must be a positive number, got ${perPodCapacity}`);
	}
	if (!(headroom >= 0) || !Number.isFinite(headroom)) throw new Error(`headroom must be 0 or more, got ${headroom}`);
	if (!(leadSeconds >= 0)) throw new Error(`leadSeconds must be 0 or more, got ${leadSeconds}`);
	if (!(windowSeconds > 0)) throw new Error(`windowSeconds must be positive, got ${windowSeconds}`);
	const minReplicas = options.minReplicas ?? 1;
	const maxReplicas = options.maxReplicas ?? Infinity;
	if (!(minReplicas >= 0) || maxReplicas < minReplicas) {
		throw new Error(`replica bounds must satisfy 0 <= min <= max, got ${minReplicas}..${maxReplicas}`);
	}
	if (outcome.kind !== 'forecast') return { kind: 'no-recommendation', reason: outcome.reason };
	if (outcome.points.length === 0) return { kind: 'no-recommendation', reason: 'the forecast has no points' };
	const key = String(level);
	if (!(key in outcome.points[0].q)) {
		throw new Error(`the forecast has no ${key} quantile; request it (it has ${Object.keys(outcome.points[0].q).join(', ')})`);
	}
	const interval = outcome.intervalSeconds;
	const now = options.now ?? outcome.points[0].t - interval;
	const origin = outcome.points[0].t;
	const boundary = origin + Math.round((now + leadSeconds - origin) / interval) * interval;
	const aligned = options.alignToStep === true && Math.abs(now + leadSeconds - boundary) <= ALIGN_GRACE_SECONDS;
	const from = aligned ? boundary : now + leadSeconds;
	const to = from + windowSeconds;
	const last = outcome.points[outcome.points.length - 1].t;
	// A point stands for the interval that follows it, so the last one covers up to last + interval.
	if (aligned ? last + interval < to : last + interval <= to) {
		const needed = Math.ceil((to - outcome.points[0].t) / interval) + 1;
		return {
			kind: 'no-recommendation',
			reason: `forecast ends too early: it covers until ${iso(last + interval)} but the window runs to ${iso(to)}; forecast at least ${needed} steps`,
		};
	}
	let demand = -Infinity;
	for (const point of outcome.points) {
		// Include the point whose interval contains `from`, not only those starting inside the window.
		if (point.t + interval > from && (aligned ? point.t < to : point.t <= to)) demand = Math.max(demand, point.q[key]);
	}
	if (!Number.isFinite(demand)) {
		return { kind: 'no-recommendation', reason: `no finite ${key} quantile inside the window ${iso(from)}..${iso(to)}` };
	}
	// Floating-point noise (300 / 100 * 1.1 = 3.3000000000000003) must not buy an extra pod at an exact boundary.
	const raw = Math.ceil((Math.max(0, demand) / perPodCapacity) * (1 + headroom) - 1e-9);
	const replicas = Math.min(maxReplicas, Math.max(minReplicas, raw));
	return { kind: 'replicas', replicas, demand, quantile: level, from, to, clamped: replicas !== raw, ...(options.alignToStep === true ? { aligned } : {}) };
}

function iso(seconds: number): string {
	return new Date(seconds * 1000).toISOString();
}
