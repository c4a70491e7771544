/**
 * Forecast benchmarks: M4 Hourly (all 414 series) against seasonal naive and
 * the JavaScript peers, real operations series at 1 h and 4 h horizons, and
 * the speed of one 14-day 5-minute series. Figures go to stdout and to
 * bench/results/forecast.{json,md}.
 *
 *   node dist/bench/forecast.js [--only m4|ops|speed] [--no-peers] [--no-prophet]
 *
 * Peers (@bsull/augurs, arima, @bsull/augurs-prophet-wasmstan) are optional
 * devDependencies, resolved from this package or from KUBE_OPS_PEERS (a folder
 * whose node_modules holds them); missing ones are reported as skipped.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { readSeriesCsv } from '../src/forecast/csv';
import { forecast } from '../src/forecast/forecast';
import { toRegularGrid } from '../src/forecast/grid';
import { engineForecaster, M4_HOURLY, runM4, writeM4Submission, type M4Forecaster, type M4Result } from '../src/forecast/m4';
import { seasonalNaiveScale } from '../src/forecast/metrics';
import type { Series } from '../src/forecast/types';

const ROOT = findRoot(__dirname) ?? findRoot(process.cwd()) ?? fail('cannot find the n8n-nodes-kube-ops package root');
const DATA = path.join(ROOT, 'bench', 'data');
const RESULTS = path.join(ROOT, 'bench', 'results');

function findRoot(from: string): string | null {
	for (let dir = from; ; dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'n8n-nodes-kube-ops') return dir;
		if (path.dirname(dir) === dir) return null;
	}
}

function fail(message: string): never {
	throw new Error(message);
}

// ---------------------------------------------------------------- M4 Hourly

interface M4Row {
	method: string;
	mase: number;
	smape: number;
	seconds: number;
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
	return { method, mase: result.mase, smape: result.smape, seconds: result.seconds, series: result.series, failed: result.failed };
}

async function benchM4(withPeers: boolean, withProphet: boolean): Promise<M4Row[]> {
	const train = fs.readFileSync(path.join(DATA, 'm4', 'Hourly-train.csv'), 'utf8');
	const test = fs.readFileSync(path.join(DATA, 'm4', 'Hourly-test.csv'), 'utf8');
	const rows: M4Row[] = [];
	const ours = runM4(train, test, engineForecaster());
	fs.writeFileSync(path.join(RESULTS, 'm4-hourly-forecasts.csv'), writeM4Submission(ours.forecasts));
	rows.push(m4Row('kube-ops forecast (auto)', ours));
	log(`M4 ours: MASE ${ours.mase.toFixed(3)} sMAPE ${ours.smape.toFixed(2)} in ${ours.seconds.toFixed(1)} s, failed ${ours.failed}`);
	rows.push(m4Row('seasonal naive (m = 24)', runM4(train, test, seasonalNaiveForecaster)));
	if (withPeers) {
		for (const peer of await loadPeers(withProphet)) {
			if ('skipped' in peer) {
				rows.push({ method: peer.name, mase: NaN, smape: NaN, seconds: NaN, series: 0, failed: 0, note: peer.skipped });
				continue;
			}
			const result = runM4(train, test, peer.forecaster);
			rows.push(m4Row(peer.name, result));
			log(`M4 ${peer.name}: MASE ${result.mase.toFixed(3)} in ${result.seconds.toFixed(1)} s`);
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
			for (const origin of origins) {
				const from = Math.max(0, origin - maxHistory);
				const t = Array.from({ length: origin - from }, (_, i) => grid.start + (from + i) * interval);
				const v = Array.from(values.subarray(from, origin), (x) => (Number.isFinite(x) ? x : null));
				const actual = values.subarray(origin, origin + steps);
				const scale = seasonalNaiveScale(values.subarray(from, origin), daily);
				const naiveForecast = Array.from({ length: steps }, (_, h) => values[origin - daily + (h % daily)]);
				const started = process.hrtime.bigint();
				const outcome = forecast({ t, v }, { horizon: steps });
				elapsed += Number(process.hrtime.bigint() - started) / 1e6;
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
	model: string;
}

function benchSpeed(): SpeedResult {
	const nasa = readSeriesCsv(fs.readFileSync(path.join(DATA, 'nasa_http', 'nasa_jul1995_5min.csv'), 'utf8')).series;
	const points = 14 * 288;
	const series = { t: nasa.t.slice(0, points), v: nasa.v.slice(0, points) };
	const time = (): { ms: number; model: string } => {
		const started = process.hrtime.bigint();
		const outcome = forecast(series, { horizon: 48 });
		return { ms: Number(process.hrtime.bigint() - started) / 1e6, model: outcome.kind === 'forecast' ? outcome.model : outcome.reason };
	};
	const cold = time();
	const warm = Array.from({ length: 15 }, () => time().ms).sort((a, b) => a - b);
	return {
		series: 'NASA HTTP, first 14 days at 5 min, horizon 48 (4 h), seasons auto',
		points,
		horizon: 48,
		coldMs: cold.ms,
		medianMs: warm[Math.floor(warm.length / 2)],
		maxMs: warm[warm.length - 1],
		model: cold.model,
	};
}

// ------------------------------------------------------------------ report

function log(message: string): void {
	process.stderr.write(`${message}\n`);
}

const f3 = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(3));
const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`);

function markdown(m4: M4Row[] | null, ops: OpsRow[] | null, speed: SpeedResult | null): string {
	const lines: string[] = ['# Forecast benchmarks', '', `Measured ${new Date().toISOString()} on ${process.platform}/${process.arch}, Node ${process.version}, one process.`, ''];
	if (m4) {
		const ours = m4[0];
		lines.push('## M4 Hourly (414 series, h = 48, MASE m = 24)', '', '| method | MASE | sMAPE | seconds | series | failed | our MASE / theirs |', '|---|---|---|---|---|---|---|');
		for (const row of m4) {
			const ratio = row === ours || !Number.isFinite(row.mase) ? '' : (ours.mase / row.mase).toFixed(3);
			lines.push(`| ${row.method} | ${f3(row.mase)} | ${Number.isFinite(row.smape) ? row.smape.toFixed(2) : '–'} | ${Number.isFinite(row.seconds) ? row.seconds.toFixed(1) : '–'} | ${row.series} | ${row.failed} | ${row.note ?? ratio} |`);
		}
		lines.push('', 'Published: AutoARIMA 1.03, Smyl (winner) 0.893, best entrant (Doornik et al.) 0.801. Target: MASE <= 0.95 in under 60 s.', '');
	}
	if (ops) {
		lines.push(
			'## Real operations series (rolling origins every 4 h over the last days; history up to 28 days before each origin)',
			'',
			'| series | horizon | origins | no forecast | MASE | naive MASE | WAPE | naive WAPE | under-forecast | naive under | p90 coverage | ms / forecast |',
			'|---|---|---|---|---|---|---|---|---|---|---|---|',
		);
		for (const r of ops) {
			lines.push(
				`| ${r.series} | ${r.horizon} (${r.steps} steps) | ${r.origins} | ${r.noForecast} | ${f3(r.engine.mase)} | ${f3(r.seasonalNaive.mase)} | ${r.engine.wape.toFixed(1)} % | ${r.seasonalNaive.wape.toFixed(1)} % | ${pct(r.engine.underForecastRate)} | ${pct(r.seasonalNaive.underForecastRate)} | ${pct(r.engine.p90Coverage)} | ${r.msPerForecast.toFixed(0)} |`,
			);
		}
		lines.push('', 'Seasonal naive = the same time one day earlier. MASE scale: in-sample daily seasonal naive error of each history.', '');
	}
	if (speed) {
		lines.push('## Speed', '', `${speed.series}: first call ${speed.coldMs.toFixed(0)} ms (JIT warm-up), median of 15 further calls ${speed.medianMs.toFixed(0)} ms, slowest ${speed.maxMs.toFixed(0)} ms. Target: under 100 ms.`, '');
	}
	return lines.join('\n');
}

export async function runForecastBenchmarks(args: string[] = []): Promise<void> {
	const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
	const withPeers = !args.includes('--no-peers');
	const withProphet = !args.includes('--no-prophet');
	fs.mkdirSync(RESULTS, { recursive: true });
	const speed = !only || only === 'speed' ? benchSpeed() : null;
	if (speed) log(`speed: cold ${speed.coldMs.toFixed(0)} ms, median ${speed.medianMs.toFixed(0)} ms`);
	const m4 = !only || only === 'm4' ? await benchM4(withPeers, withProphet) : null;
	const ops = !only || only === 'ops' ? benchOps() : null;
	const report = { measuredAt: new Date().toISOString(), node: process.version, m4, ops, speed };
	fs.writeFileSync(path.join(RESULTS, 'forecast.json'), `${JSON.stringify(report, null, 2)}\n`);
	const text = markdown(m4, ops, speed);
	fs.writeFileSync(path.join(RESULTS, 'forecast.md'), `${text}\n`);
	process.stdout.write(`${text}\n`);
}

if (require.main === module) {
	runForecastBenchmarks(process.argv.slice(2)).catch((error: unknown) => {
		process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
		process.exit(1);
	});
}
