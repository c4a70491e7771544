/**
 * `npm run demo`: the local sandbox and what the package does with it.
 * Today: a real Prometheus holding the real NYC taxi series (two "regions"),
 * queried through the engine the nodes use. Later issues add the Kubernetes
 * sandbox, the forecast and the shipped workflows to this same demo.
 */
import { PrometheusClient, RangeQueryResult, formatDuration } from '../../src/prometheus';
import { nycTaxiRegions } from './demoSeries';
import { startLocalPrometheus } from './prometheus';

const SPARK = '▁▂▃▄▅▆▇█';

function sparkline(values: Array<number | null>, width: number): string {
	const finite = values.filter((v): v is number => v !== null);
	const min = Math.min(...finite);
	const max = Math.max(...finite);
	const per = Math.max(1, Math.floor(values.length / width));
	let line = '';
	for (let i = 0; i + per <= values.length; i += per) {
		const bucket = values.slice(i, i + per).filter((v): v is number => v !== null);
		if (bucket.length === 0) line += ' ';
		else line += SPARK[Math.round(((Math.max(...bucket) - min) / (max - min || 1)) * (SPARK.length - 1))];
	}
	return line;
}

function hourOfPeak(result: RangeQueryResult, region: string): { hour: number; average: number }[] {
	const series = result.series.find((s) => s.metric.region === region);
	const sums = new Array<number>(24).fill(0);
	const counts = new Array<number>(24).fill(0);
	for (const [t, v] of series?.values ?? []) {
		if (v === null) continue;
		const hour = new Date(t * 1000).getUTCHours();
		sums[hour] += v;
		counts[hour]++;
	}
	return sums
		.map((sum, hour) => ({ hour, average: counts[hour] ? sum / counts[hour] : 0 }))
		.sort((a, b) => b.average - a.average);
}

async function main(): Promise<void> {
	const keep = process.argv.includes('--keep');
	const now = Math.floor(Date.now() / 1000);
	const log = (text = '') => process.stdout.write(text + '\n');

	log('kube-ops demo: a real Prometheus on the bundled real traffic series');
	log('  series: NYC taxi passengers per 30 min, Jul 2014 - Jan 2015 (Numenta Anomaly Benchmark, MIT; see test/fixtures/ATTRIBUTION.md)');
	log('  as two regions: us-east = the series, us-west = the same series three hours later; both end now');
	const started = Date.now();
	const prometheus = await startLocalPrometheus({ series: nycTaxiRegions(now) });
	log(`  Prometheus ${prometheus.url} up in ${((Date.now() - started) / 1000).toFixed(1)} s with ${prometheus.samples.toLocaleString('en-US')} backfilled samples (1-minute scrape-like resolution)`);
	log();

	try {
		const client = new PrometheusClient({ baseUrl: prometheus.url });
		const info = await client.buildInfo();
		log(`Prometheus ${info.version} answers /api/v1/status/buildinfo (what the credential test calls)`);

		const instant = await client.instant({ query: 'taxi_passengers', time: now });
		log();
		log('Instant query  taxi_passengers  (now):');
		for (const s of instant.series) log(`  ${s.metric.region}: ${s.value[1]} passengers in the current half hour`);

		const history = await client.range({ query: 'taxi_passengers', start: now - 14 * 86400, end: now, step: 60 });
		log();
		log(`Range query  taxi_passengers  last 14d at step 1m: ${history.series[0]?.values.length.toLocaleString('en-US')} points per series,`);
		log(`  over Prometheus's 11,000-point cap, so fetched in ${history.chunks} requests and stitched (no gaps, no duplicates)`);
		for (const s of history.series) {
			const values = s.values.map(([, v]) => v);
			const finite = values.filter((v): v is number => v !== null);
			const peaks = hourOfPeak(history, s.metric.region).slice(0, 3);
			log(`  ${s.metric.region.padEnd(8)} min ${Math.min(...finite).toLocaleString('en-US').padStart(6)}  max ${Math.max(...finite).toLocaleString('en-US').padStart(6)}  busiest hours (UTC) ${peaks.map((p) => `${String(p.hour).padStart(2, '0')}:00`).join(', ')}`);
			log(`           ${sparkline(values, 84)}`);
		}

		const auto = await client.range({ query: 'sum(taxi_passengers)', start: now - 14 * 86400, end: now });
		log();
		log(`Range query  sum(taxi_passengers)  last 14d, automatic step: ${formatDuration(auto.step)} (${auto.series[0]?.values.length} points, ${auto.chunks} request)`);

		const gaps = await client.instant({ query: 'taxi_passengers{region="us-east"} / 0', time: now });
		log();
		log(`NaN/Inf handling  taxi_passengers / 0  -> value ${JSON.stringify(gaps.series[0]?.value[1])} (a gap, not a zero), counted: ${JSON.stringify(gaps.nonFinite)}`);

		const bad = await client.instant({ query: 'rate(taxi_passengers[5m)', time: now }).catch((e: Error) => e);
		log();
		log('A bad query fails with Prometheus\'s own text and the fix:');
		log(`  ${(bad as Error).message}`);

		log();
		log('Try the command line against it:');
		log(`  node dist/src/cli/main.js query --url ${prometheus.url} --query 'taxi_passengers' --range 1d --step 5m`);
		if (keep) {
			log();
			log('Prometheus keeps running (--keep); press Ctrl-C to stop it.');
			await new Promise<void>((resolve) => {
				process.once('SIGINT', () => resolve());
				process.once('SIGTERM', () => resolve());
			});
		}
	} finally {
		await prometheus.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});
