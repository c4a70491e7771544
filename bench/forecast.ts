/**
 * Forecast benchmarks: M4 Hourly (all 414 series) against seasonal naive and
 * the JavaScript peers, real operations series at 1 h and 4 h horizons, and
 * the speed of one 14-day 5-minute series. Figures go to stdout, to
 * bench/results/forecast.{json,md} and, for a full run, to the block in
 * docs/benchmarks.md; each is printed beside the figures of
 * bench/results/forecast-baseline.json (the engine before issue 14).
 *
 *   node dist-dev/bench/forecast.js [--only forecast|m4|ops|speed] [--no-peers] [--no-prophet]
 *
 * Peers (@bsull/augurs, arima, @bsull/augurs-prophet-wasmstan) are optional
 * devDependencies, resolved from this package or from KUBE_OPS_PEERS (a folder
 * whose node_modules holds them); missing ones are reported as skipped.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { readSeriesCsv } from '../src/forecast/csv';
import { forecast } from '../src/forecast/forecast';
import { toRegularGrid } from '../src/forecast/grid';
import { engineForecaster, M4_HOURLY, runM4, writeM4Submission, type M4Forecaster, type M4Result } from './m4';
import { seasonalNaiveScale } from '../src/forecast/metrics';
import type { Series } from '../src/forecast/types';
import { ROOT, updateDocBlock } from './repository';

const DATA = path.join(ROOT, 'bench', 'data');
const RESULTS = path.join(ROOT, 'bench', 'results');

// ---------------------------------------------------------------- M4 Hourly

interface M4Row {
	method: string;
	mase: number;
	smape: number;
	seconds: number;
	/** Process CPU time; absent in results from before it was measured. */
	cpuSeconds?: number;
	p90Coverage?: number;
	series: number;
	failed: number;
	note?: string;
}

const seasonalNaiveForecaster: M4Forecaster = (values, horizon) => ({
	forecast: Array.from({ length: horizon }, (_, h) => values[values.length - M4_HOURLY.season + (h % M4_HOURLY.season)]),
	model: 'seasonal-naive',
});

/** Imports a peer package by name from this package or from KUBE_OPS_PEERS; null when it is not installed. */
async function importPeer(name: string): Promise<Record<string, unknown> | null> {
	const bases = [path.join(ROOT, 'package.json')];
	if (process.env.KUBE_OPS_PEERS) bases.unshift(path.join(path.resolve(process.env.KUBE_OPS_PEERS), 'package.json'));
	for (const base of bases) {
		try {
			const resolved = createRequire(base).resolve(name);
			// A real dynamic import: tsc would turn `import()` into require(), which cannot load async ES modules.
			const load = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, unknown>>;
			return { ...(await load(pathToFileURL(resolved).href)), __file: resolved };
		} catch {
			continue;
		}
	}
	return null;
}

type Peer = { name: string; forecaster: M4Forecaster } | { name: string; skipped: string };

async function loadPeers(withProphet: boolean): Promise<Peer[]> {
	const peers: Peer[] = [];
	const mstl = await importPeer('@bsull/augurs/mstl');
	if (mstl) {
		const init = mstl.initSync as (input: { module: Buffer }) => void;
		init({ module: fs.readFileSync(path.join(path.dirname(mstl.__file as string), 'mstl_bg.wasm')) });
		type Model = { fit(y: number[]): void; predict(h: number): { point: number[] }; free(): void };
		const MSTL = mstl.MSTL as { ets(periods: number[]): Model };
		peers.push({
			name: '@bsull/augurs MSTL(24,168)+AutoETS',
			forecaster: (values, horizon) => {
				const model = MSTL.ets([24, 168]);
				model.fit(values);
				const point = model.predict(horizon).point;
				model.free();
				return { forecast: Array.from(point), model: 'augurs-mstl' };
			},
		});
	} else peers.push({ name: '@bsull/augurs MSTL(24,168)+AutoETS', skipped: 'not installed' });

	const arima = await importPeer('arima');
	if (arima) {
		type Arima = { train(y: number[]): Arima; predict(h: number): [number[], number[]] };
		const ARIMA = (arima.default ?? arima) as new (options: Record<string, unknown>) => Arima;
		peers.push({
			name: 'arima SARIMA(0,1,1)(0,1,1)24',
			forecaster: (values, horizon) => {
				const model = new ARIMA({ p: 0, d: 1, q: 1, P: 0, D: 1, Q: 1, s: 24, verbose: false }).train(values);
				return { forecast: Array.from(model.predict(horizon)[0]), model: 'arima-airline' };
			},
		});
	} else peers.push({ name: 'arima SARIMA(0,1,1)(0,1,1)24', skipped: 'not installed' });

	const prophet = withProphet ? await importPeer('@bsull/augurs/prophet') : null;
	const wasmstan = withProphet ? await importPeer('@bsull/augurs-prophet-wasmstan') : null;
	if (prophet && wasmstan) {
		const init = prophet.initSync as (input: { module: Buffer }) => void;
		init({ module: fs.readFileSync(path.join(path.dirname(prophet.__file as string), 'prophet_bg.wasm')) });
		type Model = { fit(data: { ds: number[]; y: number[] }): void; predict(data: { ds: number[] }): { yhat: { point: number[] } } };
		const Prophet = prophet.Prophet as new (options: Record<string, unknown>) => Model;
		peers.push({
			name: 'Prophet (@bsull/augurs-prophet-wasmstan)',
			forecaster: (values, horizon) => {
				const model = new Prophet({ optimizer: wasmstan.optimizer });
				const start = 1_500_000_000;
				model.fit({ ds: values.map((_, i) => start + i * 3600), y: values });
				const ds = Array.from({ length: horizon }, (_, h) => start + (values.length + h) * 3600);
				return { forecast: Array.from(model.predict({ ds }).yhat.point), model: 'prophet' };
			},
		});
	} else peers.push({ name: 'Prophet (@bsull/augurs-prophet-wasmstan)', skipped: withProphet ? 'not installed' : 'left out (--no-prophet)' });
	return peers;
}

function m4Row(method: string, result: M4Result): M4Row {
	return {
		method,
		mase: result.mase,
		smape: result.smape,
		seconds: result.seconds,
		cpuSeconds: result.cpuSeconds,
		...(Number.isFinite(result.p90Coverage) ? { p90Coverage: result.p90Coverage } : {}),
		series: result.series,
		failed: result.failed,
	};
}

async function benchM4(withPeers: boolean, withProphet: boolean): Promise<M4Row[]> {
	const train = fs.readFileSync(path.join(DATA, 'm4', 'Hourly-train.csv'), 'utf8');
	const test = fs.readFileSync(path.join(DATA, 'm4', 'Hourly-test.csv'), 'utf8');
	const rows: M4Row[] = [];
	const ours = runM4(train, test, engineForecaster());
	fs.writeFileSync(path.join(RESULTS, 'm4-hourly-forecasts.csv'), writeM4Submission(ours.forecasts));
	rows.push(m4Row('kube-ops forecast (auto)', ours));
	log(
		`M4 ours: MASE ${ours.mase.toFixed(3)} sMAPE ${ours.smape.toFixed(2)} in ${ours.seconds.toFixed(1)} s (CPU ${ours.cpuSeconds.toFixed(1)} s), p90 coverage ${pct(ours.p90Coverage)}, failed ${ours.failed}`,
	);
	rows.push(m4Row('seasonal naive (m = 24)', runM4(train, test, seasonalNaiveForecaster)));
	if (withPeers) {
		for (const peer of await loadPeers(withProphet)) {
			if ('skipped' in peer) {
				rows.push({ method: peer.name, mase: NaN, smape: NaN, seconds: NaN, series: 0, failed: 0, note: peer.skipped });
				continue;
			}
			const result = runM4(train, test, peer.forecaster);
			rows.push(m4Row(peer.name, result));
			log(`M4 ${peer.name}: MASE ${result.mase.toFixed(3)} in ${result.seconds.toFixed(1)} s (CPU ${result.cpuSeconds.toFixed(1)} s)`);
		}
	}
	return rows;
}

// ------------------------------------------------- real operations series

interface OpsSeries {
	name: string;
	series: Series;
}

function opsSeries(): OpsSeries[] {
	const read = (file: string): Series => readSeriesCsv(fs.readFileSync(file, 'utf8')).series;
	const nasa = read(path.join(DATA, 'nasa_http', 'nasa_jul1995_5min.csv'));
	// Only up to the log outage that runs to the end of the month: an outage is not traffic to forecast.
	const lastLogged = nasa.v.findLastIndex((v) => v !== null);
	const out: OpsSeries[] = [
		{ name: 'NASA HTTP Jul 1995 (5 min)', series: { t: nasa.t.slice(0, lastLogged + 1), v: nasa.v.slice(0, lastLogged + 1) } },
		{ name: 'NYC taxi (30 min)', series: read(path.join(ROOT, 'test', 'fixtures', 'nyc_taxi.csv')) },
	];
	const aws = path.join(DATA, 'nab', 'realAWSCloudwatch');
	for (const file of fs.readdirSync(aws).filter((f) => f.endsWith('.csv')).sort()) {
		out.push({ name: `AWS ${file.replace('ec2_cpu_utilization_', 'CPU ').replace('.csv', '')} (5 min)`, series: read(path.join(aws, file)) });
	}
	return out;
}

interface OpsScore {
	mase: number;
	wape: number;
	underForecastRate: number;
	p90Coverage: number | null;
}

interface OpsRow {
	series: string;
	horizon: string;
	steps: number;
	origins: number;
	noForecast: number;
	firstReason: string | null;
	engine: OpsScore;
	seasonalNaive: OpsScore;
	msPerForecast: number;
	/** Process CPU time per forecast; absent in results from before it was measured. */
	cpuMsPerForecast?: number;
}

/** Scores over rolling origins in the last days of each series; each forecast sees only the history before its origin. */
function benchOps(): OpsRow[] {
	const rows: OpsRow[] = [];
	for (const { name, series } of opsSeries()) {
		const grid = toRegularGrid(series)!;
		const interval = grid.intervalSeconds;
		const daily = Math.round(86_400 / interval);
		const maxHistory = Math.round((28 * 86_400) / interval);
		const values = grid.values;
		const n = values.length;
		for (const [label, seconds] of [
			['1 h', 3600],
			['4 h', 14_400],
		] as const) {
			const steps = Math.max(1, Math.round(seconds / interval));
			const spacing = Math.round((4 * 3600) / interval);
			const origins: number[] = [];
			for (let origin = n - steps; origins.length < 18 && origin > 2 * daily + 10 * steps; origin -= spacing) origins.unshift(origin);
			const engine = new Accumulator();
			const naive = new Accumulator();
			let noForecast = 0;
			let firstReason: string | null = null;
			let elapsed = 0;
			let cpu = 0;
			for (const origin of origins) {
				const from = Math.max(0, origin - maxHistory);
				const t = Array.from({ length: origin - from }, (_, i) => grid.start + (from + i) * interval);
				const v = Array.from(values.subarray(from, origin), (x) => (Number.isFinite(x) ? x : null));
				const actual = values.subarray(origin, origin + steps);
				const scale = seasonalNaiveScale(values.subarray(from, origin), daily);
				const naiveForecast = Array.from({ length: steps }, (_, h) => values[origin - daily + (h % daily)]);
				const started = process.hrtime.bigint();
				const cpuStarted = process.cpuUsage();
				const outcome = forecast({ t, v }, { horizon: steps });
				elapsed += Number(process.hrtime.bigint() - started) / 1e6;
				cpu += cpuMs(process.cpuUsage(cpuStarted));
				if (outcome.kind !== 'forecast') {
					noForecast++;
					firstReason ??= outcome.reason;
					continue;
				}
				engine.add(
					actual,
					outcome.points.map((p) => p.mean),
					outcome.points.map((p) => p.q['0.9']),
					scale,
				);
				naive.add(actual, naiveForecast, null, scale);
			}
			rows.push({
				series: name,
				horizon: label,
				steps,
				origins: origins.length,
				noForecast,
				firstReason,
				engine: engine.score(),
				seasonalNaive: naive.score(),
				msPerForecast: elapsed / Math.max(1, origins.length),
				cpuMsPerForecast: cpu / Math.max(1, origins.length),
			});
			log(`ops ${name} ${label}: MASE ${rows[rows.length - 1].engine.mase.toFixed(3)} vs naive ${rows[rows.length - 1].seasonalNaive.mase.toFixed(3)}`);
		}
	}
	return rows;
}

/** Pools points across origins; MASE is the mean over origins of each window's scaled error. */
class Accumulator {
	private maseSum = 0;
	private windows = 0;
	private absoluteError = 0;
	private demand = 0;
	private under = 0;
	private covered = 0;
	private points = 0;
	private hasQuantile = false;

	add(actual: ArrayLike<number>, mean: number[], p90: number[] | null, scale: number): void {
		let error = 0;
		let count = 0;
		for (let h = 0; h < actual.length; h++) {
			if (!Number.isFinite(actual[h]) || !Number.isFinite(mean[h])) continue;
			error += Math.abs(actual[h] - mean[h]);
			this.demand += Math.abs(actual[h]);
			if (actual[h] > mean[h]) this.under++;
			if (p90 && actual[h] <= p90[h]) this.covered++;
			count++;
		}
		if (count === 0 || !(scale > 0)) return;
		this.hasQuantile ||= p90 !== null;
		this.absoluteError += error;
		this.points += count;
		this.maseSum += error / count / scale;
		this.windows++;
	}

	score(): OpsScore {
		return {
			mase: this.maseSum / this.windows,
			wape: (100 * this.absoluteError) / this.demand,
			underForecastRate: this.under / this.points,
			p90Coverage: this.hasQuantile ? this.covered / this.points : null,
		};
	}
}

// -------------------------------------------------------------------- speed

interface SpeedResult {
	series: string;
	points: number;
	horizon: number;
	coldMs: number;
	medianMs: number;
	maxMs: number;
	/** Median process CPU time of the same calls; absent in results from before it was measured. */
	medianCpuMs?: number;
	model: string;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
	return (usage.user + usage.system) / 1000;
}

function benchSpeed(): SpeedResult {
	const nasa = readSeriesCsv(fs.readFileSync(path.join(DATA, 'nasa_http', 'nasa_jul1995_5min.csv'), 'utf8')).series;
	const points = 14 * 288;
	const series = { t: nasa.t.slice(0, points), v: nasa.v.slice(0, points) };
	const time = (): { ms: number; cpuMs: number; model: string } => {
		const started = process.hrtime.bigint();
		const cpuStarted = process.cpuUsage();
		const outcome = forecast(series, { horizon: 48 });
		return {
			ms: Number(process.hrtime.bigint() - started) / 1e6,
			cpuMs: cpuMs(process.cpuUsage(cpuStarted)),
			model: outcome.kind === 'forecast' ? outcome.model : outcome.reason,
		};
	};
	const cold = time();
	const calls = Array.from({ length: 15 }, () => time());
	const warm = calls.map((c) => c.ms).sort((a, b) => a - b);
	const warmCpu = calls.map((c) => c.cpuMs).sort((a, b) => a - b);
	return {
		series: 'NASA HTTP, first 14 days at 5 min, horizon 48 (4 h), seasons auto',
		points,
		horizon: 48,
		coldMs: cold.ms,
		medianMs: warm[Math.floor(warm.length / 2)],
		maxMs: warm[warm.length - 1],
		medianCpuMs: warmCpu[Math.floor(warmCpu.length / 2)],
		model: cold.model,
	};
}

// ------------------------------------------------------------------ report

function log(message: string): void {
	process.stderr.write(`${message}\n`);
}

const f3 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));
const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`);
const f1 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));

/** The nominal 0.9 quantile counts as calibrated when it covers this share of actuals. */
const COVERAGE_TARGET = { low: 0.88, high: 0.92 };
const inTarget = (x: number | null | undefined): boolean =>
	x !== null && x !== undefined && x >= COVERAGE_TARGET.low && x <= COVERAGE_TARGET.high;

interface Report {
	measuredAt: string;
	node: string;
	/** Machine and load while the benchmark ran: wall times on a shared machine include other work. */
	machine?: { cpus: number; loadAverageStart: number[]; loadAverageEnd: number[] };
	m4: M4Row[] | null;
	ops: OpsRow[] | null;
	speed: SpeedResult | null;
}

function readBaseline(): Report | null {
	const file = path.join(RESULTS, 'forecast-baseline.json');
	return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Report) : null;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function m4Section(m4: M4Row[], before: Report | null): string[] {
	const ours = m4[0];
	const old = before?.m4?.[0];
	const lines = [
		'### M4 Hourly (414 series, h = 48, MASE m = 24)',
		'',
		'| method | MASE | sMAPE | p90 coverage | wall s | CPU s | series | failed | our MASE / theirs |',
		'|---|---|---|---|---|---|---|---|---|',
	];
	const row = (r: M4Row, ratio: string): string =>
		`| ${r.method} | ${f3(r.mase)} | ${Number.isFinite(r.smape) ? r.smape.toFixed(2) : '–'} | ${pct(r.p90Coverage)} | ${f1(r.seconds)} | ${f1(r.cpuSeconds)} | ${r.series} | ${r.failed} | ${r.note ?? ratio} |`;
	for (const r of m4) lines.push(row(r, r === ours || !Number.isFinite(r.mase) ? '' : (ours.mase / r.mase).toFixed(3)));
	if (old) lines.push(row({ ...old, method: `${old.method}, before issue 14 (${before?.measuredAt.slice(0, 10)})` }, (ours.mase / old.mase).toFixed(3)));
	lines.push(
		'',
		`Published: AutoARIMA 1.03, Smyl (winner) 0.893, best entrant (Doornik et al.) 0.801. Target: MASE <= 0.82 in under 60 s: ${ours.mase <= 0.82 ? 'MASE met' : 'MASE not met'}, ${ours.seconds <= 60 ? 'wall time met' : `wall time not met (CPU ${f1(ours.cpuSeconds)} s)`}. ` +
			'Models, windows and combination were chosen on the training part only (its last 48 hours held out); the test file is read for this score alone.',
		'',
	);
	return lines;
}

function opsSection(ops: OpsRow[], before: Report | null): string[] {
	const old = new Map((before?.ops ?? []).map((r) => [`${r.series}|${r.horizon}`, r]));
	const lines = [
		'### Real operations series (rolling origins every 4 h over the last days; history up to 28 days before each origin)',
		'',
		'| series | horizon | origins | no forecast (before) | MASE | MASE before | naive MASE | WAPE | under-forecast | p90 coverage | p90 coverage before | ms / forecast | CPU ms / forecast |',
		'|---|---|---|---|---|---|---|---|---|---|---|---|---|',
	];
	const pairs: Array<[number, number]> = [];
	let calibrated = 0;
	let calibratedBefore = 0;
	let scored = 0;
	for (const r of ops) {
		const b = old.get(`${r.series}|${r.horizon}`);
		if (b && Number.isFinite(r.engine.mase) && Number.isFinite(b.engine.mase)) pairs.push([r.engine.mase, b.engine.mase]);
		if (r.engine.p90Coverage !== null && Number.isFinite(r.engine.p90Coverage)) {
			scored++;
			if (inTarget(r.engine.p90Coverage)) calibrated++;
			if (inTarget(b?.engine.p90Coverage)) calibratedBefore++;
		}
		const mark = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${pct(x)}${inTarget(x) ? '' : ' ✗'}`);
		lines.push(
			`| ${r.series} | ${r.horizon} (${r.steps} steps) | ${r.origins} | ${r.noForecast} (${b ? b.noForecast : '–'}) | ${f3(r.engine.mase)} | ${f3(b?.engine.mase)} | ${f3(r.seasonalNaive.mase)} | ${Number.isFinite(r.engine.wape) ? r.engine.wape.toFixed(1) : '–'} % | ${pct(r.engine.underForecastRate)} | ${mark(r.engine.p90Coverage)} | ${mark(b?.engine.p90Coverage)} | ${r.msPerForecast.toFixed(0)} | ${f1(r.cpuMsPerForecast)} |`,
		);
	}
	lines.push(
		'',
		`Mean MASE over the ${pairs.length} rows scored both times: ${f3(mean(pairs.map((p) => p[0])))} now, ${f3(mean(pairs.map((p) => p[1])))} before; ` +
			`better in ${pairs.filter((p) => p[0] < p[1]).length}, worse in ${pairs.filter((p) => p[0] > p[1]).length}. ` +
			`p90 coverage within ${pct(COVERAGE_TARGET.low)}–${pct(COVERAGE_TARGET.high)} (✗ marks a row outside): ${calibrated} of ${scored} rows now, ${calibratedBefore} before. ` +
			'Each row pools 18 windows, so one window of a 2-step horizon moves its coverage by several points.',
		'',
		'Seasonal naive = the same time one day earlier. MASE scale: in-sample daily seasonal naive error of each history.',
		'',
	);
	return lines;
}

function speedSection(speed: SpeedResult, before: Report | null): string[] {
	const old = before?.speed;
	return [
		'### Speed',
		'',
		`${speed.series}: first call ${speed.coldMs.toFixed(0)} ms (JIT warm-up), median of 15 further calls ${speed.medianMs.toFixed(0)} ms wall, ${f1(speed.medianCpuMs)} ms CPU, slowest ${speed.maxMs.toFixed(0)} ms. ` +
			(old ? `Before issue 14: median ${old.medianMs.toFixed(0)} ms wall (measured ${before?.measuredAt.slice(0, 10)}). ` : '') +
			'Target: under 100 ms.',
		'',
	];
}

function markdown(report: Report, before: Report | null): string {
	const load = report.machine
		? ` ${report.machine.cpus} cores; load average ${report.machine.loadAverageStart.map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the start, ${report.machine.loadAverageEnd.map((x) => x.toFixed(1)).join(' / ')} at the end: wall times include other work on the machine, CPU times do not.`
		: '';
	const lines: string[] = [
		`Measured ${report.measuredAt} on ${process.platform}/${process.arch}, Node ${report.node}, one process.${load} ` +
			(before ? `"Before" figures: \`bench/results/forecast-baseline.json\` (the engine before issue 14, measured ${before.measuredAt.slice(0, 10)}).` : ''),
		'',
	];
	if (report.m4) lines.push(...m4Section(report.m4, before));
	if (report.ops) lines.push(...opsSection(report.ops, before));
	if (report.speed) lines.push(...speedSection(report.speed, before));
	return lines.join('\n');
}

const README_START = '<!-- forecast-bench:start (written by npm run bench) -->';
const README_END = '<!-- forecast-bench:end -->';

export async function runForecastBenchmarks(args: string[] = []): Promise<void> {
	const requested = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
	// `--only forecast` (from npm run bench) means every forecast section.
	const only = requested === 'forecast' ? null : requested;
	const withPeers = !args.includes('--no-peers');
	const withProphet = !args.includes('--no-prophet');
	fs.mkdirSync(RESULTS, { recursive: true });
	const loadAverageStart = os.loadavg();
	const speed = !only || only === 'speed' ? benchSpeed() : null;
	if (speed) log(`speed: cold ${speed.coldMs.toFixed(0)} ms, median ${speed.medianMs.toFixed(0)} ms wall, ${f1(speed.medianCpuMs)} ms CPU`);
	const m4 = !only || only === 'm4' ? await benchM4(withPeers, withProphet) : null;
	const ops = !only || only === 'ops' ? benchOps() : null;
	const report: Report = {
		measuredAt: new Date().toISOString(),
		node: process.version,
		machine: { cpus: os.cpus().length, loadAverageStart, loadAverageEnd: os.loadavg() },
		m4,
		ops,
		speed,
	};
	const before = readBaseline();
	fs.writeFileSync(path.join(RESULTS, 'forecast.json'), `${JSON.stringify(report, null, 2)}\n`);
	const text = markdown(report, before);
	fs.writeFileSync(path.join(RESULTS, 'forecast.md'), `# Forecast benchmarks\n\n${text}\n`);
	if (m4 && ops && speed) updateDocBlock(README_START, README_END, text);
	process.stdout.write(`${text}\n`);
}

if (require.main === module) {
	runForecastBenchmarks(process.argv.slice(2)).catch((error: unknown) => {
		process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
		process.exit(1);
	});
}
