import { formatValue, niceTicks } from '../chart/layout';
import { sceneToSvg } from '../chart/svg';
import type { Scene, Shape } from '../chart/types';
import type { ResolvedPolicy } from '../policy/types';
import { shortMinutesReduction, type Scores } from './simulate';
import type { TuneResult, TunedSettings } from './tune';

/** `--json`: the chosen settings and both spans' scores, each with reactive and predictive as `simulate --json` prints them. */
export function tuneJson(result: TuneResult): Record<string, unknown> {
	const pick = result.chosen ?? result.closest;
	return {
		tuned: result.chosen ? settingsJson(result.chosen.settings) : null,
		targetMet: result.chosen !== null,
		explanation: result.explanation,
		target: result.target.kind === 'under' ? { maxUnderProvisionedShare: result.target.maxShare } : { maxReplicaHoursRatio: result.target.maxRatio },
		split: isoJson(result.splitAt),
		tune: { from: isoJson(result.spans.tune.from), to: isoJson(result.spans.tune.to), reactive: result.reactive.tune, predictive: pick.tune },
		score: { from: isoJson(result.spans.score.from), to: isoJson(result.spans.score.to), reactive: result.reactive.score, predictive: pick.score },
		...(result.chosen ? {} : { closest: settingsJson(result.closest.settings) }),
		workflowDefaults: { settings: settingsJson(result.workflowDefaults.settings), tune: result.workflowDefaults.tune, score: result.workflowDefaults.score },
		frontier: result.frontier.map((p) => ({ settings: settingsJson(p.settings), tune: brief(p.tune, result.reactive.tune), score: brief(p.score, result.reactive.score) })),
		...(result.policy ? { policy: policySnippet(result.policy), forecastNode: forecastNodeParameters(result.chosen!.settings), hpaBehavior: hpaBehavior(result.chosen!.settings), schedule: schedule(result.chosen!.settings) } : {}),
		replays: result.points.length + 2,
		seconds: { fits: round(result.seconds.fits, 1), total: round(result.seconds.total, 1) },
	};
}

function settingsJson(s: TunedSettings): Record<string, number | boolean> {
	return { ...s };
}

function brief(s: Scores, reactive: Scores): Record<string, number> {
	return { underProvisionedMinutes: s.underProvisionedMinutes, underProvisionedShare: s.underProvisionedShare, replicaHours: s.replicaHours, replicaHoursRatio: round(s.replicaHours / reactive.replicaHours, 4) };
}

/** The Forecast node's parameters for the tuned settings, as they appear in the workflow JSON. */
export function forecastNodeParameters(s: TunedSettings): Record<string, unknown> {
	return { replicaQuantile: s.quantile, headroom: s.headroom, extraLead: duration(s.extraLeadSeconds), runInterval: duration(s.runIntervalSeconds), alignToStep: s.alignToStep };
}

/**
 * A Schedule Trigger cron (with seconds, as n8n's Custom Cron takes it) that runs every `runIntervalSeconds`,
 * `offsetSeconds` after each multiple; null when the interval is not whole minutes dividing an hour.
 */
export function scheduleCron(runIntervalSeconds: number, offsetSeconds: number): string | null {
	const minutes = runIntervalSeconds / 60;
	if (!Number.isInteger(minutes) || minutes < 1 || 60 % minutes !== 0 || offsetSeconds < 0 || offsetSeconds >= runIntervalSeconds) return null;
	const second = offsetSeconds % 60;
	const minute = Math.floor(offsetSeconds / 60);
	return `${second} ${minutes === 1 ? '*' : `${minute}-59/${minutes}`} * * * *`;
}

/**
 * The replay runs the loop on exact ticks, so a cooldown of exactly one run interval always passes there; a real
 * schedule fires a second early now and then, and such a run would be held. Said, not changed: the cooldown is the
 * user's safety setting.
 */
export function cooldownNote(policy: ResolvedPolicy, s: TunedSettings): string[] {
	const cooldown = policy.cooldownSeconds;
	if (cooldown < s.runIntervalSeconds - 30 || cooldown > s.runIntervalSeconds) return [];
	return [
		`Note: the policy's cooldownSeconds (${cooldown}) is within 30 s of the run interval (${s.runIntervalSeconds} s). The replay's runs are exactly ${s.runIntervalSeconds} s apart, so its cooldown always passed; ` +
			`a scheduled run that fires a moment early would be held. To get what the replay scored, set cooldownSeconds a little below the interval (e.g. ${s.runIntervalSeconds - 30}); the step limits and the schedule still allow one change per run.`,
		'',
	];
}

/** The Schedule Trigger the tuned settings assume: every run interval, at the offset (a cron line when one fits). */
function schedule(s: TunedSettings): Record<string, unknown> {
	const cron = s.alignToStep ? scheduleCron(s.runIntervalSeconds, s.runOffsetSeconds) : null;
	return { every: duration(s.runIntervalSeconds), offsetSeconds: s.runOffsetSeconds, ...(cron ? { cron } : {}) };
}

function scheduleText(s: TunedSettings): string {
	if (!s.alignToStep) return `set the Schedule Trigger to every ${duration(s.runIntervalSeconds)} too`;
	const cron = scheduleCron(s.runIntervalSeconds, s.runOffsetSeconds);
	const when = `every ${duration(s.runIntervalSeconds)}, ${s.runOffsetSeconds} s past each multiple (one start-up before a step boundary, which Align Window to Steps needs)`;
	return cron ? `set the Schedule Trigger to Custom (Cron) \`${cron}\`: ${when}` : `run the workflow ${when}`;
}

export function hpaBehavior(s: TunedSettings): Record<string, unknown> {
	return { scaleDown: { stabilizationWindowSeconds: s.scaleDownStabilizationSeconds } };
}

const POLICY_KEYS = ['minReplicas', 'maxReplicas', 'maxStepUpPercent', 'maxStepUpPods', 'allowScaleIn', 'maxStepDownPercent', 'cooldownSeconds', 'approvalFactor'] as const;

/** The scaling part of the tuned policy: the fields the pre-scaling loop's Policy Gate reads. */
export function policySnippet(policy: ResolvedPolicy): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of POLICY_KEYS) if (policy[key] !== undefined) out[key] = policy[key];
	out.accuracyGate = { ...policy.accuracyGate };
	return out;
}

export function policyYaml(policy: ResolvedPolicy): string {
	const lines = ['# Scaling policy tuned by kube-ops simulate --tune; every field: src/policy/README.md'];
	for (const [key, value] of Object.entries(policySnippet(policy))) {
		if (value !== null && typeof value === 'object') {
			lines.push(`${key}:`);
			for (const [k, v] of Object.entries(value)) lines.push(`  ${k}: ${String(v)}`);
		} else lines.push(`${key}: ${String(value)}`);
	}
	return lines.join('\n') + '\n';
}

const COLORS = { point: '#9ca3af', frontier: '#1f6fb2', reactive: '#c0392b', workflow: '#e67e22', replay: '#8e44ad', chosen: '#16a34a', target: '#6b7280' };

/**
 * The trade-off on the tune span: every replayed setting (grey), the frontier
 * (blue line), the reactive HPA (red), today's settings (orange: the shipped
 * workflow; purple: the replay's default) and the pick (green), with the target.
 */
export function renderTuneChart(result: TuneResult, title: string): string {
	return sceneToSvg(tuneChartScene(result, title));
}

export function tuneChartScene(result: TuneResult, title: string): Scene {
	const width = 900;
	const height = 520;
	const margin = { left: 70, right: 24, top: 70, bottom: 92 };
	const plot = { x: margin.left, y: margin.top, w: width - margin.left - margin.right, h: height - margin.top - margin.bottom };
	const base = result.reactive.tune;
	const xOf = (s: Scores) => s.replicaHours / base.replicaHours;
	const yOf = (s: Scores) => 100 * s.underProvisionedShare;
	const all = [...result.points, result.workflowDefaults, result.replayDefaults];
	const xs = [1, ...all.map((p) => xOf(p.tune))];
	const ys = [yOf(base), ...all.map((p) => yOf(p.tune))];
	const xTicks = niceTicks(Math.min(...xs) - 0.02, Math.max(...xs) + 0.02, 6);
	const yTicks = niceTicks(0, Math.max(...ys, 0.1), 6);
	const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
	const y1 = yTicks[yTicks.length - 1];
	const X = (v: number) => plot.x + ((v - x0) / (x1 - x0)) * plot.w;
	const Y = (v: number) => plot.y + plot.h - (v / y1) * plot.h;
	const shapes: Shape[] = [{ kind: 'rect', x: 0, y: 0, width, height, fill: '#ffffff' }];
	const text = (x: number, y: number, value: string, size = 11, color = '#374151', anchor: 'start' | 'middle' | 'end' = 'start', bold = false) =>
		shapes.push({ kind: 'text', x, y, text: value, size, color, anchor, bold });
	for (const t of yTicks) {
		shapes.push({ kind: 'line', points: [[plot.x, Y(t)], [plot.x + plot.w, Y(t)]], stroke: '#e5e7eb', width: 1 });
		text(plot.x - 6, Y(t) + 4, `${formatValue(t, yTicks)} %`, 11, '#6b7280', 'end');
	}
	for (const t of xTicks) {
		shapes.push({ kind: 'line', points: [[X(t), plot.y], [X(t), plot.y + plot.h]], stroke: '#e5e7eb', width: 1 });
		text(X(t), plot.y + plot.h + 16, `${formatValue(t, xTicks)}x`, 11, '#6b7280', 'middle');
	}
	text(plot.x + plot.w / 2, plot.y + plot.h + 34, 'replica-hours, relative to the reactive HPA (tune span)', 12, '#374151', 'middle');
	text(plot.x, plot.y - 10, 'under-provisioned minutes, share of minutes (tune span)', 12, '#374151', 'start');
	text(16, 24, title, 16, '#111827', 'start', true);
	text(16, 44, subtitle(result), 11, '#4b5563');
	// The target, where the user drew it.
	if (result.target.kind === 'under') {
		const y = Y(100 * result.target.maxShare);
		if (y >= plot.y) shapes.push({ kind: 'line', points: [[plot.x, y], [plot.x + plot.w, y]], stroke: COLORS.target, width: 1, dash: [5, 4] });
	} else {
		const x = X(result.target.maxRatio);
		if (x >= plot.x && x <= plot.x + plot.w) shapes.push({ kind: 'line', points: [[x, plot.y], [x, plot.y + plot.h]], stroke: COLORS.target, width: 1, dash: [5, 4] });
	}
	for (const p of result.points) square(shapes, X(xOf(p.tune)), Y(yOf(p.tune)), 2.2, COLORS.point);
	shapes.push({ kind: 'line', points: result.frontier.map((p) => [X(xOf(p.tune)), Y(yOf(p.tune))] as [number, number]), stroke: COLORS.frontier, width: 2 });
	for (const p of result.frontier) square(shapes, X(xOf(p.tune)), Y(yOf(p.tune)), 3, COLORS.frontier);
	diamond(shapes, X(1), Y(yOf(base)), 7, COLORS.reactive);
	diamond(shapes, X(xOf(result.workflowDefaults.tune)), Y(yOf(result.workflowDefaults.tune)), 7, COLORS.workflow);
	diamond(shapes, X(xOf(result.replayDefaults.tune)), Y(yOf(result.replayDefaults.tune)), 7, COLORS.replay);
	if (result.chosen) diamond(shapes, X(xOf(result.chosen.tune)), Y(yOf(result.chosen.tune)), 8, COLORS.chosen);
	const legend: Array<[string, string]> = [
		[COLORS.reactive, 'reactive HPA'],
		[COLORS.workflow, 'Forecast node defaults (p90, +20 %)'],
		[COLORS.replay, 'replay default (p50, +5 %)'],
		[COLORS.frontier, 'frontier'],
		[COLORS.point, 'other settings'],
		...(result.chosen ? [[COLORS.chosen, 'recommended'] as [string, string]] : []),
	];
	let lx = plot.x;
	const ly = height - 22;
	for (const [color, label] of legend) {
		diamond(shapes, lx + 5, ly - 4, 5, color);
		text(lx + 14, ly, label, 11, '#374151');
		lx += 24 + label.length * 6.1;
	}
	return { width, height, shapes, description: `${title}: under-provisioned minutes against replica-hours for ${result.points.length} pre-scaling settings` };
}

function subtitle(result: TuneResult): string {
	const target = result.target.kind === 'under' ? `target: at most ${(100 * result.target.maxShare).toFixed(2)} % of minutes short` : `target: at most ${result.target.maxRatio.toFixed(2)}x the replica-hours`;
	return `${result.points.length} settings replayed on ${iso(result.spans.tune.from).slice(0, 10)} .. ${iso(result.spans.tune.to).slice(0, 10)}; ${target}${result.chosen ? '' : ' (not met)'}`;
}

function square(shapes: Shape[], x: number, y: number, r: number, color: string): void {
	shapes.push({ kind: 'rect', x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: color });
}

function diamond(shapes: Shape[], x: number, y: number, r: number, color: string): void {
	shapes.push({ kind: 'area', points: [[x, y - r], [x + r, y], [x, y + r], [x - r, y]], fill: color, opacity: 1 });
}

/** Markdown: the verdict, both spans side by side, the frontier, and the settings ready to paste. */
export function renderTuneSummary(result: TuneResult, context: { title: string; source: string; chart?: string }): string {
	const pick = result.chosen ?? result.closest;
	const lines = [`# ${context.title}`, '', `${context.source}.`, ''];
	lines.push(
		`Tune span ${iso(result.spans.tune.from)} .. ${iso(result.spans.tune.to)} (${result.points.length} settings replayed), score span ${iso(result.spans.score.from)} .. ${iso(result.spans.score.to)} (never seen by the search).`,
		'',
		`**${result.chosen ? 'Recommended' : 'Target not met'}**: ${result.explanation}.`,
		'',
		'| | tune span: short min | share | replica-hours | ratio | score span: short min | share | replica-hours | ratio | reduction (score) |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
		row('reactive HPA', result.reactive, result.reactive),
		row('Forecast node defaults (p90, +20 %)', result.workflowDefaults, result.reactive),
		row('replay default (p50, +5 %)', result.replayDefaults, result.reactive),
		row(result.chosen ? '**tuned**' : 'closest to the target', pick, result.reactive),
		'',
	);
	if (context.chart) lines.push(`![trade-off between under-provisioned minutes and replica-hours](${context.chart})`, '');
	lines.push(
		'Frontier (tune span; no other setting is both cheaper and safer):',
		'',
		'| quantile | headroom | extra lead | step down | HPA scale-down window | run interval | whole steps | refit | tune: short % | ratio | score: short % | ratio |',
		'|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|',
		...result.frontier.map((p) => {
			const s = p.settings;
			return `| ${s.quantile} | ${s.headroom} | ${duration(s.extraLeadSeconds)} | ${s.maxStepDownPercent} % | ${s.scaleDownStabilizationSeconds} s | ${duration(s.runIntervalSeconds)} | ${s.alignToStep ? 'yes' : 'no'} | ${duration(s.refitSeconds)} | ${share(p.tune)} | ${ratio(p.tune, result.reactive.tune)} | ${share(p.score)} | ${ratio(p.score, result.reactive.score)} |`;
		}),
		'',
	);
	if (result.chosen && result.policy) {
		lines.push(
			'Policy Gate policy (paste into the Policy Gate node\'s Policy):',
			'',
			'```yaml',
			policyYaml(result.policy).trimEnd(),
			'```',
			'',
			`Forecast node parameters (the rest stay as they are; ${scheduleText(result.chosen.settings)}):`,
			'',
			'```json',
			JSON.stringify(forecastNodeParameters(result.chosen.settings), null, 2),
			'```',
			'',
			`HPA: \`spec.behavior.scaleDown.stabilizationWindowSeconds: ${result.chosen.settings.scaleDownStabilizationSeconds}\`` +
				(result.chosen.settings.scaleDownStabilizationSeconds === 300 ? ' (the Kubernetes default; nothing to change).' : ' (the floor now guards the scale-in, so the HPA may follow demand down sooner).'),
			'',
			`The replay refits the forecast every ${duration(result.chosen.settings.refitSeconds)}; the node fits on every run, so it is at least as current as the replay.`,
			'',
				...cooldownNote(result.policy, result.chosen.settings),
		);
	}
	lines.push(`Search time: ${result.seconds.total.toFixed(1)} s (fits ${result.seconds.fits.toFixed(1)} s, then ${result.points.length + 1} replays that share them).`, '');
	return lines.join('\n');
}

function row(label: string, p: { tune: Scores; score: Scores }, reactive: { tune: Scores; score: Scores }): string {
	const fewer = shortMinutesReduction(p.score, reactive.score);
	const reduction = fewer === null ? '-' : `${(100 * fewer).toFixed(1)} %`;
	return `| ${label} | ${p.tune.underProvisionedMinutes.toLocaleString('en-US')} | ${share(p.tune)} | ${Math.round(p.tune.replicaHours).toLocaleString('en-US')} | ${ratio(p.tune, reactive.tune)} | ${p.score.underProvisionedMinutes.toLocaleString('en-US')} | ${share(p.score)} | ${Math.round(p.score.replicaHours).toLocaleString('en-US')} | ${ratio(p.score, reactive.score)} | ${reduction} |`;
}

function share(s: Scores): string {
	return `${(100 * s.underProvisionedShare).toFixed(2)} %`;
}

function ratio(s: Scores, reactive: Scores): string {
	return `${(s.replicaHours / reactive.replicaHours).toFixed(3)}x`;
}

export function describeSettings(s: TunedSettings): string {
	return `p${Math.round(s.quantile * 100)}, +${Math.round(s.headroom * 100)} %, extra lead ${duration(s.extraLeadSeconds)}, step down ${s.maxStepDownPercent} %, HPA scale-down ${s.scaleDownStabilizationSeconds} s, every ${duration(s.runIntervalSeconds)}${s.alignToStep ? ', whole steps' : ''}, refit ${duration(s.refitSeconds)}`;
}

function duration(seconds: number): string {
	if (seconds === 0) return '0s';
	if (seconds % 3600 === 0) return `${seconds / 3600}h`;
	if (seconds % 60 === 0) return `${seconds / 60}m`;
	return `${seconds}s`;
}

function round(value: number, digits: number): number {
	return Number(value.toFixed(digits));
}

function iso(seconds: number): string {
	return new Date(seconds * 1000).toISOString().replace(':00.000Z', 'Z').replace('T', ' ');
}

function isoJson(seconds: number): string {
	return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
