import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { forecast, forecastToJson, readSeriesCsv, replicasFromForecast } from '../../src/forecast';
import { runM4, writeM4Submission } from '../../bench/m4';
import { ROOT, runBuilt, runDevBuilt } from '../harness/built';

/** `kube-ops forecast` (the built command) and `npm run bench -- m4` (the built benchmark), on the real series. */

const TAXI = path.join(ROOT, 'test', 'fixtures', 'nyc_taxi.csv');
const taxiText = fs.readFileSync(TAXI, 'utf8');
let dir: string;

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-cli-forecast-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runBuilt('src/cli/main.js', args);
/** `npm run bench -- <args>` once built: the benchmarks are not part of the package. */
const bench = (...args: string[]) => runDevBuilt('bench/run.js', args);

function write(name: string, text: string): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, text);
	return file;
}

describe('kube-ops forecast', () => {
	test('--json prints exactly the documented shape, with the numbers the engine gives', () => {
		const result = cli('forecast', '--csv', TAXI, '--until', '2014-07-15 00:00:00', '--horizon', '4h', '--json');
		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		const json = JSON.parse(result.stdout);
		expect(Object.keys(json).sort()).toEqual(['backtest', 'history', 'intervalSeconds', 'model', 'points', 'seasons']);
		expect(json.intervalSeconds).toBe(1800);
		expect(json.seasons).toEqual([48, 336]);
		expect(json.points).toHaveLength(8);
		expect(json.points[0]).toEqual({ t: '2014-07-15T00:30:00.000Z', mean: expect.any(Number), q: { '0.5': expect.any(Number), '0.9': expect.any(Number), '0.99': expect.any(Number) } });
		expect(json.points[7].t).toBe('2014-07-15T04:00:00.000Z');
		expect(Object.keys(json.backtest)).toEqual(expect.arrayContaining(['mase', 'smape', 'mape', 'wape', 'p90Coverage', 'baseline', 'candidates', 'origins']));

		const { series } = readSeriesCsv(taxiText, 1, '2014-07-15 00:00:00');
		expect(json).toEqual(JSON.parse(JSON.stringify(forecastToJson(forecast(series, { horizon: 8 })))));
	});

	test('--until uses nothing after it: changing later rows changes nothing', () => {
		const lines = taxiText.trimEnd().split('\n');
		const cut = lines.findIndex((line) => line.startsWith('2014-07-15 00:00:00'));
		const tampered = [...lines.slice(0, cut + 1), ...lines.slice(cut + 1).map((line) => `${line.split(',')[0]},999999`)].join('\n');
		const args = ['--until', '2014-07-15T00:00:00Z', '--horizon', '8', '--json'];
		const original = cli('forecast', '--csv', TAXI, ...args);
		const changed = cli('forecast', '--csv', write('tampered.csv', tampered), ...args);
		expect(changed.status).toBe(0);
		expect(changed.stdout).toBe(original.stdout);
		// Forecasting from the last point at or before --until, not from --until itself.
		const between = cli('forecast', '--csv', TAXI, '--until', '2014-07-15 00:20:00', '--horizon', '8', '--json');
		expect(between.stdout).toBe(original.stdout);
	});

	test('ISO timestamps, a named column, an empty cell as a gap, --season and --quantiles', () => {
		const rows = taxiText.trimEnd().split('\n').slice(1, 1 + 14 * 48);
		const csv = ['time,other,passengers', ...rows.map((line, i) => {
			const [time, value] = line.split(',');
			return `${time.replace(' ', 'T')}Z,1,${i === 300 ? '' : value}`;
		})].join('\n');
		const file = write('iso.csv', csv);
		const byName = cli('forecast', '--csv', file, '--column', 'passengers', '--horizon', '6', '--season', '48', '--quantiles', '0.1,0.5,0.9', '--json');
		expect(byName.status).toBe(0);
		const json = JSON.parse(byName.stdout);
		expect(json.seasons).toEqual([48]);
		expect(json.history).toMatchObject({ points: 14 * 48, gaps: 1 });
		expect(Object.keys(json.points[0].q)).toEqual(['0.1', '0.5', '0.9']);
		const byIndex = cli('forecast', '--csv', file, '--column', '2', '--horizon', '6', '--season', '48', '--quantiles', '0.1,0.5,0.9', '--json');
		expect(byIndex.stdout).toBe(byName.stdout);
		const none = JSON.parse(cli('forecast', '--csv', file, '--column', 'passengers', '--horizon', '6', '--season', 'none', '--json').stdout);
		expect(none.seasons).toEqual([]);
	});

	test('a constant series is no forecast with its reason, never a number; exit 0 so pipelines can read the JSON', () => {
		const csv = ['timestamp,value', ...Array.from({ length: 200 }, (_, i) => `${new Date(Date.UTC(2025, 0, 1) + i * 300_000).toISOString()},7`)].join('\n');
		const result = cli('forecast', '--csv', write('flat.csv', csv), '--horizon', '1h', '--json');
		expect(result.status).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual({
			model: null,
			reason: 'series is constant at 7 over 200 points: no pattern to learn, keep the current replica count',
			seasons: [],
			intervalSeconds: 300,
			points: [],
			backtest: null,
			history: { points: 200, gaps: 0, outliers: 0 },
		});
		expect(result.stderr).toBe('kube-ops forecast: no forecast for "value": series is constant at 7 over 200 points: no pattern to learn, keep the current replica count\n');
	});

	test('--per-pod-capacity adds the replica recommendation the engine computes', () => {
		const result = cli('forecast', '--csv', TAXI, '--until', '2014-07-15 00:00:00', '--horizon', '4h', '--per-pod-capacity', '2000', '--window', '1h', '--json');
		expect(result.status).toBe(0);
		const json = JSON.parse(result.stdout);
		const { series } = readSeriesCsv(taxiText, 1, '2014-07-15 00:00:00');
		const expected = replicasFromForecast(forecast(series, { horizon: 8 }), { perPodCapacity: 2000, headroom: 0.2, leadSeconds: 90, windowSeconds: 3600, quantile: 0.9 });
		if (expected.kind !== 'replicas') throw new Error(expected.reason);
		expect(json.recommendation).toEqual({ ...expected, from: '2014-07-15T00:01:30.000Z', to: '2014-07-15T01:01:30.000Z' });
	});

	test('without --json a readable table', () => {
		const result = cli('forecast', '--csv', TAXI, '--until', '2014-07-15 00:00:00', '--horizon', '2');
		expect(result.status).toBe(0);
		expect(result.stdout).toMatch(/^value: combination\(/);
		expect(result.stdout).toMatch(/backtest over \d windows: MASE \d\.\d{3} \(seasonal-naive\[48\] \d\.\d{3}\)/);
		expect(result.stdout).toMatch(/\n2014-07-15T00:30:00\.000Z +\d+\.\d\d +\d+\.\d\d/);
	});

	test.each([
		[['--csv', TAXI, '--json'], 2, /--horizon is required/],
		[['--horizon', '1h', '--json'], 2, /--csv is required/],
		[['--csv', TAXI, '--horizon', 'soon', '--json'], 2, /--horizon: horizon "soon" is neither a number of steps nor a duration like 4h/],
		[['--csv', TAXI, '--horizon', '4', '--quantiles', '0.5,2', '--json'], 2, /--quantiles: quantile "2" must lie strictly between 0 and 1/],
		[['--csv', TAXI, '--horizon', '4', '--season', 'daily', '--json'], 2, /--season: season "daily" must be a whole number of steps >= 2/],
		[['--csv', TAXI, '--horizon', '4', '--until', 'yesterday', '--json'], 2, /--until: "yesterday" is not a timestamp/],
		[['--csv', TAXI, '--horizon', '4', '--colum', 'x'], 2, /Unknown option --colum/],
		[['--csv', path.join(ROOT, 'no-such.csv'), '--horizon', '4', '--json'], 1, /Cannot read the CSV file .*no-such\.csv: no such file/],
		[['--csv', TAXI, '--column', 'passengers', '--horizon', '4', '--json'], 1, /no column "passengers"; the header has: timestamp, value/],
	])('%j exits %i', (args, status, message) => {
		const result = cli('forecast', ...(args as string[]));
		expect(result.status).toBe(status);
		expect(result.stdout).toBe('');
		expect(result.stderr).toMatch(message);
	});

	test('a malformed CSV names the line', () => {
		const result = cli('forecast', '--csv', write('bad.csv', 'timestamp,value\n2025-01-01 00:00:00,1\n2025-01-01 00:05:00,lots\n'), '--horizon', '2', '--json');
		expect(result.status).toBe(1);
		expect(result.stderr).toBe('kube-ops forecast: line 3: "lots" in column "value" is not a number\n');
	});
});

describe('npm run bench -- m4', () => {
	// The first six real M4 Hourly series: the official scoring end to end in a second; the full 414 run is `npm run bench`.
	const subset = (file: string) => fs.readFileSync(path.join(ROOT, 'bench', 'data', 'm4', file), 'utf8').split('\n').slice(0, 7).join('\n') + '\n';
	let train: string;
	let test_: string;

	beforeAll(() => {
		train = write('Hourly-train.csv', subset('Hourly-train.csv'));
		test_ = write('Hourly-test.csv', subset('Hourly-test.csv'));
	});

	test('--json prints { series, mase, smape, seconds, failed } and --out the submission layout', () => {
		const out = path.join(dir, 'forecasts.csv');
		const result = bench('m4', '--train', train, '--test', test_, '--out', out, '--json');
		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		const json = JSON.parse(result.stdout);
		expect(Object.keys(json)).toEqual(['series', 'mase', 'smape', 'seconds', 'failed']);
		const expected = runM4(fs.readFileSync(train, 'utf8'), fs.readFileSync(test_, 'utf8'));
		expect(json).toEqual({ series: 6, mase: expected.mase, smape: expected.smape, seconds: expect.any(Number), failed: 0 });
		const submission = fs.readFileSync(out, 'utf8');
		expect(submission).toBe(writeM4Submission(expected.forecasts));
		const lines = submission.trimEnd().split('\n');
		expect(lines[0]).toBe(['id', ...Array.from({ length: 48 }, (_, i) => `F${i + 1}`)].join(','));
		expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
		for (const line of lines.slice(1)) expect(line.split(',')).toHaveLength(49);
	});

	test('usage errors exit 2', () => {
		expect(bench('m5', '--train', train, '--test', test_).status).toBe(2);
		const missing = bench('m4', '--train', train, '--json');
		expect(missing.status).toBe(2);
		expect(missing.stderr).toMatch(/--test is required/);
	});
});
