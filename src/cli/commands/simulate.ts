import * as fs from 'node:fs';
import * as path from 'node:path';

import { UsageError, parseArgs } from '../args';
import type { CliCommand, CliIO } from '../command';
import { readCliFile } from '../files';
import { ALLOW_INSECURE_OPTION, requireSecureUrl } from '../insecure';
import { parseTimestamp, readSeriesCsv } from '../../forecast';
import { durationSeconds, parseDuration } from '../../shared/duration';
import type { Series } from '../../forecast';
import { PrometheusClient, parseHeaderLines, parseTime } from '../../prometheus';
import {
	alignedOffset,
	POLICY_NAMES,
	TuneError,
	describeSettings,
	forecastNodeParameters,
	policyYaml,
	renderChart,
	renderSummary,
	renderTuneChart,
	renderTuneSummary,
	scoresJson,
	simulate,
	tune,
	tuneJson,
	type PolicyName,
	type SimulationOptions,
	type SimulationResult,
	type TuneGrid,
	type TuneResult,
	type TuneTarget,
} from '../../simulate';

const options = {
	csv: { description: 'demand history: header row, first column the timestamp; values a rate or count per interval', valueName: 'file' },
	column: { description: 'value column, by header name or position (default the first after the timestamp)', valueName: 'name|index' },
	from: { description: 'CSV: replay from this time (the warm-up starts here)', valueName: 'timestamp' },
	until: { description: 'CSV: replay up to this time', valueName: 'timestamp' },
	prometheus: { description: 'instead of --csv: Prometheus base URL to query the history from', valueName: 'url' },
	query: { description: 'PromQL returning one series, e.g. sum(rate(http_requests_total{job="web"}[1m]))', valueName: 'promql' },
	range: { description: 'history to query (default 14d)', valueName: 'dur' },
	step: { description: 'query step (default 1m)', valueName: 'dur' },
	end: { description: 'end of the queried range (default now)', valueName: 'time' },
	token: { description: 'bearer token for Prometheus (or env PROMETHEUS_TOKEN)', valueName: 'token' },
	'allow-insecure': ALLOW_INSECURE_OPTION,
	header: { description: 'extra header for Prometheus, "Name: value"', valueName: 'header' },
	'capacity-per-pod': { description: 'demand one ready pod serves, in the series\' unit (the HPA\'s target per pod)', valueName: 'n' },
	startup: { description: 'pod start-up: asked for at t, serving from t + this (default 90s)', valueName: 'dur' },
	min: { description: 'HPA minReplicas (default 1)', valueName: 'n' },
	max: { description: 'HPA maxReplicas (default 100)', valueName: 'n' },
	policy: { description: 'reactive, predictive or both (default both)', valueName: 'name' },
	'policy-file': { description: 'Policy Gate policy (YAML/JSON) for the predictive loop (default: see docs/simulator.md)', valueName: 'file' },
	cron: { description: 'pre-scaling loop interval (default 15m)', valueName: 'dur' },
	refit: { description: 'refit the forecast this often, a multiple of --cron (default every run)', valueName: 'dur' },
	history: { description: 'history each forecast reads (default 14d)', valueName: 'dur' },
	warmup: { description: 'replayed but not scored, so the loop has history (default 7d)', valueName: 'dur' },
	headroom: { description: 'floor headroom, a fraction (default 0.05)', valueName: 'fraction' },
	'replica-quantile': { description: 'forecast quantile the floor provisions for (default 0.5)', valueName: 'level' },
	'extra-lead': { description: 'the floor looks this much further ahead than --startup (the Forecast node\'s Extra Lead, default 0s)', valueName: 'dur' },
	'align-to-step': {
		flag: true,
		description: 'the floor covers whole forecast steps (the Forecast node\'s Align Window to Steps); the loop runs one start-up before each step boundary',
	},
	'scrape-interval': { description: 'how old the HPA\'s metric is (default 30s)', valueName: 'dur' },
	tune: { flag: true, description: 'search the pre-scaling knobs on the span before --split, score the pick on the span after it' },
	split: { description: 'with --tune: tune before this time, score from it on (default two thirds into the scored span)', valueName: 'timestamp' },
	'target-under': { description: 'with --tune: the cheapest setting with at most this share of under-provisioned minutes, e.g. 1%', valueName: 'percent' },
	'max-cost': { description: 'with --tune: the fewest under-provisioned minutes at no more than this many times the reactive replica-hours, e.g. 1.0x (the default)', valueName: 'ratio' },
	'grid-quantiles': { description: 'with --tune: replica quantiles to try (default 0.5,0.6,0.7,0.8,0.9)', valueName: 'levels' },
	'grid-headroom': { description: 'with --tune: headrooms to try (default 0,0.05,0.1,0.2)', valueName: 'fractions' },
	'grid-extra-lead': { description: 'with --tune: extra leads to try (default 0s,15m)', valueName: 'durs' },
	'grid-step-down': { description: 'with --tune: the policy\'s maxStepDownPercent values to try (default 25,100)', valueName: 'percents' },
	'grid-stabilization': { description: 'with --tune: HPA scale-down stabilisation windows to try (default 60s,300s)', valueName: 'durs' },
	'grid-refit': { description: 'with --tune: refit cadences to try (default --refit, else 1h)', valueName: 'durs' },
	'grid-run-interval': { description: 'with --tune: loop schedules to try, the node\'s Run Interval (default --cron, else 15m)', valueName: 'durs' },
	'grid-align': { description: 'with --tune: Align Window to Steps values to try (default false,true)', valueName: 'booleans' },
	report: { description: 'write simulate.svg (chart) and simulate.md (summary) into this directory', valueName: 'dir' },
	json: { flag: true, description: 'print { reactive: {...}, predictive: {...} } with the scores; with --tune { tuned, tune, score, ... }' },
};

/**
 * `kube-ops simulate`: replays a demand history through the reactive HPA and
 * the predictive loop plus HPA, and scores both. Progress goes to stderr so
 * `--json` keeps stdout clean.
 */
export const simulateCommand: CliCommand = {
	name: 'simulate',
	summary: 'Replay a demand history (CSV or Prometheus) through the reactive HPA and the predictive pre-scaling loop, and score both.',
	usage:
		'simulate --csv <file> [--column <c>] [--from <t>] [--until <t>] | --prometheus <url> --query <promql> [--range 14d --step 1m]  --capacity-per-pod <n> [--startup <dur>] [--min <n> --max <n>] [--policy reactive|predictive|both] [--policy-file <f>] [--report <dir>] [--tune [--split <t>] [--target-under 1% | --max-cost 1.0x]] --json',
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		const args = parseArgs(argv, options);
		const { values } = args;
		if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
		if (values.csv && values.prometheus) throw new UsageError('use either --csv or --prometheus, not both');
		if (!values.csv && !values.prometheus) throw new UsageError('--csv <file> or --prometheus <url> --query <promql> is required');
		if (values.prometheus && !values.query) throw new UsageError('--prometheus needs --query');
		if (values.csv && (values.query || values.range || values.step || values.end)) throw new UsageError('--query, --range, --step and --end go with --prometheus');
		if (values.prometheus && (values.from || values.until)) throw new UsageError('--from and --until go with --csv; with --prometheus use --range and --end');
		if (values.prometheus) requireSecureUrl(values.prometheus, args.flags.has('allow-insecure'), '--prometheus');
		const from = values.from === undefined ? -Infinity : timestamp(values.from, '--from');
		const until = values.until === undefined ? Infinity : timestamp(values.until, '--until');
		if (values['capacity-per-pod'] === undefined) throw new UsageError('--capacity-per-pod is required: the demand one ready pod serves, in the series\' unit (e.g. 50 for 50 requests/s)');
		const capacityPerPod = number(values, 'capacity-per-pod', (n) => n > 0, 'a positive number (the demand one ready pod serves)');
		const minReplicas = number(values, 'min', (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1', 1);
		const maxReplicas = number(values, 'max', (n) => Number.isInteger(n) && n >= minReplicas, `a whole number >= --min (${minReplicas})`, 100);
		const policies = policyNames(values.policy ?? 'both');
		const policyText = values['policy-file'] === undefined ? undefined : readText(values['policy-file'], '--policy-file', 'policy');

		const tuning = args.flags.has('tune');
		if (!tuning) {
			const stray = ['split', 'target-under', 'max-cost', 'grid-quantiles', 'grid-headroom', 'grid-extra-lead', 'grid-step-down', 'grid-stabilization', 'grid-refit', 'grid-run-interval', 'grid-align'].find((name) => values[name] !== undefined);
			if (stray) throw new UsageError(`--${stray} goes with --tune`);
		}
		if (tuning && args.flags.has('align-to-step')) throw new UsageError('--align-to-step is a single replay\'s setting; --tune tries both (--grid-align)');
		if (tuning && values.policy !== undefined) throw new UsageError('--tune replays both policies; leave out --policy');
		if (tuning && values['target-under'] !== undefined && values['max-cost'] !== undefined) throw new UsageError('give one target: --target-under or --max-cost');
		const target = tuning ? tuneTarget(values) : null;
		const split = tuning && values.split !== undefined ? timestamp(values.split, '--split') : undefined;
		const grid = tuning ? tuneGrid(values) : undefined;

		const series = values.csv ? between(readCsv(values.csv, values.column), from, until) : await queryPrometheus(values, io);
		const source = values.csv ? `CSV ${path.basename(values.csv)}` : `Prometheus query ${values.query}`;
		if (tuning) {
			const base: SimulationOptions = {
				capacityPerPod,
				minReplicas,
				maxReplicas,
				policy: policyText,
				startupSeconds: duration(values, 'startup'),
				cronSeconds: duration(values, 'cron'),
				// The node fits on every run; a replay of weeks refits hourly unless told otherwise, to stay within minutes.
				refitSeconds: duration(values, 'refit') ?? 3600,
				historySeconds: duration(values, 'history'),
				warmupSeconds: duration(values, 'warmup', true),
				scrapeSeconds: duration(values, 'scrape-interval', true),
			};
			return runTune(series, base, { split, target: target!, grid: grid!, source, values, json: args.flags.has('json') }, io);
		}
		let lastReport = 0;
		let result: SimulationResult;
		try {
			result = simulate(series, {
				capacityPerPod,
				minReplicas,
				maxReplicas,
				policies,
				policy: policyText,
				startupSeconds: duration(values, 'startup'),
				cronSeconds: duration(values, 'cron'),
				refitSeconds: duration(values, 'refit'),
				historySeconds: duration(values, 'history'),
				warmupSeconds: duration(values, 'warmup', true),
				scrapeSeconds: duration(values, 'scrape-interval', true),
				extraLeadSeconds: duration(values, 'extra-lead', true),
				...(args.flags.has('align-to-step')
					? {
							alignToStep: true,
							runOffsetSeconds: alignedOffset(duration(values, 'cron') ?? 900, (duration(values, 'startup') ?? 90) + (duration(values, 'extra-lead', true) ?? 0)),
						}
					: {}),
				headroom: values.headroom === undefined ? undefined : number(values, 'headroom', (n) => n >= 0, 'a fraction >= 0'),
				quantile: values['replica-quantile'] === undefined ? undefined : number(values, 'replica-quantile', (n) => n > 0 && n < 1, 'a level between 0 and 1'),
				onProgress: ({ policy, fraction, elapsedSeconds }) => {
					// Quiet on short runs; on long ones one line every few seconds.
					if (elapsedSeconds < 2 || elapsedSeconds - lastReport < 5) return;
					lastReport = elapsedSeconds;
					io.stderr(`kube-ops simulate: ${policy} ${Math.round(100 * fraction)} % (${elapsedSeconds.toFixed(0)} s)\n`);
				},
			});
		} catch (error) {
			// Bad settings that only the engine can judge (they depend on the data) are still usage errors.
			if (SETTINGS_ERROR.test((error as Error).message)) {
				throw new UsageError((error as Error).message);
			}
			throw error;
		}
		if (result.demand.gapMinutes > 0) {
			io.stderr(`kube-ops simulate: warning: ${result.demand.gapMinutes} minute(s) without data (empty, NaN or missing rows) are gaps: not scored, and the HPA keeps its count there\n`);
		}
		if (values.report) writeReport(values.report, result, source);
		if (args.flags.has('json')) io.stdout(JSON.stringify(scoresJson(result)) + '\n');
		else io.stdout(renderSummary(result, { title: 'kube-ops simulate', source: values.csv ? `Demand from ${values.csv}` : `Demand from ${values.prometheus}: ${values.query}` }));
		if (values.report) io.stderr(`kube-ops simulate: report written to ${path.join(values.report, 'simulate.md')} and simulate.svg\n`);
		return 0;
	},
};

const SETTINGS_ERROR = /^(capacity|start-up|min replicas|max replicas|the refit|the loop|the warm-up must|the history must|headroom|the replica quantile|the extra lead|the scale-down)/;

interface TuneRequest {
	split: number | undefined;
	target: TuneTarget;
	grid: Partial<TuneGrid>;
	source: string;
	values: Record<string, string>;
	json: boolean;
}

async function runTune(series: Series, base: SimulationOptions, request: TuneRequest, io: CliIO): Promise<number> {
	const splitAt = request.split ?? defaultSplit(series, base);
	if (request.split === undefined) io.stderr(`kube-ops simulate --tune: no --split given: tuning before ${new Date(splitAt * 1000).toISOString()}, scoring after it\n`);
	let lastReport = -Infinity;
	let result: TuneResult;
	try {
		result = tune(series, {
			base,
			splitAt,
			target: request.target,
			grid: request.grid,
			onProgress: ({ stage, done, total, elapsedSeconds }) => {
				if (elapsedSeconds - lastReport < 5 && done < total) return;
				lastReport = elapsedSeconds;
				const what = stage === 'fits' ? `forecast fits ${done} %` : `replays ${done}/${total}`;
				io.stderr(`kube-ops simulate --tune: ${what} (${elapsedSeconds.toFixed(0)} s)\n`);
			},
		});
	} catch (error) {
		if (error instanceof TuneError || SETTINGS_ERROR.test((error as Error).message)) throw new UsageError((error as Error).message);
		throw error;
	}
	const title = `Tuning pre-scaling on ${request.source}`;
	if (request.values.report) {
		fs.mkdirSync(request.values.report, { recursive: true });
		fs.writeFileSync(path.join(request.values.report, 'tune.svg'), renderTuneChart(result, title));
		fs.writeFileSync(path.join(request.values.report, 'tune.md'), renderTuneSummary(result, { title, source: request.source, chart: 'tune.svg' }));
		io.stderr(`kube-ops simulate --tune: report written to ${path.join(request.values.report, 'tune.md')} and tune.svg\n`);
	}
	if (request.json) {
		io.stdout(JSON.stringify(tuneJson(result)) + '\n');
		return 0;
	}
	io.stdout(renderTuneSummary(result, { title, source: request.source }));
	if (!result.chosen) io.stderr(`kube-ops simulate --tune: target not met; closest: ${describeSettings(result.closest.settings)}\n`);
	else io.stderr(`kube-ops simulate --tune: recommended ${describeSettings(result.chosen.settings)}; Forecast node ${JSON.stringify(forecastNodeParameters(result.chosen.settings))}\n`);
	if (result.policy) io.stderr(policyYaml(result.policy).replace(/^/gm, '  '));
	return 0;
}

/** Two thirds into the span after the warm-up: the tuner gets the longer part, the score a week or so it never saw. */
function defaultSplit(series: Series, base: SimulationOptions): number {
	const times = series.t.filter((_, i) => series.v[i] !== null && Number.isFinite(series.v[i] as number));
	if (times.length === 0) return 0;
	const first = Math.min(...times);
	const last = Math.max(...times);
	const scored = first + (base.warmupSeconds ?? 7 * 86_400);
	return Math.round((scored + (2 / 3) * (last - scored)) / 3600) * 3600;
}

function tuneTarget(values: Record<string, string>): TuneTarget {
	if (values['target-under'] !== undefined) {
		const text = values['target-under'].trim();
		const share = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
		if (text === '' || !Number.isFinite(share) || !(share >= 0 && share < 1)) throw new UsageError(`--target-under: "${values['target-under']}" is not a share of minutes like 1% or 0.01`);
		return { kind: 'under', maxShare: share };
	}
	const text = (values['max-cost'] ?? '1.0x').trim();
	const ratio = Number(text.replace(/x$/i, ''));
	if (text === '' || !Number.isFinite(ratio) || !(ratio > 0)) throw new UsageError(`--max-cost: "${values['max-cost']}" is not a ratio to the reactive replica-hours like 1.0x`);
	return { kind: 'cost', maxRatio: ratio };
}

function tuneGrid(values: Record<string, string>): Partial<TuneGrid> {
	const list = <T>(name: string, parse: (part: string) => T | null, expected: string): T[] | undefined => {
		if (values[name] === undefined) return undefined;
		return values[name].split(',').map((part) => {
			const value = parse(part.trim());
			if (part.trim() === '' || value === null) throw new UsageError(`--${name}: "${part.trim()}" is not ${expected}`);
			return value;
		});
	};
	const num = (ok: (n: number) => boolean) => (part: string) => (Number.isFinite(Number(part)) && ok(Number(part)) ? Number(part) : null);
	const dur = (zero: boolean) => (part: string) => {
		if (zero && /^0+[smhdw]?$/.test(part)) return 0;
		const seconds = durationSeconds(part);
		return seconds !== null && seconds > 0 ? seconds : null;
	};
	const grid: Partial<TuneGrid> = {};
	const set = <K extends keyof TuneGrid>(key: K, value: TuneGrid[K] | undefined) => {
		if (value !== undefined) grid[key] = value;
	};
	set('quantiles', list('grid-quantiles', num((n) => n > 0 && n < 1), 'a level between 0 and 1'));
	set('headrooms', list('grid-headroom', num((n) => n >= 0), 'a fraction >= 0'));
	set('extraLeadSeconds', list('grid-extra-lead', dur(true), 'a duration like 0s or 15m'));
	set('stepDownPercents', list('grid-step-down', num((n) => n > 0 && n <= 100), 'a percentage above 0, at most 100'));
	set('stabilizationSeconds', list('grid-stabilization', dur(true), 'a duration like 60s or 5m'));
	set('refitSeconds', list('grid-refit', dur(false), 'a duration like 1h'));
	set('runIntervalSeconds', list('grid-run-interval', dur(false), 'a duration like 5m or 15m'));
	set('alignToStep', list('grid-align', (part) => (part === 'true' ? true : part === 'false' ? false : null), 'true or false'));
	return grid;
}

function timestamp(text: string, option: string): number {
	try {
		return parseTimestamp(text);
	} catch (error) {
		throw new UsageError(`${option}: ${(error as Error).message}`);
	}
}

function between(series: Series, from: number, until: number): Series {
	const keep = series.t.map((t, i) => (t >= from && t <= until ? i : -1)).filter((i) => i >= 0);
	return { t: keep.map((i) => series.t[i]), v: keep.map((i) => series.v[i]) };
}

function readText(file: string, option: string, what: string): string {
	try {
		return readCliFile(file, what);
	} catch (error) {
		throw new Error(`${option}: ${(error as Error).message}`);
	}
}

function readCsv(file: string, column: string | undefined): Series {
	const text = readText(file, '--csv', 'CSV');
	try {
		return readSeriesCsv(text, column ?? 1).series;
	} catch (error) {
		const message = (error as Error).message;
		throw new Error(`${file}: ${message}${/no column|column \d+ does not exist|timestamp column/.test(message) ? ' (fix: --column <name or position>)' : ''}`);
	}
}

async function queryPrometheus(values: Record<string, string>, io: CliIO): Promise<Series> {
	const promDuration = (name: string, fallback: string) => {
		try {
			return parseDuration(values[name] ?? fallback, `--${name}`);
		} catch (error) {
			throw new UsageError((error as Error).message);
		}
	};
	const range = promDuration('range', '14d');
	const step = promDuration('step', '1m');
	let end: number;
	let headers: Record<string, string>;
	try {
		end = parseTime(values.end ?? 'now', io.now(), '--end');
		headers = parseHeaderLines(values.header ?? '');
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	const token = values.token ?? process.env.PROMETHEUS_TOKEN;
	const client = new PrometheusClient({ baseUrl: values.prometheus, auth: token ? { type: 'bearer', token } : { type: 'none' }, headers });
	const result = await client.range({ query: values.query, start: end - range, end, step });
	for (const warning of result.warnings) io.stderr(`kube-ops simulate: warning: Prometheus: ${warning}\n`);
	if (result.series.length !== 1) {
		throw new Error(
			result.series.length === 0
				? `the query returned no series over the last ${values.range ?? '14d'} (fix: check the metric name and labels with kube-ops query)`
				: `the query returned ${result.series.length} series; the replay needs one (fix: aggregate, e.g. sum(...) or sum by () (...))`,
		);
	}
	const samples = result.series[0].values;
	return { t: samples.map(([t]) => t), v: samples.map(([, v]) => v) };
}

function writeReport(dir: string, result: SimulationResult, source: string): void {
	fs.mkdirSync(dir, { recursive: true });
	const title = `Replay of ${source}`;
	fs.writeFileSync(path.join(dir, 'simulate.svg'), renderChart(result, title));
	fs.writeFileSync(path.join(dir, 'simulate.md'), renderSummary(result, { title, source, chart: 'simulate.svg' }));
}

function policyNames(text: string): PolicyName[] {
	const value = text.trim().toLowerCase();
	if (value === 'both') return [...POLICY_NAMES];
	if ((POLICY_NAMES as readonly string[]).includes(value)) return [value as PolicyName];
	throw new UsageError(`--policy: "${text}" is not reactive, predictive or both`);
}

function number(values: Record<string, string>, name: string, valid: (n: number) => boolean, expected: string, fallback?: number): number {
	if (values[name] === undefined) return fallback as number;
	const n = Number(values[name]);
	if (values[name].trim() === '' || !Number.isFinite(n) || !valid(n)) throw new UsageError(`--${name}: "${values[name]}" is not ${expected}`);
	return n;
}

function duration(values: Record<string, string>, name: string, zeroAllowed = false): number | undefined {
	if (values[name] === undefined) return undefined;
	const text = values[name].trim();
	const seconds = zeroAllowed && /^0+[smhdw]?$/.test(text) ? 0 : durationSeconds(text);
	if (seconds === null || (!zeroAllowed && !(seconds > 0))) throw new UsageError(`--${name}: "${values[name]}" is not a duration like 90s, 15m, 1h or 7d`);
	return seconds;
}
