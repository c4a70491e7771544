import type { ForecastOutcome, Series } from '../forecast/types';
import { parsePolicy } from '../policy/parse';
import { validatePolicy } from '../policy/policy';
import type { ResolvedPolicy } from '../policy/types';
import { simulationPolicy } from './predictive';
import { resolveOptions, simulate, type Scores, type SimulationOptions } from './simulate';
import { minuteDemand } from './demand';

/**
 * The tuner: replays the user's own history once per combination of the
 * pre-scaling knobs, picks on the span before `splitAt` only, and reports the
 * pick's scores on the span after it, which the search never saw. Every
 * replay runs the same pipeline and Policy Gate as the node; fits are shared
 * between replays (a fit depends only on the history before its tick), so the
 * search costs one set of fits plus one cheap replay per combination.
 */

export interface TuneGrid {
	quantiles: number[];
	headrooms: number[];
	extraLeadSeconds: number[];
	/** The policy's maxStepDownPercent (with allowScaleIn): how far one run may lower the floor. */
	stepDownPercents: number[];
	/** The HPA's scale-down stabilisation window under the predictive policy. */
	stabilizationSeconds: number[];
	/** Refit cadences of the replay (the node refits every run; a longer refit uses older fits). */
	refitSeconds: number[];
	/** The loop's schedule (the Forecast node's Run Interval): a shorter one lets the floor follow the forecast's shape. */
	runIntervalSeconds: number[];
	/** The Forecast node's Align Window to Steps: whole forecast steps from the first after start-up, the step in progress left to the HPA. */
	alignToStep: boolean[];
}

export const DEFAULT_TUNE_GRID: Omit<TuneGrid, 'refitSeconds' | 'runIntervalSeconds'> = {
	quantiles: [0.5, 0.6, 0.7, 0.8, 0.9],
	headrooms: [0, 0.05, 0.1, 0.2],
	extraLeadSeconds: [0, 900],
	stepDownPercents: [25, 100],
	stabilizationSeconds: [0, 300],
	alignToStep: [false, true],
};

/** What the user asks for: the cheapest setting under a share of short minutes, or the safest under a cost. */
export type TuneTarget = { kind: 'under'; maxShare: number } | { kind: 'cost'; maxRatio: number };

export interface TunedSettings {
	quantile: number;
	headroom: number;
	extraLeadSeconds: number;
	maxStepDownPercent: number;
	scaleDownStabilizationSeconds: number;
	refitSeconds: number;
	runIntervalSeconds: number;
	alignToStep: boolean;
	/** Seconds after each multiple of the run interval the loop runs: one lead before a step boundary when aligned, else 0. */
	runOffsetSeconds: number;
}

export interface TunePoint {
	settings: TunedSettings;
	/** Scores on the tune span (before the split) and the score span (after it). */
	tune: Scores;
	score: Scores;
}

export interface TuneOptions {
	/** The replay's fixed settings: capacity, start-up, bounds, schedule, history, warm-up, base policy. */
	base: SimulationOptions;
	/** Unix seconds: tune before, score from here on. */
	splitAt: number;
	target: TuneTarget;
	grid?: Partial<TuneGrid>;
	onProgress?: (progress: { stage: 'fits' | 'replays'; done: number; total: number; elapsedSeconds: number }) => void;
}

export interface TuneResult {
	splitAt: number;
	target: TuneTarget;
	grid: TuneGrid;
	reactive: { tune: Scores; score: Scores };
	/** The shipped workflow's settings (p90, +20 %, no scale-in) and the replay's default (p50, +5 %). */
	workflowDefaults: TunePoint;
	replayDefaults: TunePoint;
	points: TunePoint[];
	/** Points no other point beats on both tune-span scores, cheapest first. */
	frontier: TunePoint[];
	/** The cheapest (or safest) point meeting the target on the tune span; null when none does. */
	chosen: TunePoint | null;
	/** When nothing meets the target: the point closest to it, and why. */
	closest: TunePoint;
	explanation: string;
	/** The base policy with the tuned scale-in fields, ready for the Policy Gate. */
	policy: ResolvedPolicy | null;
	spans: { tune: { from: number; to: number }; score: { from: number; to: number } };
	/** Medians over the loop's ticks of the forecasts' backtest errors (fractions): what an accuracy gate reads. */
	backtest: { mape: number | null; wape: number | null };
	seconds: { fits: number; total: number };
}

/** The knobs of today's defaults, replayed like every grid point so they sit on the same chart. */
function defaults(refitSeconds: number, runIntervalSeconds: number): { workflow: TunedSettings; replay: TunedSettings } {
	// The Forecast node's quantile and headroom under the replay's policy (50 % scale-in steps), as bench/results/simulate.md
	// has always compared them; the shipped workflow's allowScaleIn: false would keep each day's peak all night.
	return {
		workflow: { quantile: 0.9, headroom: 0.2, extraLeadSeconds: 0, maxStepDownPercent: 50, scaleDownStabilizationSeconds: 300, refitSeconds, runIntervalSeconds, alignToStep: false, runOffsetSeconds: 0 },
		replay: { quantile: 0.5, headroom: 0.05, extraLeadSeconds: 0, maxStepDownPercent: 50, scaleDownStabilizationSeconds: 300, refitSeconds, runIntervalSeconds, alignToStep: false, runOffsetSeconds: 0 },
	};
}

export function tune(series: Series, options: TuneOptions): TuneResult {
	const started = performance.now();
	const demand = minuteDemand(series);
	const resolved = resolveOptions(options.base, demand.sourceIntervalSeconds);
	const scoredFrom = demand.start + Math.ceil(resolved.warmupSeconds / 60) * 60;
	const end = demand.start + demand.values.length * 60;
	const day = 86_400;
	if (!(options.splitAt > scoredFrom + day / 2 && options.splitAt < end - day / 2)) {
		throw new TuneError(
			`the split ${iso(options.splitAt)} must leave at least half a day on each side inside the scored span ${iso(scoredFrom)} .. ${iso(end)} ` +
				'(fix: a --split between those times, or a longer history; the first --warmup is replayed but not scored)',
		);
	}
	const refits = options.grid?.refitSeconds ?? [resolved.refitSeconds];
	const crons = options.grid?.runIntervalSeconds ?? [resolved.cronSeconds];
	const grid: TuneGrid = { ...DEFAULT_TUNE_GRID, ...options.grid, refitSeconds: refits, runIntervalSeconds: crons };
	for (const [name, values] of Object.entries(grid)) if (values.length === 0) throw new TuneError(`the tuning grid has no ${name} values`);
	const basePolicy = resolveBasePolicy(options.base.policy, resolved.minReplicas, resolved.maxReplicas);
	const known = defaults(Math.min(...refits), resolved.cronSeconds);
	const levels = [...new Set([0.5, 0.9, ...grid.quantiles, known.workflow.quantile, known.replay.quantile])].sort((a, b) => a - b);
	const stepSeconds = resolved.historyStepSeconds;
	// A fit at a multiple of a longer refit serves ticks up to one refit later, each looking one run interval ahead.
	const reachSeconds = Math.max(...refits.flatMap((refit) => crons.map((cron) => refit + (refit > cron ? cron : 0)))) + stepSeconds + (grid.alignToStep.includes(true) ? stepSeconds : 0) + resolved.startupSeconds + Math.max(0, ...grid.extraLeadSeconds);
	for (const cron of crons) {
		if (refits.some((refit) => refit % cron !== 0)) throw new TuneError(`every refit cadence must be whole run intervals; ${refits.join(', ')} s and ${cron} s do not fit`);
	}
	const cache = new Map<string, ForecastOutcome>();
	const common: SimulationOptions = {
		...options.base,
		splitAt: options.splitAt,
		forecastCache: cache,
		floorCache: new Map(),
		sharedFits: { levels, reachSeconds },
	};

	// The first replay makes every fit the shortest refit needs; longer refits reuse a subset of them.
	let fitsDone = 0;
	const first = simulate(series, {
		...common,
		...replayOptions(known.workflow, basePolicy),
		policies: ['reactive', 'predictive'],
		onProgress: ({ policy, fraction, elapsedSeconds }) => {
			if (policy !== 'predictive') return;
			fitsDone = Math.round(100 * fraction);
			options.onProgress?.({ stage: 'fits', done: fitsDone, total: 100, elapsedSeconds });
		},
	});
	const fitsSeconds = (performance.now() - started) / 1000;
	const reactive = spansOf(first.runs.reactive!);
	const workflowDefaults: TunePoint = { settings: known.workflow, ...spansOf(first.runs.predictive!) };
	const replayOne = (settings: TunedSettings): TunePoint => {
		const run = simulate(series, { ...common, ...replayOptions(settings, basePolicy), policies: ['predictive'], floorsOnly: true }).runs.predictive!;
		return { settings, ...spansOf(run) };
	};
	const replayDefaults = replayOne(known.replay);

	const combos: TunedSettings[] = [];
	for (const runIntervalSeconds of grid.runIntervalSeconds)
	for (const refitSeconds of grid.refitSeconds)
		for (const quantile of grid.quantiles)
			for (const headroom of grid.headrooms)
				for (const extraLeadSeconds of grid.extraLeadSeconds)
					for (const maxStepDownPercent of grid.stepDownPercents)
						for (const scaleDownStabilizationSeconds of grid.stabilizationSeconds)
							for (const alignToStep of grid.alignToStep)
								combos.push({
									quantile,
									headroom,
									extraLeadSeconds,
									maxStepDownPercent,
									scaleDownStabilizationSeconds,
									refitSeconds,
									runIntervalSeconds,
									alignToStep,
									runOffsetSeconds: alignToStep ? alignedOffset(runIntervalSeconds, resolved.startupSeconds + extraLeadSeconds, resolved.syncSeconds) : 0,
								});
	const points: TunePoint[] = [];
	for (const settings of combos) {
		points.push(replayOne(settings));
		options.onProgress?.({ stage: 'replays', done: points.length, total: combos.length, elapsedSeconds: (performance.now() - started) / 1000 });
	}

	const frontier = paretoFrontier(points);
	const { chosen, closest, explanation } = chooseSetting(points, reactive.tune, options.target);
	return {
		splitAt: options.splitAt,
		target: options.target,
		grid,
		reactive,
		workflowDefaults,
		replayDefaults,
		points,
		frontier,
		chosen,
		closest,
		explanation,
		policy: chosen ? tunedPolicy(basePolicy, chosen.settings) : null,
		spans: { tune: { from: scoredFrom, to: options.splitAt }, score: { from: options.splitAt, to: end } },
		backtest: { mape: median(first.runs.predictive!.decisions.map((d) => d.mape)), wape: median(first.runs.predictive!.decisions.map((d) => d.wape)) },
		seconds: { fits: fitsSeconds, total: (performance.now() - started) / 1000 },
	};
}

/**
 * When in each run interval an aligned loop runs: one lead (start-up + extra lead) before a multiple of the
 * interval, so now + lead lands on a step boundary whenever the step divides the interval or the interval the
 * step (5-minute steps and a 5- or 15-minute schedule: 3 min 30 s past, for a 90 s start-up). Rounded down to
 * the HPA's sync period, as the replay runs the loop on syncs.
 */
export function alignedOffset(runIntervalSeconds: number, leadSeconds: number, syncSeconds = 15): number {
	const offset = (runIntervalSeconds - (leadSeconds % runIntervalSeconds)) % runIntervalSeconds;
	return Math.floor(offset / syncSeconds) * syncSeconds;
}

export class TuneError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TuneError';
	}
}

function replayOptions(settings: TunedSettings, basePolicy: ResolvedPolicy): Partial<SimulationOptions> {
	return {
		quantile: settings.quantile,
		headroom: settings.headroom,
		extraLeadSeconds: settings.extraLeadSeconds,
		scaleDownStabilizationSeconds: settings.scaleDownStabilizationSeconds,
		refitSeconds: settings.refitSeconds,
		cronSeconds: settings.runIntervalSeconds,
		alignToStep: settings.alignToStep,
		runOffsetSeconds: settings.runOffsetSeconds,
		policy: tunedPolicy(basePolicy, settings) as unknown as Record<string, unknown>,
	};
}

/** The user's policy (or the replay's default) with the tuned scale-in step; 0 % means no scale-in, like allowScaleIn: false. */
export function tunedPolicy(base: ResolvedPolicy, settings: Pick<TunedSettings, 'maxStepDownPercent'>): ResolvedPolicy {
	if (settings.maxStepDownPercent === 0) return { ...base, allowScaleIn: false };
	return { ...base, allowScaleIn: true, maxStepDownPercent: settings.maxStepDownPercent };
}

function resolveBasePolicy(policy: SimulationOptions['policy'], minReplicas: number, maxReplicas: number): ResolvedPolicy {
	const given = policy ?? simulationPolicy(minReplicas, maxReplicas);
	const parsed = typeof given === 'string' ? parsePolicy(given) : validatePolicy(given);
	if (!parsed.ok) throw new TuneError(`the policy is invalid: ${parsed.issues.map((i) => `${i.path}: ${i.message} (fix: ${i.fix})`).join('; ')}`);
	return parsed.policy;
}

function spansOf(run: { spans?: { before: Scores; after: Scores } }): { tune: Scores; score: Scores } {
	if (!run.spans) throw new Error('the replay did not score the two spans');
	return { tune: run.spans.before, score: run.spans.after };
}

/** Points not beaten on both under-provisioned minutes and replica-hours (tune span), cheapest first. */
export function paretoFrontier(points: readonly TunePoint[]): TunePoint[] {
	const sorted = [...points].sort((a, b) => a.tune.replicaHours - b.tune.replicaHours || a.tune.underProvisionedMinutes - b.tune.underProvisionedMinutes);
	const frontier: TunePoint[] = [];
	let best = Infinity;
	for (const point of sorted) {
		if (point.tune.underProvisionedMinutes < best) {
			frontier.push(point);
			best = point.tune.underProvisionedMinutes;
		}
	}
	return frontier;
}

/** The pick for a target from replayed points, on their tune-span scores only; the closest point when none meets it. */
export function chooseSetting(points: readonly TunePoint[], reactive: Scores, target: TuneTarget): { chosen: TunePoint | null; closest: TunePoint; explanation: string } {
	const ratio = (p: TunePoint) => p.tune.replicaHours / reactive.replicaHours;
	const byCost = [...points].sort((a, b) => a.tune.replicaHours - b.tune.replicaHours || a.tune.underProvisionedMinutes - b.tune.underProvisionedMinutes);
	const byUnder = [...points].sort((a, b) => a.tune.underProvisionedMinutes - b.tune.underProvisionedMinutes || a.tune.replicaHours - b.tune.replicaHours);
	if (target.kind === 'under') {
		const chosen = byCost.find((p) => p.tune.underProvisionedShare <= target.maxShare) ?? null;
		const closest = chosen ?? byUnder[0];
		return {
			chosen,
			closest,
			explanation: chosen
				? `the cheapest setting with at most ${pct(target.maxShare)} under-provisioned minutes on the tune span: ${pct(chosen.tune.underProvisionedShare)} at ${ratio(chosen).toFixed(3)}x the reactive replica-hours`
				: `no setting in the grid gets under-provisioned minutes down to ${pct(target.maxShare)} on the tune span; the best reaches ${pct(closest.tune.underProvisionedShare)} at ${ratio(closest).toFixed(3)}x (fix: a higher --target-under, or a wider grid: higher quantiles, more headroom, longer --extra-lead values)`,
		};
	}
	const chosen = byUnder.find((p) => ratio(p) <= target.maxRatio) ?? null;
	const closest = chosen ?? byCost[0];
	return {
		chosen,
		closest,
		explanation: chosen
			? `the fewest under-provisioned minutes at no more than ${target.maxRatio.toFixed(2)}x the reactive replica-hours on the tune span: ${pct(chosen.tune.underProvisionedShare)} of minutes (reactive ${pct(reactive.underProvisionedShare)}) at ${ratio(chosen).toFixed(3)}x`
			: `every setting in the grid costs more than ${target.maxRatio.toFixed(2)}x the reactive replica-hours on the tune span; the cheapest costs ${ratio(closest).toFixed(3)}x (fix: a higher --max-cost, or lower quantiles and headroom in the grid)`,
	};
}

function median(values: Array<number | undefined>): number | null {
	const sorted = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
	if (sorted.length === 0) return null;
	const mid = sorted.length >> 1;
	return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function pct(share: number): string {
	return `${(100 * share).toFixed(2)} %`;
}

function iso(seconds: number): string {
	return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
