import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';

import { HaproxyRuntimeApi } from '../../credentials/HaproxyRuntimeApi.credentials';
import { KubernetesApi } from '../../credentials/KubernetesApi.credentials';
import { PrometheusApi } from '../../credentials/PrometheusApi.credentials';
import { connectionFromCredential } from '../../src/kubernetes';
import { KubernetesWeightsProvider } from '../../src/loadbalancer/kubernetes';
import { PrometheusClient } from '../../src/prometheus';
import { requireBinary } from '../sandbox/processes';
import { rawRequest, waitFor } from '../sandbox/kube/testing';
import { STACK_QUERIES, startOpsStack, type OpsStack } from '../sandbox/stack';

/*
 * The whole local ops stack the end-to-end tests and the demo run on: real
 * Prometheus scraping kube-state-metrics from three Kubernetes sandboxes over
 * verified HTTPS and the app instances' own metrics, real HAProxy and
 * Alertmanager, steady load. What it promises is what a workflow will query.
 */

const BEARER = 'stack-test-token';
let stack: OpsStack;
let prometheus: PrometheusClient;
const lines: string[] = [];

beforeAll(async () => {
	stack = await startOpsStack({ now: Math.floor(Date.now() / 1000), bearerToken: BEARER, log: (line) => lines.push(line) });
	prometheus = new PrometheusClient({ baseUrl: stack.prometheus.url });
	process.stdout.write(`${lines.join('\n')}\n`);
}, 60_000);

afterAll(async () => {
	await stack?.stop();
});

async function instant(query: string): Promise<Array<{ metric: Record<string, string>; value: number | null }>> {
	const result = await prometheus.instant({ query, time: Date.now() / 1000 });
	return result.series.map((s) => ({ metric: s.metric, value: s.value[1] }));
}

async function scalar(query: string): Promise<number | null> {
	const series = await instant(query);
	return series.length === 1 ? series[0].value : null;
}

function checkMetricsText(text: string): Promise<{ code: number; output: string }> {
	const promtool = requireBinary('promtool', 'prometheus');
	return new Promise((resolve, reject) => {
		const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (d: Buffer) => (output += d.toString()));
		child.stderr.on('data', (d: Buffer) => (output += d.toString()));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code: code ?? -1, output }));
		child.stdin.end(text);
	});
}

function httpGet(url: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
	return new Promise((resolve, reject) => {
		http
			.get(url, { agent: false }, (res) => {
				let body = '';
				res.on('data', (d: Buffer) => (body += d.toString()));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
			})
			.on('error', reject);
	});
}

test('starts well under 30 s and reports what each component took', () => {
	expect(stack.timings.total).toBeLessThan(30_000);
	for (const name of ['kubernetes sandbox us-east', 'kubernetes sandbox us-west', 'kubernetes sandbox control', 'prometheus', 'haproxy', 'alertmanager', 'load']) {
		expect(stack.timings[name]).toEqual(expect.any(Number));
	}
	expect(lines.join('\n')).toMatch(/ops stack: up in/);
});

test('each sandbox serves kube-state-metrics on /metrics without a token, in a format promtool accepts', async () => {
	const east = await rawRequest(stack.kube['us-east'], 'GET', '/metrics');
	expect(east.status).toBe(200);
	expect(east.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
	expect(east.body).toContain('kube_deployment_spec_replicas{namespace="shop",deployment="checkout"} 4');
	expect(east.body).toContain('kube_deployment_spec_replicas{namespace="shop",deployment="checkout-canary"} 1');
	expect(east.body).toContain('kube_deployment_status_replicas_ready{namespace="shop",deployment="search"} 2');
	expect(east.body).toContain('kube_horizontalpodautoscaler_spec_min_replicas{namespace="shop",horizontalpodautoscaler="checkout"} 2');
	expect(east.body).toContain('kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop",horizontalpodautoscaler="checkout"} 20');
	expect(east.body).toContain('kube_horizontalpodautoscaler_status_current_replicas{namespace="shop",horizontalpodautoscaler="checkout"} 4');
	const lint = await checkMetricsText(east.body);
	expect(lint).toEqual({ code: 0, output: '' });

	const west = await rawRequest(stack.kube['us-west'], 'GET', '/metrics');
	expect(west.body).toContain('kube_deployment_status_replicas_available{namespace="shop",deployment="checkout"} 2');
	expect(west.body).not.toContain('checkout-canary');
	const control = await rawRequest(stack.kube.control, 'GET', '/metrics');
	expect(control.body).not.toMatch(/^kube_deployment_spec_replicas\{/m);
	// The rest of the API still wants a token.
	expect((await rawRequest(stack.kube['us-east'], 'GET', '/apis/apps/v1/namespaces/shop/deployments')).status).toBe(401);
});

test('app instances answer with their name, expose a counter and a histogram promtool accepts, and fail on demand', async () => {
	const canary = stack.apps.checkout.canary;
	const answer = await httpGet(canary.url);
	expect(answer).toMatchObject({ status: 200, body: 'checkout-canary-us-east' });
	expect(answer.headers).toMatchObject({ 'x-region': 'us-east', 'x-track': 'canary' });
	const metrics = await httpGet(`${canary.url}/metrics`);
	expect(metrics.body).toMatch(/^http_requests_total\{code="200"\} \d+$/m);
	expect(metrics.body).toMatch(/^http_request_duration_seconds_bucket\{le="0.005"\} \d+$/m);
	expect(metrics.body).toMatch(/^http_request_duration_seconds_bucket\{le="2.5"\} \d+$/m);
	expect(metrics.body).toMatch(/^http_request_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
	expect(await checkMetricsText(metrics.body)).toEqual({ code: 0, output: '' });

	const search = stack.apps.search.canary;
	search.setErrorRate(1);
	search.setLatencyMs(30);
	const failed = await httpGet(search.url);
	expect(failed.status).toBe(500);
	search.setErrorRate(0);
	search.setLatencyMs(0);
	search.setHealthy(false);
	expect((await httpGet(`${search.url}/healthz`)).status).toBe(503);
	search.setHealthy(true);
	// The canary of search gets no traffic: only the request above.
	expect(search.counts()).toEqual({ '200': 0, '500': 1 });
	expect(stack.load.tally().search.sent).toBeGreaterThan(0);
});

test('Prometheus holds the backfilled taxi history and the live series with region, service and track labels', async () => {
	expect((await instant('taxi_passengers')).map((s) => s.metric.region).sort()).toEqual(['us-east', 'us-west']);
	await waitFor(() => scalar('kube_deployment_spec_replicas{region="us-east",deployment="checkout"}'), (v) => v === 4, { timeoutMs: 15_000, intervalMs: 250, what: 'checkout spec replicas in us-east' });
	expect(await scalar('kube_deployment_spec_replicas{region="us-west",deployment="checkout"}')).toBe(2);
	const ksm = await instant('kube_deployment_spec_replicas{job="kube-state-metrics",namespace="shop"}');
	expect(ksm.map((s) => `${s.metric.region}/${s.metric.deployment}=${s.value}`).sort()).toEqual([
		'us-east/checkout-canary=1',
		'us-east/checkout=4',
		'us-east/search-canary=1',
		'us-east/search=2',
		'us-west/checkout=2',
	]);
	expect(await scalar('up{job="kube-state-metrics",region="control"}')).toBe(1);
	await waitFor(() => scalar('sum(rate(http_requests_total{service="checkout",region="us-east",track="stable"}[30s]))'), (v) => v !== null && v > 0, {
		timeoutMs: 15_000,
		intervalMs: 250,
		what: 'checkout request rate in us-east',
	});
	const byRegion = await instant('sum by (region) (rate(http_requests_total{service="checkout",track="stable"}[30s]))');
	expect(byRegion.map((s) => s.metric.region).sort()).toEqual(['us-east', 'us-west']);
	const ready = await instant(
		'sum by (region) (kube_deployment_status_replicas_ready{namespace="shop",deployment="checkout"}) / sum by (region) (kube_deployment_spec_replicas{namespace="shop",deployment="checkout"})',
	);
	expect(Object.fromEntries(ready.map((s) => [s.metric.region, s.value]))).toEqual({ 'us-east': 1, 'us-west': 1 });
	const targets = await instant('count by (job) (up == 1)');
	expect(Object.fromEntries(targets.map((s) => [s.metric.job, s.value]))).toEqual({ 'kube-state-metrics': 3, app: 5 });
});

test('a canary error rate of 0.2 shows in Prometheus within about 10 s', async () => {
	const query =
		'sum(rate(http_requests_total{service="checkout",track="canary",code=~"5.."}[30s])) / sum(rate(http_requests_total{service="checkout",track="canary"}[30s]))';
	stack.apps.checkout.canary.setErrorRate(0.2);
	const started = Date.now();
	try {
		const ratio = await waitFor(() => scalar(query), (v) => v !== null && v > 0.05, { timeoutMs: 12_000, intervalMs: 250, what: 'canary error ratio' });
		process.stdout.write(`canary error ratio ${ratio?.toFixed(3)} seen after ${Date.now() - started} ms\n`);
		expect(ratio).toBeLessThan(0.6);
		const stable = await scalar(
			'sum(rate(http_requests_total{service="checkout",track="stable",code=~"5.."}[30s])) / sum(rate(http_requests_total{service="checkout",track="stable"}[30s]))',
		);
		expect(stable).toBe(0);
	} finally {
		stack.apps.checkout.canary.setErrorRate(0);
	}
});

test('a scale through the Kubernetes API shows in kube-state-metrics at the next scrapes, then the pods get Ready', async () => {
	const west = stack.kube['us-west'];
	const patched = await rawRequest(west, 'PATCH', '/apis/apps/v1/namespaces/shop/deployments/checkout/scale', {
		token: west.token,
		body: { spec: { replicas: 5 } },
		contentType: 'application/merge-patch+json',
	});
	expect(patched.status).toBe(200);
	await waitFor(() => scalar('kube_deployment_spec_replicas{region="us-west",deployment="checkout"}'), (v) => v === 5, { timeoutMs: 5000, intervalMs: 200, what: 'spec 5 in Prometheus' });
	await waitFor(() => scalar('kube_deployment_status_replicas_ready{region="us-west",deployment="checkout"}'), (v) => v === 5, { timeoutMs: 10_000, intervalMs: 200, what: 'ready 5 in Prometheus' });
	expect(await scalar('kube_horizontalpodautoscaler_status_current_replicas{region="us-west",horizontalpodautoscaler="checkout"}')).toBe(5);
});

test('HAProxy spreads the checkout load over both regions and takes an unhealthy one out', async () => {
	expect(Object.keys(stack.load.tally().checkout.byServer).sort()).toEqual(['us-east', 'us-west']);
	expect(await stack.haproxy.serverState('us-west')).toMatchObject({ up: true, draining: false, maintenance: false });
	stack.apps.checkout['us-west'].setHealthy(false);
	try {
		await waitFor(() => stack.haproxy.serverState('us-west'), (s) => s?.up === false, { timeoutMs: 5000, intervalMs: 100, what: 'us-west down in HAProxy' });
		stack.load.checkout.reset();
		await new Promise((r) => setTimeout(r, 1000));
		expect(Object.keys(stack.load.tally().checkout.byServer)).toEqual(['us-east']);
	} finally {
		stack.apps.checkout['us-west'].setHealthy(true);
	}
	await waitFor(() => stack.haproxy.serverState('us-west'), (s) => s?.up === true, { timeoutMs: 5000, intervalMs: 100, what: 'us-west back in HAProxy' });
});

test('Alertmanager posts firing and resolved notifications with the bearer token to the webhook', async () => {
	const labels = { alertname: 'RegionDown', region: 'us-west', service: 'checkout', severity: 'critical' };
	await stack.alertmanager.addAlert(labels, { summary: 'checkout in us-west is failing' });
	const firing = await waitFor(() => stack.alertmanager.notifications(), (n) => n.length > 0, { timeoutMs: 10_000, intervalMs: 100, what: 'a firing notification' });
	expect(firing[0].authorization).toBe(`Bearer ${BEARER}`);
	expect(firing[0].body).toMatchObject({ version: '4', status: 'firing', alerts: [{ labels, annotations: { summary: 'checkout in us-west is failing' } }] });
	await stack.alertmanager.resolveAlert(labels);
	await waitFor(() => stack.alertmanager.notifications(), (n) => n.some((x) => (x.body as { status?: string }).status === 'resolved'), { timeoutMs: 10_000, intervalMs: 100, what: 'a resolved notification' });
});

async function byLabel(query: string, label: string): Promise<Record<string, number | null>> {
	return Object.fromEntries((await instant(query)).map((s) => [s.metric[label], s.value]));
}

test('the loops\' PromQL answers per region and per track: ready fraction, error rate, p99 latency, request count', async () => {
	const ready = await byLabel(STACK_QUERIES.readyFraction, 'region');
	expect(Object.keys(ready).sort()).toEqual(['us-east', 'us-west']);
	expect(ready['us-east']).toBe(1);
	const regionErrors = await byLabel(STACK_QUERIES.regionErrorRate, 'region');
	expect(Object.keys(regionErrors).sort()).toEqual(['us-east', 'us-west']);
	const canary = stack.apps.checkout.canary;
	canary.setLatencyMs(300);
	try {
		const p99 = await waitFor(() => byLabel(STACK_QUERIES.trackP99Ms, 'track'), (v) => (v.canary ?? 0) > 250, { timeoutMs: 15_000, intervalMs: 250, what: 'canary p99 above 250 ms' });
		expect(p99.stable).toBeLessThan(100);
		process.stdout.write(`p99 ms by track: ${JSON.stringify(p99)}\n`);
	} finally {
		canary.setLatencyMs(0);
	}
	const requests = await byLabel(STACK_QUERIES.trackRequests, 'track');
	expect(requests.canary).toBeGreaterThan(20);
	expect(requests.stable).toBeGreaterThan(20);
	const trackErrors = await byLabel(STACK_QUERIES.trackErrorRate, 'track');
	expect(Object.keys(trackErrors).sort()).toEqual(['canary', 'stable']);
});

test('us-east holds the canary as the nodes read it: ingress-nginx weight 20 of 100, and a previous revision to roll back to', async () => {
	const connection = connectionFromCredential(stack.credentials.kubeOpsKubernetesApi['us-east']);
	const weights = new KubernetesWeightsProvider({ kubeConfig: connection.kubeConfig, namespace: 'shop' });
	const status = await weights.status('ingress/checkout-canary');
	expect(Object.fromEntries(status.servers.map((s) => [s.server, s.weight]))).toEqual({ 'checkout-canary': 20, checkout: 80 });
	const search = await weights.status('ingress/search-canary');
	expect(Object.fromEntries(search.servers.map((s) => [s.server, s.weight]))).toEqual({ 'search-canary': 0, search: 100 });
	const revisions = stack.kube['us-east'].sandbox
		.list('replicasets.apps', 'shop')
		.filter((rs) => rs.metadata.ownerReferences?.[0]?.name === 'checkout-canary')
		.map((rs) => `${rs.metadata.annotations?.['deployment.kubernetes.io/revision']}:${(rs.spec?.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0].image}`)
		.sort();
	expect(revisions).toEqual(['1:ghcr.io/kube-ops-demo/checkout:2.3.1', '2:ghcr.io/kube-ops-demo/checkout:2.4.0-rc.1']);
	expect(stack.kube.control.sandbox.list('namespaces').map((n) => n.metadata.name)).toContain('shop');
});

test('credential data uses exactly the fields of the package\'s credential types', () => {
	const fields = (type: { properties: Array<{ name: string }> }) => type.properties.map((p) => p.name);
	const { credentials } = stack;
	expect(Object.keys(credentials.kubeOpsKubernetesApi).sort()).toEqual(['control', 'us-east', 'us-west']);
	for (const data of Object.values(credentials.kubeOpsKubernetesApi)) for (const key of Object.keys(data)) expect(fields(new KubernetesApi())).toContain(key);
	for (const key of Object.keys(credentials.kubeOpsPrometheusApi)) expect(fields(new PrometheusApi())).toContain(key);
	for (const key of Object.keys(credentials.kubeOpsHaproxyRuntimeApi)) expect(fields(new HaproxyRuntimeApi())).toContain(key);
	expect(credentials.kubeOpsKubernetesApi['us-east']).toMatchObject({ source: 'token', server: stack.kube['us-east'].url, clusterName: 'us-east', allowInsecure: false });
	expect(credentials.kubeOpsKubernetesApi['us-east'].caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
	expect(credentials.kubeOpsHaproxyRuntimeApi.address).toBe(`ipv4@127.0.0.1:${stack.haproxy.runtime.port}`);
	expect(stack.kubeconfig()).toContain('current-context: "us-east"');
});

function isAlive(pid: number | undefined): boolean {
	if (pid === undefined) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function refuses(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', () => resolve(true));
	});
}

test('stop leaves no process and no listening port behind', async () => {
	const pids = [stack.prometheus.local.process.child.pid, stack.haproxy.local.process.child.pid, stack.alertmanager.local.process.child.pid];
	expect(pids.every(isAlive)).toBe(true);
	const ports = [
		stack.prometheus.local.port,
		stack.alertmanager.local.port,
		stack.haproxy.runtime.port,
		new URL(stack.haproxy.url).port,
		...Object.values(stack.kube).map((k) => new URL(k.url).port),
		...stack.apps.all.map((a) => a.port),
	].map(Number);
	await stack.stop();
	expect(pids.filter(isAlive)).toEqual([]);
	expect(await Promise.all(ports.map(refuses))).toEqual(ports.map(() => true));
	await stack.stop();
});
