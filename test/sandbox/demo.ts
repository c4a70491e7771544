/**
 * `npm run demo`: the local sandbox and what the package does with it.
 * Today: a real Prometheus holding the real NYC taxi series (two "regions"),
 * queried through the engine the nodes use. Later issues add the Kubernetes
 * sandbox, the forecast and the shipped workflows to this same demo.
 */
import { forecast, replicasFromForecast } from '../../src/forecast';
import { KubeClient, connectionFromCredential, setHpaBounds, waitForReady } from '../../src/kubernetes';
import { runGate } from '../../src/policy';
import { PrometheusClient, RangeQueryResult, formatDuration } from '../../src/prometheus';
import { nycTaxiRegions } from './demoSeries';
import { startKubeSandbox } from './kube';
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

		await preScaleOnce(client, now, log);

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

const POLICY = `minReplicas: 2
maxReplicas: 20
maxStepUpPercent: 100
maxStepUpPods: 4
allowScaleIn: false
cooldownSeconds: 300
approvalFactor: 10
accuracyGate: { maxMape: 0.25 }   # the taxi series' night-time lows inflate MAPE; 0.15 (the default) holds it in shadow mode
allowedNamespaces: [shop]
`;

/**
 * One run of the predictive pre-scaling loop through the engine the nodes use:
 * history from Prometheus, forecast, replica floor, Policy Gate, then the HPA
 * floor raised on the Kubernetes sandbox and the Deployment waited for.
 */
async function preScaleOnce(client: PrometheusClient, now: number, log: (text?: string) => void): Promise<void> {
	log();
	log('The pre-scaling loop, once (what the shipped workflow will do every 15 minutes):');
	const history = await client.range({ query: 'taxi_passengers{region="us-east"}', start: now - 14 * 86400, end: now, step: 300 });
	const series = history.series[0];
	const outcome = forecast({ t: series.values.map(([t]) => t), v: series.values.map(([, v]) => v) }, { horizon: 12 });
	if (outcome.kind !== 'forecast') {
		log(`  no forecast: ${outcome.reason}; no action (never 0 replicas)`);
		return;
	}
	const peak = Math.max(...outcome.points.map((p) => p.q['0.9']));
	log(`  forecast: ${outcome.model}, seasons ${JSON.stringify(outcome.seasons)}, next hour p90 peak ${Math.round(peak)} passengers/30 min; backtest MAPE ${outcome.backtest.mape.toFixed(1)} %, MASE ${outcome.backtest.mase.toFixed(2)}`);
	const recommendation = replicasFromForecast(outcome, { perPodCapacity: 2000, leadSeconds: 90, windowSeconds: 900, headroom: 0.2, quantile: 0.9, now });
	if (recommendation.kind !== 'replicas') {
		log(`  no recommendation: ${recommendation.reason}; no action`);
		return;
	}
	log(`  replica floor: ceil(${Math.round(recommendation.demand)} / 2000 per pod x 1.2 headroom) = ${recommendation.replicas}`);

	const sandbox = await startKubeSandbox({ port: 0, podStartupMs: 1500, clusterName: 'sandbox' });
	try {
		const kube = new KubeClient(
			connectionFromCredential({ source: 'token', server: sandbox.url, token: sandbox.tokens.admin, caCertificate: sandbox.caCert, clusterName: 'sandbox' }),
		);
		const deployment = sandbox.get('deployments.apps', 'shop', 'web') as unknown as { spec: { replicas: number } };
		const proposal = {
			action: 'scale',
			source: 'forecast',
			target: { cluster: 'sandbox', namespace: 'shop', kind: 'Deployment', name: 'web' },
			current: { replicas: deployment.spec.replicas },
			proposed: { replicas: recommendation.replicas },
			evidence: { backtest: { mape: outcome.backtest.mape / 100 } },
		};
		const { verdict, record } = runGate(proposal, POLICY, {}, new Date(now * 1000));
		log(`  Policy Gate: ${verdict.decision} ${verdict.value} (${verdict.reason})`);
		const notable = verdict.checks.filter((c) => !c.passed || /clamped/.test(String(c.detail)) || c.rule === 'accuracyGate');
		for (const check of notable) log(`    ${check.passed ? 'ok  ' : 'FAIL'} ${check.rule}: ${check.detail}`);
		log(`    (${verdict.checks.length} checks in all, each with its measured value and limit)`);
		if (verdict.decision !== 'apply' || typeof verdict.value !== 'number') {
			log('  nothing applied: only an apply verdict acts');
			return;
		}
		const change = await setHpaBounds(kube, 'shop', 'web', { min: verdict.value }, { dryRun: false, audit: { actor: 'kube-ops demo', decision: record } });
		log(`  Kubernetes sandbox ${sandbox.url}: HPA shop/web ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)} (resourceVersion ${change.resourceVersion}), audit annotation and Event ${change.event.written ? 'written' : 'not written'}`);
		const waited = await waitForReady(kube, 'Deployment', 'shop', 'web', { targetReplicas: verdict.value, timeoutMs: 30_000, intervalMs: 250 });
		log(`  Deployment shop/web: ${waited.readyReplicas}/${verdict.value} ready after ${waited.waitedSeconds.toFixed(1)} s (the HPA raised it; pods start in 1.5 s here)`);
	} finally {
		await sandbox.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});
