import * as fs from 'node:fs';
import * as path from 'node:path';

import { UsageError, parseArgs } from '../args';
import type { CliCommand, CliIO } from '../command';
import { ALLOW_INSECURE_OPTION, requireSecureUrl } from '../insecure';
import { parseDuration, parseTimestamp, readSeriesCsv } from '../../forecast';
import type { Series } from '../../forecast';
import { PrometheusClient, parseDuration as parsePrometheusDuration, parseHeaderLines, parseTime } from '../../prometheus';
import { POLICY_NAMES, renderChart, renderSummary, scoresJson, simulate, type PolicyName, type SimulationResult } from '../../simulate';

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
	'policy-file': { description: 'Policy Gate policy (YAML/JSON) for the predictive loop (default: see README)', valueName: 'file' },
	cron: { description: 'pre-scaling loop interval (default 15m)', valueName: 'dur' },
	refit: { description: 'refit the forecast this often, a multiple of --cron (default every run)', valueName: 'dur' },
	history: { description: 'history each forecast reads (default 14d)', valueName: 'dur' },
	warmup: { description: 'replayed but not scored, so the loop has history (default 7d)', valueName: 'dur' },
	headroom: { description: 'floor headroom, a fraction (default 0.05)', valueName: 'fraction' },
	'replica-quantile': { description: 'forecast quantile the floor provisions for (default 0.5)', valueName: 'level' },
	'scrape-interval': { description: 'how old the HPA\'s metric is (default 30s)', valueName: 'dur' },
	report: { description: 'write simulate.svg (chart) and simulate.md (summary) into this directory', valueName: 'dir' },
	json: { flag: true, description: 'print { reactive: {...}, predictive: {...} } with the scores' },
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
		'simulate --csv <file> [--column <c>] [--from <t>] [--until <t>] | --prometheus <url> --query <promql> [--range 14d --step 1m]  --capacity-per-pod <n> [--startup <dur>] [--min <n> --max <n>] [--policy reactive|predictive|both] [--policy-file <f>] [--report <dir>] --json',
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
		const policyText = values['policy-file'] === undefined ? undefined : readText(values['policy-file'], '--policy-file');

		const series = values.csv ? between(readCsv(values.csv, values.column), from, until) : await queryPrometheus(values, io);
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
			if (/^(capacity|start-up|min replicas|max replicas|the refit|the loop|the warm-up must|the history must|headroom|the replica quantile)/.test((error as Error).message)) {
				throw new UsageError((error as Error).message);
			}
			throw error;
		}
		if (result.demand.gapMinutes > 0) {
			io.stderr(`kube-ops simulate: warning: ${result.demand.gapMinutes} minute(s) without data (empty, NaN or missing rows) are gaps: not scored, and the HPA keeps its count there\n`);
		}
		if (values.report) writeReport(values.report, result, values.csv ? `CSV ${path.basename(values.csv)}` : `Prometheus query ${values.query}`);
		if (args.flags.has('json')) io.stdout(JSON.stringify(scoresJson(result)) + '\n');
		else io.stdout(renderSummary(result, { title: 'kube-ops simulate', source: values.csv ? `Demand from ${values.csv}` : `Demand from ${values.prometheus}: ${values.query}` }));
		if (values.report) io.stderr(`kube-ops simulate: report written to ${path.join(values.report, 'simulate.md')} and simulate.svg\n`);
		return 0;
	},
};

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

function readText(file: string, option: string): string {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new Error(`${option}: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
	}
}

function readCsv(file: string, column: string | undefined): Series {
	const text = readText(file, '--csv');
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
			return parsePrometheusDuration(values[name] ?? fallback, `--${name}`);
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
	const seconds = zeroAllowed && /^0+[smhdw]?$/.test(text) ? 0 : parseDuration(text);
	if (seconds === null || (!zeroAllowed && !(seconds > 0))) throw new UsageError(`--${name}: "${values[name]}" is not a duration like 90s, 15m, 1h or 7d`);
	return seconds;
}
