import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT, runBuilt } from '../harness/built';

/** `kube-ops simulate`, the built command, on the shipped NYC taxi series and on bad input. */

const TAXI = path.join(ROOT, 'test', 'fixtures', 'nyc_taxi.csv');
let dir: string;

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-cli-simulate-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runBuilt('src/cli/main.js', ['simulate', ...args]);

function write(name: string, text: string): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, text);
	return file;
}

const week = ['--csv', TAXI, '--from', '2014-10-06 00:00:00', '--until', '2014-10-12 23:30:00', '--capacity-per-pod', '2000', '--min', '2', '--max', '40', '--warmup', '4d'];

test('--json prints { reactive, predictive } with the six scores; --report writes the chart and the summary', () => {
	const report = path.join(dir, 'report');
	const result = cli(...week, '--report', report, '--json');
	expect(result.status).toBe(0);
	const json = JSON.parse(result.stdout);
	expect(Object.keys(json)).toEqual(['reactive', 'predictive']);
	for (const scores of Object.values(json) as Array<Record<string, number>>) {
		expect(Object.keys(scores).sort()).toEqual(['peakReplicas', 'replicaHours', 'scaleEvents', 'underProvisionedMinutes', 'underProvisionedShare', 'unservedDemand']);
		expect(scores.peakReplicas).toBeGreaterThanOrEqual(2);
		expect(scores.peakReplicas).toBeLessThanOrEqual(40);
		expect(scores.underProvisionedShare).toBeCloseTo(scores.underProvisionedMinutes / (3 * 1440), 5);
	}
	// The taxi series' half-hourly steps catch the reactive HPA; the floor is raised ahead of them.
	expect(json.predictive.underProvisionedMinutes).toBeLessThan(json.reactive.underProvisionedMinutes);
	const svg = fs.readFileSync(path.join(report, 'simulate.svg'), 'utf8');
	expect(svg).toMatch(/^<svg[^>]*>/);
	expect(svg).toContain('short: reactive');
	const summary = fs.readFileSync(path.join(report, 'simulate.md'), 'utf8');
	expect(summary).toContain('![demand and ready capacity](simulate.svg)');
	expect(summary).toContain(`| under-provisioned minutes | ${json.reactive.underProvisionedMinutes.toLocaleString('en-US')} | ${json.predictive.underProvisionedMinutes.toLocaleString('en-US')} |`);
	expect(result.stderr).toContain(`report written to ${path.join(report, 'simulate.md')}`);
});

test('--policy reactive runs the HPA alone; without --json a readable summary', () => {
	const json = JSON.parse(cli(...week, '--policy', 'reactive', '--json').stdout);
	expect(Object.keys(json)).toEqual(['reactive']);
	const text = cli(...week, '--policy', 'reactive');
	expect(text.status).toBe(0);
	expect(text.stdout).toMatch(/\| under-provisioned minutes \| [\d,]+ \|/);
});

test('a --policy-file that holds every forecast (accuracy gate at 0) leaves the predictive replay equal to the reactive one', () => {
	const policy = write('strict.yaml', 'minReplicas: 2\nmaxReplicas: 40\naccuracyGate: { maxMape: 0 }\n');
	const json = JSON.parse(cli(...week, '--policy-file', policy, '--json').stdout);
	expect(json.predictive).toEqual(json.reactive);
});

describe('bad input: the problem and the fix, exit 1 for the data, 2 for usage', () => {
	test('an empty CSV', () => {
		const result = cli('--csv', write('empty.csv', 'timestamp,value\n'), '--capacity-per-pod', '10', '--json');
		expect(result.status).toBe(1);
		expect(result.stdout).toBe('');
		expect(result.stderr).toMatch(/kube-ops simulate: the series is empty: .*\(fix: /);
	});

	test('an unknown column', () => {
		const result = cli('--csv', TAXI, '--column', 'requests', '--capacity-per-pod', '10');
		expect(result.status).toBe(1);
		expect(result.stderr).toMatch(/no column "requests"; the header has: timestamp, value \(fix: --column <name or position>\)/);
	});

	test('NaN values: all missing is an error, a few are gaps with a warning', () => {
		const rows = Array.from({ length: 300 }, (_, i) => `${new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString()},NaN`);
		const allNaN = cli('--csv', write('nan.csv', ['timestamp,value', ...rows].join('\n')), '--capacity-per-pod', '10', '--warmup', '0s');
		expect(allNaN.status).toBe(1);
		expect(allNaN.stderr).toMatch(/all 300 values are missing \(empty, NaN or null\).*fix: choose the value column with --column/);
		const some = rows.map((row, i) => (i % 50 === 7 ? row : row.replace('NaN', String(100 + (i % 13)))));
		const gaps = cli('--csv', write('some-nan.csv', ['timestamp,value', ...some].join('\n')), '--capacity-per-pod', '10', '--warmup', '0s', '--policy', 'reactive', '--json');
		expect(gaps.status).toBe(0);
		expect(gaps.stderr).toMatch(/warning: 6 minute\(s\) without data .* are gaps: not scored/);
		expect(JSON.parse(gaps.stdout).reactive.underProvisionedShare).toBeCloseTo(JSON.parse(gaps.stdout).reactive.underProvisionedMinutes / 294, 5);
	});

	test('non-positive or missing capacity, unknown policy, both inputs', () => {
		for (const capacity of ['0', '-5', 'lots']) {
			const result = cli('--csv', TAXI, '--capacity-per-pod', capacity);
			expect(result.status).toBe(2);
			expect(result.stderr).toContain(`--capacity-per-pod: "${capacity}" is not a positive number (the demand one ready pod serves)`);
		}
		expect(cli('--csv', TAXI).stderr).toMatch(/--capacity-per-pod is required: the demand one ready pod serves/);
		expect(cli('--csv', TAXI, '--capacity-per-pod', '10', '--policy', 'magic').status).toBe(2);
		expect(cli('--csv', TAXI, '--prometheus', 'http://127.0.0.1:9', '--capacity-per-pod', '10').stderr).toMatch(/use either --csv or --prometheus/);
	});

	test('a history shorter than the warm-up', () => {
		const result = cli(...week.slice(0, 6), '--capacity-per-pod', '2000', '--warmup', '7d');
		expect(result.status).toBe(1);
		expect(result.stderr).toMatch(/the series covers 7 days and the warm-up takes 7 days: nothing left to score \(fix: /);
	});
});

describe('--tune: tunes before --split, scores after it', () => {
	const fortnight = ['--csv', TAXI, '--from', '2014-10-06 00:00:00', '--until', '2014-10-19 23:30:00', '--capacity-per-pod', '2000', '--min', '2', '--max', '40', '--warmup', '4d'];
	const narrow = ['--grid-quantiles', '0.5,0.9', '--grid-headroom', '0', '--grid-extra-lead', '0s', '--grid-step-down', '100', '--grid-stabilization', '300s', '--grid-align', 'false,true'];

	test('--json carries tuned, tune and score with reactive and predictive; the spans split the plain replay; --report writes the chart', () => {
		const report = path.join(dir, 'tune');
		const result = runBuilt('src/cli/main.js', ['simulate', ...fortnight, '--tune', '--split', '2014-10-15T00:00:00Z', '--target-under', '5%', ...narrow, '--report', report, '--json'], {}, 240_000);
		expect(result.status).toBe(0);
		const json = JSON.parse(result.stdout);
		expect(json).toMatchObject({ split: '2014-10-15T00:00:00Z', target: { maxUnderProvisionedShare: 0.05 } });
		for (const span of ['tune', 'score']) {
			expect(Object.keys(json[span])).toEqual(expect.arrayContaining(['reactive', 'predictive']));
			expect(Object.keys(json[span].predictive).sort()).toEqual(['peakReplicas', 'replicaHours', 'scaleEvents', 'underProvisionedMinutes', 'underProvisionedShare', 'unservedDemand']);
		}
		// The reactive HPA is one replay; the split only divides its minutes between the spans.
		const plain = JSON.parse(cli(...fortnight, '--policy', 'reactive', '--json').stdout);
		expect(json.tune.reactive.underProvisionedMinutes + json.score.reactive.underProvisionedMinutes).toBe(plain.reactive.underProvisionedMinutes);
		expect(json.tune.reactive.replicaHours + json.score.reactive.replicaHours).toBeCloseTo(plain.reactive.replicaHours, 1);
		if (json.tuned) {
			expect([0.5, 0.9]).toContain(json.tuned.quantile);
			expect(json.tune.predictive.underProvisionedShare).toBeLessThanOrEqual(0.05);
			expect(json.policy).toMatchObject({ minReplicas: 2, maxReplicas: 40, allowScaleIn: true, maxStepDownPercent: 100 });
			expect(json.forecastNode).toMatchObject({ replicaQuantile: json.tuned.quantile, headroom: json.tuned.headroom, extraLead: '0s', runInterval: '15m', alignToStep: json.tuned.alignToStep });
			// Aligned, the loop runs one start-up (90 s) before each 15-minute mark, and the report gives the Schedule Trigger's cron.
			expect(json.tuned.runOffsetSeconds).toBe(json.tuned.alignToStep ? 810 : 0);
			expect(json.schedule).toEqual(json.tuned.alignToStep ? { every: '15m', offsetSeconds: 810, cron: '30 13-59/15 * * * *' } : { every: '15m', offsetSeconds: 0 });
			if (json.tuned.alignToStep) expect(fs.readFileSync(path.join(report, 'tune.md'), 'utf8')).toContain('Custom (Cron) `30 13-59/15 * * * *`');
		} else expect(json.explanation).toMatch(/no setting in the grid/);
		expect(fs.readFileSync(path.join(report, 'tune.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*reactive HPA/);
		expect(fs.readFileSync(path.join(report, 'tune.md'), 'utf8')).toContain('![trade-off between under-provisioned minutes and replica-hours](tune.svg)');
		expect(result.stderr).toMatch(/kube-ops simulate --tune: replays 4\/4/);
	}, 300_000);

	test('usage errors name the option and the fix', () => {
		const outside = cli(...fortnight, '--tune', '--split', '2014-10-07T00:00:00Z');
		expect(outside.status).toBe(2);
		expect(outside.stderr).toMatch(/the split 2014-10-07T00:00:00Z must leave at least half a day on each side .*\(fix: /);
		expect(cli(...fortnight, '--split', '2014-10-15T00:00:00Z').stderr).toMatch(/--split goes with --tune/);
		expect(cli(...fortnight, '--tune', '--target-under', 'lots').stderr).toMatch(/--target-under: "lots" is not a share of minutes like 1% or 0.01/);
		expect(cli(...fortnight, '--tune', '--target-under', '1%', '--max-cost', '1x').status).toBe(2);
		expect(cli(...fortnight, '--tune', '--grid-align', 'yes').stderr).toMatch(/--grid-align: "yes" is not true or false/);
		expect(cli(...fortnight, '--tune', '--align-to-step').stderr).toMatch(/--align-to-step is a single replay's setting; --tune tries both \(--grid-align\)/);
		expect(cli(...fortnight, '--grid-align', 'true').stderr).toMatch(/--grid-align goes with --tune/);
	});
});
