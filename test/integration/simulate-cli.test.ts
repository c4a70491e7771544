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
