/**
 * Replay benchmark: the shipped real series through the reactive HPA alone and
 * through the predictive loop plus HPA (`src/simulate`), scored per minute.
 * Figures go to stdout and to bench/results/simulate.{json,md}, charts to
 * bench/results/simulate-<series>.svg.
 *
 *   node dist/bench/simulate.js
 *
 * Load units (only demand / capacity matters for minutes and replicas; the
 * unit sets what "unserved demand" counts):
 * - NASA HTTP, July 1995: requests per 5 minutes / 3 = requests per second at
 *   100x the 1995 volume (peak about 500 req/s); a pod serves 20 req/s. Up to
 *   the log outage of 28 July (an outage is not traffic).
 * - NYC taxi: passengers per 30 minutes / 180 = passengers per second x 10
 *   (peak about 218/s), read as requests; a pod serves 10/s. 24 Nov 2014 to
 *   31 Jan 2015, scored from 1 Dec (Christmas, New Year, the January blizzard).
 * Both series are held per sample to minute demand (see src/simulate/demand.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { readSeriesCsv } from '../src/forecast/csv';
import type { ForecastOutcome, Series } from '../src/forecast/types';
import { compare, renderChart, renderSummary, simulate, type Scores, type SimulationOptions } from '../src/simulate';

const ROOT = findRoot(__dirname) ?? findRoot(process.cwd()) ?? fail('cannot find the n8n-nodes-kube-ops package root');
const RESULTS = path.join(ROOT, 'bench', 'results');

interface Case {
	key: string;
	name: string;
	source: string;
	series: Series;
	options: SimulationOptions;
}

function cases(): Case[] {
	const read = (file: string) => readSeriesCsv(fs.readFileSync(path.join(ROOT, file), 'utf8')).series;
	const nasa = read('bench/data/nasa_http/nasa_jul1995_5min.csv');
	const logged = nasa.v.findLastIndex((v) => v !== null) + 1;
	const taxi = read('test/fixtures/nyc_taxi.csv');
	const from = taxi.t.findIndex((t) => t >= Date.UTC(2014, 10, 24) / 1000);
	return [
		{
			key: 'nasa',
			name: 'NASA HTTP Jul 1995',
			source: 'NASA HTTP July 1995 (bench/data/nasa_http), requests per 5 min / 3 = req/s at 100x the 1995 volume, 20 req/s per pod',
			series: { t: nasa.t.slice(0, logged), v: nasa.v.slice(0, logged).map((v) => (v === null ? null : v / 3)) },
			// A refit every other tick (each fit saw only data before it) keeps the bench near a minute per series.
			options: { capacityPerPod: 20, minReplicas: 2, maxReplicas: 100, refitSeconds: 1800 },
		},
		{
			key: 'taxi',
			name: 'NYC taxi',
			source: 'NYC taxi (test/fixtures/nyc_taxi.csv), passengers per 30 min / 180 = passengers/s x 10 read as req/s, 10 per pod',
			series: { t: taxi.t.slice(from), v: taxi.v.slice(from).map((v) => (v === null ? null : v / 180)) },
			// 30-minute data changes once per two ticks, so a 30-minute refit is what every tick would fit anyway.
			options: { capacityPerPod: 10, minReplicas: 2, maxReplicas: 100, refitSeconds: 1800 },
		},
	];
}

interface CaseResult {
	key: string;
	name: string;
	source: string;
	scored: { from: string; to: string; minutes: number };
	reactive: Scores;
	predictive: Scores;
	/** The predictive loop with the Forecast node's own defaults (p90 + 20 % headroom), for the trade-off. */
	predictiveNodeDefaults: Scores;
	reduction: number | null;
	replicaHoursRatio: number;
	targetMet: boolean;
	nodeDefaults: { reduction: number | null; replicaHoursRatio: number; targetMet: boolean };
	seconds: { reactive: number; predictive: number; predictiveNodeDefaults: number; total: number };
	chart: string;
}

export async function runSimulateBenchmarks(): Promise<void> {
	fs.mkdirSync(RESULTS, { recursive: true });
	const results: CaseResult[] = [];
	const summaries: string[] = [];
	for (const c of cases()) {
		const started = performance.now();
		const cache = new Map<string, ForecastOutcome>();
		let last = 0;
		const onProgress: SimulationOptions['onProgress'] = ({ policy, fraction, elapsedSeconds }) => {
			if (elapsedSeconds - last < 10) return;
			last = elapsedSeconds;
			process.stderr.write(`  ${c.name}: ${policy} ${Math.round(100 * fraction)} % (${elapsedSeconds.toFixed(0)} s)\n`);
		};
		const result = simulate(c.series, { ...c.options, forecastCache: cache, onProgress });
		last = 0;
		const node = simulate(c.series, { ...c.options, policies: ['predictive'], quantile: 0.9, headroom: 0.2, forecastCache: cache, onProgress }).runs.predictive!;
		const reactive = result.runs.reactive!;
		const predictive = result.runs.predictive!;
		const chart = `simulate-${c.key}.svg`;
		fs.writeFileSync(path.join(RESULTS, chart), renderChart(result, `${c.name}: reactive HPA vs predictive + HPA`));
		const ours = compare(reactive.scores, predictive.scores);
		const theirs = compare(reactive.scores, node.scores);
		const total = (performance.now() - started) / 1000;
		results.push({
			key: c.key,
			name: c.name,
			source: c.source,
			scored: {
				from: new Date((result.demand.start + result.scoredFrom * 60) * 1000).toISOString(),
				to: new Date((result.demand.start + result.demand.values.length * 60) * 1000).toISOString(),
				minutes: result.scoredMinutes,
			},
			reactive: reactive.scores,
			predictive: predictive.scores,
			predictiveNodeDefaults: node.scores,
			reduction: ours.reduction,
			replicaHoursRatio: ours.replicaHoursRatio,
			targetMet: ours.met,
			nodeDefaults: { reduction: theirs.reduction, replicaHoursRatio: theirs.replicaHoursRatio, targetMet: theirs.met },
			seconds: { reactive: reactive.seconds, predictive: predictive.seconds, predictiveNodeDefaults: node.seconds, total },
			chart,
		});
		summaries.push(renderSummary(result, { title: c.name, source: c.source, chart }).replace(/^# /, '## '));
		process.stderr.write(`  ${c.name}: done in ${total.toFixed(1)} s\n`);
	}
	const report = { measuredAt: new Date().toISOString(), node: process.version, platform: `${process.platform}/${process.arch}`, series: results };
	fs.writeFileSync(path.join(RESULTS, 'simulate.json'), `${JSON.stringify(report, null, 2)}\n`);
	const text = markdown(results, summaries);
	fs.writeFileSync(path.join(RESULTS, 'simulate.md'), `${text}\n`);
	process.stdout.write(`${text}\n`);
}

function markdown(results: CaseResult[], summaries: string[]): string {
	const pct = (r: number | null) => (r === null ? '-' : `${(100 * r).toFixed(1)} %`);
	const lines = [
		'# Replay simulator: reactive HPA vs predictive + HPA',
		'',
		`Measured ${new Date().toISOString()} (${process.platform}/${process.arch}, Node ${process.version}). Target: at least 70 % fewer under-provisioned minutes at no more than 1.10x the replica-hours.`,
		'',
		'| series | under-provisioned min, reactive | predictive | reduction | replica-hours ratio | target | Forecast node defaults (p90, +20 %): reduction / ratio | seconds |',
		'|---|---:|---:|---:|---:|---|---|---:|',
		...results.map(
			(r) =>
				`| ${r.name} | ${r.reactive.underProvisionedMinutes.toLocaleString('en-US')} | ${r.predictive.underProvisionedMinutes.toLocaleString('en-US')} | ${pct(r.reduction)} | ${r.replicaHoursRatio.toFixed(3)} | ${r.targetMet ? 'met' : 'not met'} | ${pct(r.nodeDefaults.reduction)} / ${r.nodeDefaults.replicaHoursRatio.toFixed(3)} | ${r.seconds.total.toFixed(1)} |`,
		),
		'',
		...summaries,
	];
	return lines.join('\n');
}

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

if (require.main === module) {
	runSimulateBenchmarks().catch((error: unknown) => {
		process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
		process.exit(1);
	});
}
