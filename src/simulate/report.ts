import { sceneToSvg } from '../chart/svg';
import { layoutTimeline, type TimelineSpec } from '../chart/timeline';
import type { LoopDecision } from './predictive';
import { shortMinutesReduction, type PolicyName, type PolicyRun, type Scores, type SimulationResult } from './simulate';

/** What the issue asks of the predictive loop, against the reactive HPA alone. */
export const TARGET = { minReduction: 0.7, maxReplicaHoursRatio: 1.1 };

export interface Comparison {
	/** 1 - predictive / reactive under-provisioned minutes; null when reactive had none. */
	reduction: number | null;
	replicaHoursRatio: number;
	met: boolean;
}

export function compare(reactive: Scores, predictive: Scores): Comparison {
	const reduction = shortMinutesReduction(predictive, reactive);
	const replicaHoursRatio = predictive.replicaHours / reactive.replicaHours;
	const met = (reduction === null ? predictive.underProvisionedMinutes === 0 : reduction >= TARGET.minReduction) && replicaHoursRatio <= TARGET.maxReplicaHoursRatio;
	return { reduction, replicaHoursRatio, met };
}

/** `{ reactive: {...}, predictive: {...} }`, the shape `kube-ops simulate --json` prints. */
export function scoresJson(result: SimulationResult): Partial<Record<PolicyName, Scores>> {
	const json: Partial<Record<PolicyName, Scores>> = {};
	for (const name of ['reactive', 'predictive'] as const) if (result.runs[name]) json[name] = result.runs[name]!.scores;
	return json;
}

const COLORS = { demand: '#111827', reactive: '#c0392b', predictive: '#1f6fb2', reactiveShade: '#f28b82', predictiveShade: '#8ab4f8' };
const LABELS: Record<PolicyName, string> = { reactive: 'reactive HPA', predictive: 'predictive + HPA' };
const WINDOW_MINUTES = 2 * 1440;

/**
 * The chart: the two days in which the reactive HPA was short most often (the
 * whole replay when shorter), demand, the ready capacity under each policy, and
 * the minutes each was short, shaded. Long windows are drawn per 5 minutes:
 * the highest demand and the lowest capacity in each, so no shortfall is hidden.
 */
export function renderChart(result: SimulationResult, title: string): string {
	const runs = (['reactive', 'predictive'] as const).map((name) => result.runs[name]).filter((run): run is PolicyRun => run !== undefined);
	const scored = result.demand.values.length - result.scoredFrom;
	const [from, to] = worstWindow(runs[0].underProvisioned, Math.min(WINDOW_MINUTES, scored));
	const bucket = to - from > 720 ? 5 : 1;
	const minuteTime = (i: number) => result.demand.start + (result.scoredFrom + i) * 60;
	const demand = result.demand.values.subarray(result.scoredFrom);
	const lines: TimelineSpec['lines'] = [
		{ label: 'demand', color: COLORS.demand, ...steps(from, to, bucket, minuteTime, (i) => demand[i], Math.max), width: 1.2 },
		...runs.map((run) => ({
			label: `ready capacity, ${LABELS[run.policy]}`,
			color: COLORS[run.policy],
			...steps(from, to, bucket, minuteTime, (i) => run.capacity[i], Math.min),
			width: 1.6,
		})),
	];
	const periods = runs.map((run) => ({
		label: `short: ${run.policy}`,
		color: run.policy === 'reactive' ? COLORS.reactiveShade : COLORS.predictiveShade,
		spans: spans(run.underProvisioned, from, to).map(([a, b]): [number, number] => [minuteTime(a), minuteTime(b)]),
	}));
	const counts = runs.map((run) => `${LABELS[run.policy]} short ${count(run.underProvisioned, from, to)} min`).join(', ');
	const subtitle = `${iso(minuteTime(from))} to ${iso(minuteTime(to))}${bucket > 1 ? ' (5-minute envelope)' : ''}: ${counts}; ${result.options.capacityPerPod} per pod, start-up ${result.options.startupSeconds} s`;
	return sceneToSvg(layoutTimeline({ title, subtitle, lines, periods, width: 1100, height: 420 }));
}

export interface SummaryContext {
	title: string;
	/** Where the demand came from, one line. */
	source: string;
	/** File name of the chart next to the summary, if any. */
	chart?: string;
}

/** A short Markdown summary: the scores side by side, the verdict on the target, the settings. */
export function renderSummary(result: SimulationResult, context: SummaryContext): string {
	const { options } = result;
	const reactive = result.runs.reactive;
	const predictive = result.runs.predictive;
	const period = `${iso(result.demand.start + result.scoredFrom * 60)} to ${iso(result.demand.start + result.demand.values.length * 60)}`;
	const lines = [`# ${context.title}`, '', `${context.source}. Scored ${period}: ${result.scoredMinutes.toLocaleString('en-US')} minutes with data, after a ${duration(options.warmupSeconds)} warm-up.`, ''];
	const runs = [reactive, predictive].filter((run): run is PolicyRun => run !== undefined);
	lines.push(`| | ${runs.map((run) => LABELS[run.policy]).join(' | ')} |`, `|---|${runs.map(() => '---:').join('|')}|`);
	const row = (label: string, pick: (s: Scores) => string) => lines.push(`| ${label} | ${runs.map((run) => pick(run.scores)).join(' | ')} |`);
	row('under-provisioned minutes', (s) => s.underProvisionedMinutes.toLocaleString('en-US'));
	row('share of minutes', (s) => `${(100 * s.underProvisionedShare).toFixed(2)} %`);
	row('unserved demand (unit x s)', (s) => Math.round(s.unservedDemand).toLocaleString('en-US'));
	row('replica-hours', (s) => s.replicaHours.toLocaleString('en-US', { maximumFractionDigits: 1 }));
	row('peak replicas', (s) => String(s.peakReplicas));
	row('scale events', (s) => s.scaleEvents.toLocaleString('en-US'));
	lines.push('');
	if (reactive && predictive) {
		const c = compare(reactive.scores, predictive.scores);
		const reduction = c.reduction === null ? 'no under-provisioned minutes under the reactive HPA' : `${(100 * c.reduction).toFixed(1)} % fewer under-provisioned minutes`;
		lines.push(
			`Predictive + HPA against the reactive HPA alone: **${reduction}** at **${c.replicaHoursRatio.toFixed(3)}x the replica-hours**. ` +
				`Target (at least ${100 * TARGET.minReduction} % fewer at no more than ${TARGET.maxReplicaHoursRatio.toFixed(2)}x): **${c.met ? 'met' : 'not met'}**.`,
			'',
		);
	}
	if (context.chart) lines.push(`![demand and ready capacity](${context.chart})`, '');
	lines.push(
		'Settings:',
		'',
		`- pods: ${options.capacityPerPod} demand units each at the HPA's target, ready ${options.startupSeconds} s after they are asked for; HPA min ${options.minReplicas}, max ${options.maxReplicas}`,
		`- reactive HPA: sync every ${options.syncSeconds} s, metric ${options.scrapeSeconds} s old, tolerance 0.1, scale-up 100 % or 4 pods per 15 s, scale-down stabilisation 300 s`,
	);
	if (predictive) {
		lines.push(
			`- predictive: every ${duration(options.cronSeconds)} the Forecast engine on the last ${duration(options.historySeconds)} at ${duration(options.historyStepSeconds)} steps` +
				`${options.refitSeconds > options.cronSeconds ? ` (refit every ${duration(options.refitSeconds)})` : ''}, floor = p${Math.round(options.quantile * 100)} peak over [now + ${options.startupSeconds} s, + ${duration(options.cronSeconds)}] x ${1 + options.headroom}, through the Policy Gate (${options.policy === undefined ? 'the replay\'s default policy' : 'the given policy'})`,
			`- loop ticks: ${tally(predictive.decisions)}`,
		);
	}
	lines.push(`- replay time: ${runs.map((run) => `${run.policy} ${run.seconds.toFixed(1)} s`).join(', ')}`, '');
	return lines.join('\n');
}

function tally(decisions: LoopDecision[]): string {
	const counts = new Map<string, number>();
	for (const d of decisions) counts.set(d.decision, (counts.get(d.decision) ?? 0) + 1);
	const noForecast = decisions.filter((d) => d.recommended === null).length;
	return `${decisions.length} (${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}; ${noForecast} without a recommendation)`;
}

function worstWindow(under: Uint8Array, length: number): [number, number] {
	let best = 0;
	let bestStart = 0;
	let sum = 0;
	for (let i = 0; i < under.length; i++) {
		sum += under[i];
		if (i >= length) sum -= under[i - length];
		if (i >= length - 1 && sum > best) {
			best = sum;
			bestStart = i - length + 1;
		}
	}
	// Whole days read better on a time axis.
	const start = Math.min(Math.max(0, Math.floor(bestStart / 1440) * 1440), Math.max(0, under.length - length));
	return [start, start + length];
}

function steps(from: number, to: number, bucket: number, time: (i: number) => number, value: (i: number) => number, pick: (...v: number[]) => number): { t: number[]; v: Array<number | null> } {
	const t: number[] = [];
	const v: Array<number | null> = [];
	for (let i = from; i < to; i += bucket) {
		const parts: number[] = [];
		for (let j = i; j < Math.min(to, i + bucket); j++) if (Number.isFinite(value(j))) parts.push(value(j));
		const level = parts.length > 0 ? pick(...parts) : null;
		t.push(time(i), time(Math.min(to, i + bucket)));
		v.push(level, level);
	}
	return { t, v };
}

function spans(flags: Uint8Array, from: number, to: number): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	for (let i = from; i < to; i++) {
		if (!flags[i]) continue;
		const start = i;
		while (i < to && flags[i]) i++;
		out.push([start, i]);
	}
	return out;
}

function count(flags: Uint8Array, from: number, to: number): number {
	let n = 0;
	for (let i = from; i < to; i++) n += flags[i];
	return n;
}

function iso(seconds: number): string {
	return new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

function duration(seconds: number): string {
	if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
	if (seconds % 3600 === 0) return `${seconds / 3600} h`;
	if (seconds % 60 === 0) return `${seconds / 60} min`;
	return `${seconds} s`;
}
