import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { valueAt } from '../sandbox/demoSeries';
import { TaxiPrometheus, startTaxiPrometheus } from '../sandbox/prometheus';
import { RunningN8n, packPackage, startN8nWithPackage } from '../sandbox/n8n';

/**
 * A real n8n 2.x with the package installed from its npm pack tarball under
 * ~/.n8n/nodes: n8n loads the nodes with its own loader, the credential is
 * created through the public API, and a published workflow runs the
 * Prometheus Query node against a real Prometheus when its webhook is called.
 */

const now = Math.floor(Date.now() / 1000);
let stack: TaxiPrometheus;
let n8n: RunningN8n;

beforeAll(async () => {
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-pack-'));
	const tarball = packPackage(packDir);
	const [prometheus, server] = await Promise.allSettled([startTaxiPrometheus(now), startN8nWithPackage(tarball)]);
	if (prometheus.status === 'fulfilled') stack = prometheus.value;
	if (server.status === 'fulfilled') n8n = server.value;
	for (const started of [prometheus, server]) if (started.status === 'rejected') throw started.reason;
}, 900_000);

afterAll(async () => {
	await n8n?.stop();
	await stack?.prometheus.stop();
});

test('a published workflow runs the installed Prometheus Query node and answers with real values', async () => {
	const credential = await n8n.api<{ id: string }>('POST', '/credentials', {
		name: 'Local Prometheus',
		type: 'kubeOpsPrometheusApi',
		data: { url: stack.prometheus.url, authentication: 'none', headers: '', caCertificate: '', allowUnauthorizedCerts: false, allowInsecure: true, timeout: 10000 },
	});
	const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
		name: 'e2e: Prometheus Query',
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'a1b2c3d4-0000-4000-8000-0000000000aa',
				parameters: { path: 'kube-ops-e2e-query', responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000002',
				name: 'Prometheus Query',
				type: 'n8n-nodes-kube-ops.prometheusQuery',
				typeVersion: 1,
				position: [220, 0],
				// Explicit bounds: installing and starting n8n can take minutes, and the history ends at the test's "now".
				parameters: { queryType: 'range', query: 'taxi_passengers', rangeMode: 'between', start: String(now - 7200), end: String(now), step: '10m' },
				credentials: { kubeOpsPrometheusApi: { id: credential.id, name: 'Local Prometheus' } },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Prometheus Query', type: 'main', index: 0 }]] } },
	});
	const activated = await n8n.api<{ active: boolean }>('POST', `/workflows/${workflow.id}/activate`);
	expect(activated.active).toBe(true);

	// Publishing registers the webhook asynchronously; poll briefly rather than sleep.
	let response = await fetch(`${n8n.url}/webhook/kube-ops-e2e-query`);
	for (let i = 0; i < 50 && response.status === 404; i++) {
		await new Promise((r) => setTimeout(r, 200));
		response = await fetch(`${n8n.url}/webhook/kube-ops-e2e-query`);
	}
	const body = await response.text();
	expect({ status: response.status, body: response.status === 200 ? 'ok' : body }).toEqual({ status: 200, body: 'ok' });
	const items = JSON.parse(body) as Array<{ metric: Record<string, string>; values: Array<[number, number | null]>; step: number }>;
	expect(items.map((i) => i.metric.region).sort()).toEqual(['us-east', 'us-west']);
	for (const item of items) {
		expect(item.step).toBe(600);
		expect(item.values.length).toBe(13);
		const series = item.metric.region === 'us-east' ? stack.east : stack.west;
		for (const [t, v] of item.values) expect(v).toBe(valueAt(series, t));
	}
});
