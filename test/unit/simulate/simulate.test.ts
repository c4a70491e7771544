import * as fs from 'node:fs';
import * as path from 'node:path';

import { readSeriesCsv } from '../../../src/forecast';
import type { Series } from '../../../src/forecast';
import { bucketDemand, minuteDemand, PodPool, renderChart, renderSummary, scoresJson, simulate } from '../../../src/simulate';

const minute = 60;
const T0 = Date.UTC(2025, 0, 6) / 1000;

/** One value per minute from T0. */
function perMinute(values: Array<number | null>): Series {
	return { t: values.map((_, i) => T0 + i * minute), v: values };
}

describe('pods', () => {
	test('a pod asked for at t serves from t + start-up; scale-down removes capacity at once, starting pods first', () => {
		const pods = new PodPool(90);
		pods.seed(2, 0);
		pods.scaleTo(5, 15);
		expect(pods.replicas).toBe(5);
		expect(pods.ready(15)).toBe(2);
		expect(pods.ready(104)).toBe(2);
		expect(pods.ready(105)).toBe(5);
		pods.scaleTo(7, 105);
		pods.scaleTo(4, 120); // drops the two starting pods and one ready pod
		expect(pods.replicas).toBe(4);
		expect(pods.ready(120)).toBe(4);
		expect(pods.ready(1000)).toBe(4);
	});
});

describe('demand', () => {
	test('coarse series are held per sample to minutes; gaps stay gaps; finer series are averaged', () => {
		const held = minuteDemand({ t: [T0, T0 + 300, T0 + 600, T0 + 900], v: [10, null, 30, 40] });
		expect(held.start).toBe(T0);
		expect(Array.from(held.values)).toEqual([10, 10, 10, 10, 10, NaN, NaN, NaN, NaN, NaN, 30, 30, 30, 30, 30, 40, 40, 40, 40, 40]);
		expect(held.gapMinutes).toBe(5);
		const fine = minuteDemand({ t: [T0, T0 + 30, T0 + 60, T0 + 90], v: [1, 3, 5, 7] });
		expect(Array.from(fine.values)).toEqual([2, 6]);
	});

	test('history buckets are aligned means; a bucket uses only its own minutes', () => {
		const demand = minuteDemand(perMinute([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
		const buckets = bucketDemand(demand, 300);
		expect(buckets.origin).toBe(T0);
		expect(buckets.values).toEqual([3, 8, 11]);
	});

	test('bad input says what is wrong and how to fix it', () => {
		expect(() => minuteDemand({ t: [], v: [] })).toThrow(/the series is empty.*fix:/);
		expect(() => minuteDemand(perMinute([null, null, null]))).toThrow(/all 3 values are missing \(empty, NaN or null\).*fix: choose the value column with --column/);
		expect(() => minuteDemand(perMinute([1, -2, 3]))).toThrow(/demand must not be negative: -2/);
		const series = perMinute(new Array(60).fill(10));
		expect(() => simulate(series, { capacityPerPod: 0, warmupSeconds: 0 })).toThrow(/capacity per pod must be a positive number, got 0 \(fix: .*--capacity-per-pod/);
		expect(() => simulate(series, { capacityPerPod: -5, warmupSeconds: 0 })).toThrow(/capacity per pod must be a positive number/);
		expect(() => simulate(series, { capacityPerPod: 5 })).toThrow(/the series covers 1 hours and the warm-up takes 7 days: nothing left to score \(fix: /);
	});
});

describe('reactive replay on a worked step', () => {
	// 100 per minute for 10 minutes, then 300; one pod serves 100.
	const step = perMinute([...new Array(10).fill(100), ...new Array(20).fill(300)]);
	const base = { capacityPerPod: 100, minReplicas: 1, maxReplicas: 10, warmupSeconds: 0, policies: ['reactive' as const] };

	test('the metric lags one scrape interval: with 30 s, two 15 s syncs at 100 capacity see the old demand', () => {
		const run = simulate(step, { ...base, startupSeconds: 0, scrapeSeconds: 30 }).runs.reactive!;
		// At 10:00 and 10:15 the HPA still reads minute 9 (100); at 10:30 it reads 300 and asks for 3.
		expect(run.scores.underProvisionedMinutes).toBe(1);
		expect(run.scores.unservedDemand).toBe(2 * 15 * 200);
		expect(run.scores.scaleEvents).toBe(1);
		expect(run.scores.peakReplicas).toBe(3);
		// 10 minutes at 1 pod, 20 minutes at 3 pods; the scale-up at 10:30 costs 3 pods for the last 30 s of minute 10.
		expect(run.scores.replicaHours).toBeCloseTo((10 * 60 + 30 * 1 + 30 * 3 + 19 * 60 * 3) / 3600, 6);
	});

	test('without lag the HPA scales at once, and start-up alone leaves 90 s short', () => {
		expect(simulate(step, { ...base, startupSeconds: 0, scrapeSeconds: 0 }).runs.reactive!.scores.underProvisionedMinutes).toBe(0);
		const run = simulate(step, { ...base, startupSeconds: 90, scrapeSeconds: 0 }).runs.reactive!;
		// Pods asked for at 10:00 serve from 10:01:30: six 15 s syncs short by 200.
		expect(run.scores.underProvisionedMinutes).toBe(2);
		expect(run.scores.unservedDemand).toBe(6 * 15 * 200);
	});

	test('gaps are neither scored nor scaled on', () => {
		const gappy = perMinute([100, 100, null, null, 100, 100]);
		const result = simulate(gappy, { ...base, startupSeconds: 0 });
		expect(result.scoredMinutes).toBe(4);
		expect(result.runs.reactive!.scores.underProvisionedShare).toBe(0);
	});
});

describe('predictive replay on the NYC taxi series', () => {
	const taxi = readSeriesCsv(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'nyc_taxi.csv'), 'utf8')).series;
	const from = taxi.t.indexOf(Date.UTC(2014, 9, 6) / 1000);
	const days = 7 * 48;
	const week: Series = { t: taxi.t.slice(from, from + days), v: taxi.v.slice(from, from + days) };
	const options = { capacityPerPod: 2000, minReplicas: 2, maxReplicas: 40, warmupSeconds: 4 * 86_400, policies: ['predictive' as const] };
	const decisionsOf = (series: Series) => simulate(series, options).runs.predictive!.decisions;
	const original = decisionsOf(week);

	test('the loop runs every 15 minutes of the scored window and raises the floor through the gate', () => {
		expect(original.length).toBe(3 * 96);
		expect(original.every((d, i) => i === 0 || d.at - original[i - 1].at === 900)).toBe(true);
		expect(original.filter((d) => d.decision === 'apply').length).toBeGreaterThan(20);
		expect(original.some((d) => d.recommended !== null && d.floor > 2)).toBe(true);
	});

	test.each([
		['huge values', () => 1e9],
		['NaN (gaps)', () => null],
	])('cannot see the future: %s after the decision time change no decision at or before it', (_, garbage) => {
		// Decision time 17:15 lies inside the 30-minute step that starts at 17:00. Everything from that step on
		// is garbage, so a loop that read the unfinished step, or anything later, would decide differently.
		const decisionTime = Date.UTC(2014, 9, 11, 17, 15) / 1000;
		// (The last sample stays real, so trailing gaps do not shorten the replay itself.)
		const last = week.t.length - 1;
		const tampered: Series = { t: week.t, v: week.v.map((v, i) => (week.t[i] >= decisionTime - 900 && i < last ? garbage() : v)) };
		const changed = decisionsOf(tampered);
		const upTo = (list: typeof original) => list.filter((d) => d.at <= decisionTime);
		expect(upTo(changed).length).toBeGreaterThan(100);
		expect(upTo(changed)).toEqual(upTo(original));
		// And the garbage is visible as soon as its step has ended, so the comparison above has teeth.
		const next = changed.find((d) => d.at === decisionTime + 900)!;
		expect(next).not.toEqual(original.find((d) => d.at === decisionTime + 900));
	});

	test('report: JSON scores, Markdown summary and an SVG with both policies', () => {
		const result = simulate(week, { ...options, policies: ['reactive', 'predictive'] });
		const json = scoresJson(result);
		expect(Object.keys(json)).toEqual(['reactive', 'predictive']);
		expect(Object.keys(json.reactive!).sort()).toEqual(['peakReplicas', 'replicaHours', 'scaleEvents', 'underProvisionedMinutes', 'underProvisionedShare', 'unservedDemand']);
		const summary = renderSummary(result, { title: 'taxi', source: 'NYC taxi', chart: 'simulate.svg' });
		expect(summary).toMatch(/\| under-provisioned minutes \| [\d,]+ \| [\d,]+ \|/);
		expect(summary).toMatch(/Target \(at least 70 % fewer at no more than 1\.10x\): \*\*(met|not met)\*\*/);
		expect(summary).toContain('![demand and ready capacity](simulate.svg)');
		const svg = renderChart(result, 'taxi');
		expect(svg).toMatch(/^<svg/);
		expect(svg).toContain('ready capacity, reactive HPA');
		expect(svg).toContain('ready capacity, predictive + HPA');
		expect(svg).toContain('short: reactive');
	});
});
