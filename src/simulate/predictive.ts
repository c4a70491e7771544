import { forecast } from '../forecast/forecast';
import type { ForecastOutcome } from '../forecast/types';
import { evaluateInputs, type InputDocument } from '../policy/gate';
import { parsePolicy } from '../policy/parse';
import { validatePolicy } from '../policy/policy';
import { planScale, scaleBounds, type ScaleBounds } from '../policy/scaling';
import { snapshot } from '../shared/snapshot';
import type { Decision, PolicyResult, Target } from '../policy/types';
import { floorProposal, floorRecommendation, forecastLevels, leadSeconds, type PreScaleSettings } from '../prescale';
import type { DemandBuckets } from './demand';
import type { Forecaster } from './perfect';

/**
 * The shipped pre-scaling loop, one cron tick at a time: the history before
 * the tick (as a range query at the history step would return it), then the
 * same pipeline the Forecast node runs (src/prescale: forecast, replica floor
 * for [now + start-up + extra lead, + run interval], stale-data guard, scale
 * proposal) and the Policy Gate with its state carried from tick to tick.
 * Only an `apply` verdict moves the HPA floor, as in the workflow; hold,
 * approval (nobody answers in a replay) and reject leave it.
 */
export interface PreScalingSettings {
	/** The Forecast node's settings; its run interval is the loop's schedule. */
	prescale: PreScaleSettings;
	/**
	 * How often the loop refits the forecast; default every tick, as the workflow does. Longer
	 * (a multiple of the run interval) fits at each multiple of it (unix time) on the history up to
	 * that moment and serves the ticks until the next one from that fit, for replays of long
	 * histories: a reused fit saw nothing after the moment it was made at, and loops on other
	 * schedules (a run offset, Align Window to Steps) share the same fits.
	 */
	refitSeconds?: number;
	historySeconds: number;
	/** Policy Gate policy: YAML/JSON text or an object; default `simulationPolicy(min, max)`. */
	policy?: string | Record<string, unknown>;
	/** The HPA's own bounds. */
	minReplicas: number;
	maxReplicas: number;
	/**
	 * Fits shared between replays of the same demand (several headroom or policy settings): a fit
	 * depends only on the history, the horizon and the quantile levels, which make up its key.
	 */
	forecastCache?: Map<string, ForecastOutcome>;
	/** Levels every fit carries besides the replica quantile, so replays at other quantiles share fits. */
	levels?: number[];
	/** Every fit reaches at least this far past its tick, so replays with other leads and refits share it. */
	reachSeconds?: number;
	/**
	 * The caller reads only the floors (the tuner's replays): a tick whose proposal the gate's clamps leave at
	 * the current floor cannot be applied (the gate's change check holds it), so the gate is not asked and the
	 * tick records a hold without the gate's reason. The floors, and the gate's state, are the same either way.
	 */
	floorsOnly?: boolean;
	/** Replaces the forecast engine (the benchmark's perfect-forecast bound, src/simulate/perfect.ts); everything after the forecast is unchanged. */
	forecaster?: Forecaster;
}

export interface LoopDecision {
	/** Unix seconds of the tick. */
	at: number;
	/** The forecast's replica floor, or null with the reason. */
	recommended: number | null;
	reason?: string;
	/** Backtest MAPE and WAPE of the forecast as fractions, what the accuracy gate reads. */
	mape?: number;
	wape?: number;
	decision: Decision;
	/** The gate's summary: which check decided. */
	gate: string;
	/** HPA floor after this tick. */
	floor: number;
}

export const SIMULATION_TARGET: Target = { cluster: 'replay', namespace: 'replay', kind: 'Deployment', name: 'replayed-workload' };

/**
 * The default policy of a replay: the package's scaling defaults (its
 * accuracy gate included), except one choice a floor needs: `allowScaleIn:
 * true` with 50 % steps, because the replay moves the HPA floor and a floor
 * that could only rise would keep the day's peak all night (the HPA still
 * scales down on its own, with its 300 s stabilisation, once the floor drops).
 */
export function simulationPolicy(minReplicas: number, maxReplicas: number): Record<string, unknown> {
	return {
		minReplicas,
		maxReplicas,
		maxStepUpPercent: 100,
		maxStepUpPods: 4,
		allowScaleIn: true,
		maxStepDownPercent: 50,
		cooldownSeconds: 300,
		approvalFactor: 10,
	};
}

export class PreScalingLoop {
	/** Validated once: every tick's gate reads the same policy, as the node's gate reads its parameter. */
	private readonly policyResult: PolicyResult;
	private readonly bounds: ScaleBounds;
	private readonly quantiles: number[];
	private state: { lastActionAt?: string; consecutiveErrors: number } = { consecutiveErrors: 0 };
	private cached: { key: string; at: number; outcome: ForecastOutcome } | null = null;

	constructor(
		private readonly buckets: DemandBuckets,
		private readonly settings: PreScalingSettings,
	) {
		const policy = settings.policy ?? simulationPolicy(settings.minReplicas, settings.maxReplicas);
		// Validated once here; the resolved policy is itself a valid policy document for every tick's gate.
		const parsed = typeof policy === 'string' ? parsePolicy(policy) : validatePolicy(policy);
		if (!parsed.ok) throw new Error(`the policy is invalid: ${parsed.issues.map((i) => `${i.path}: ${i.message} (fix: ${i.fix})`).join('; ')}`);
		if (parsed.policy.minReplicas === undefined || parsed.policy.maxReplicas === undefined) {
			throw new Error('the policy has no minReplicas/maxReplicas (fix: add both; the replay scales with them)');
		}
		this.policyResult = parsed;
		this.bounds = scaleBounds(parsed.policy)!;
		this.quantiles = forecastLevels(settings.prescale, settings.levels ?? [0.5, 0.9]);
	}

	/** One tick at `now`, with the HPA floor in force; returns the decision and the floor after it. */
	tick(now: number, floor: number): LoopDecision {
		const { buckets, settings } = this;
		const step = buckets.stepSeconds;
		// Only whole steps that ended by now: the tick must not see the step it runs in.
		const end = Math.min(buckets.values.length, Math.floor((now - buckets.origin) / step));
		const begin = Math.max(0, end - Math.floor(settings.historySeconds / step));
		const outcome = this.forecastFor(now, end);
		const recommendation = floorRecommendation(outcome, settings.prescale, { now, lastObserved: this.lastObserved(begin, end) });
		const recommended = recommendation.kind === 'replicas' ? recommendation.replicas : null;
		if (settings.floorsOnly && planScale(floor, recommended ?? floor, this.bounds, 'forecast').final === floor) {
			return { at: now, recommended, decision: 'hold', gate: 'change: not asked (the clamped proposal equals the current floor)', floor };
		}
		const proposal = floorProposal(SIMULATION_TARGET, floor, outcome, recommendation, settings.prescale);
		const verdict = evaluateInputs({ proposal: document(proposal), policy: this.policyResult, state: document(this.state), now: new Date(now * 1000) });
		let next = floor;
		if (verdict.decision === 'apply' && typeof verdict.value === 'number') {
			next = verdict.value;
			this.state = { ...this.state, lastActionAt: new Date(now * 1000).toISOString() };
		}
		const decision: LoopDecision = {
			at: now,
			recommended,
			decision: verdict.decision,
			gate: verdict.reason,
			floor: next,
		};
		if (recommendation.kind !== 'replicas') decision.reason = recommendation.reason;
		if (outcome.backtest && Number.isFinite(outcome.backtest.mape)) decision.mape = outcome.backtest.mape / 100;
		if (outcome.backtest && Number.isFinite(outcome.backtest.wape)) decision.wape = outcome.backtest.wape / 100;
		return decision;
	}

	/** Start time of the newest step with data in the history: what the stale-data guard reads. */
	private lastObserved(begin: number, end: number): number | null {
		const { origin, stepSeconds, values } = this.buckets;
		for (let k = end - 1; k >= begin; k--) if (values[k] !== null) return origin + k * stepSeconds;
		return null;
	}

	private forecastFor(now: number, end: number): ForecastOutcome {
		const { settings } = this;
		const cron = settings.prescale.runIntervalSeconds;
		const refit = Math.max(cron, settings.refitSeconds ?? cron);
		const { origin, stepSeconds, values } = this.buckets;
		// Every run fits at its own time, as the node does; a longer refit fits at its multiples of unix time,
		// so that the fit does not depend on when in the interval the loop runs.
		const fitAt = refit > cron ? Math.floor(now / refit) * refit : now;
		const fitEnd = Math.min(end, Math.max(0, Math.floor((fitAt - origin) / stepSeconds)));
		const fitBegin = Math.max(0, fitEnd - Math.floor(settings.historySeconds / stepSeconds));
		// Two ticks inside one history step see the same history: one fit serves both.
		const key = `${fitBegin}:${fitEnd}`;
		if (this.cached && (this.cached.key === key || (refit === cron && now - this.cached.at < refit))) return this.cached.outcome;
		// Far enough to cover the window of the last tick this fit serves (one step more: ticks inside a step share it).
		const lastPoint = origin + (fitEnd - 1) * stepSeconds;
		const aligned = settings.prescale.alignToStep ? stepSeconds : 0;
		const served = refit > cron ? refit + cron : refit;
		const reach = Math.max(served + stepSeconds + aligned + leadSeconds(settings.prescale), settings.reachSeconds ?? 0);
		const horizon = Math.max(1, Math.ceil((fitAt + reach - lastPoint) / stepSeconds));
		const t: number[] = [];
		const v: Array<number | null> = [];
		for (let k = fitBegin; k < fitEnd; k++) {
			t.push(origin + k * stepSeconds);
			v.push(values[k]);
		}
		const shared = `${stepSeconds}:${fitBegin}:${fitEnd}:${horizon}:${this.quantiles.join(',')}`;
		let outcome = settings.forecastCache?.get(shared);
		if (!outcome) {
			try {
				outcome = (settings.forecaster ?? forecast)({ t, v }, { horizon, quantiles: this.quantiles });
			} catch (error) {
				// The workflow treats an engine error like no forecast: no action, with the reason.
				outcome = { kind: 'no-forecast', reason: `forecast failed: ${(error as Error).message}`, seasons: [], intervalSeconds: stepSeconds, history: { points: t.length, gaps: 0, outliers: 0 } };
			}
			settings.forecastCache?.set(shared, outcome);
		}
		this.cached = { key, at: fitAt, outcome };
		return outcome;
	}
}

function document(value: unknown): InputDocument {
	const copy = snapshot(value);
	return copy.ok ? { ok: true, value: copy.value } : { ok: false, message: `${copy.path.slice(1) || 'value'} ${copy.problem}`.trim() };
}
