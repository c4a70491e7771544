import { randomBytes } from 'node:crypto';

import { PrometheusClient } from '../../../src/prometheus';
import { type Execution, cluster, leaseState, ran } from '../loops';
import { waitUntil } from '../processes';
import { type OpsStack, STACK_QUERIES } from '../stack';
import type { QueueLoopsStack } from './index';

/**
 * The queue-mode scenarios' building blocks: Alertmanager notifications
 * posted straight at the webhook processor (as an Alertmanager HA pair and its
 * retries deliver them), and what the failover left behind, read from the
 * executions (Postgres), the clusters and HAProxy.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RegionDownAlert {
	service: string;
	region: string;
	namespace?: string;
	startsAt: string;
}

/** Alertmanager's fingerprint is a hash of the label set; any stable hex of the labels does here. */
function fingerprintOf(labels: Record<string, string>): string {
	let h = 0xcbf29ce484222325n;
	for (const ch of JSON.stringify(Object.entries(labels).sort())) h = ((h ^ BigInt(ch.charCodeAt(0))) * 0x100000001b3n) & 0xffffffffffffffffn;
	return h.toString(16).padStart(16, '0');
}

/**
 * One Alertmanager webhook (version 4) body for a RegionDown group. `variant`
 * changes what an HA peer changes: key order, the alerts' order, its own
 * external URL, the annotations; never the group key or the firing set.
 */
export function regionDownBody(alerts: RegionDownAlert[], variant = 0): string {
	const built = alerts.map((a) => {
		const labels = { alertname: 'RegionDown', region: a.region, service: a.service, namespace: a.namespace ?? 'shop', severity: 'critical' };
		return {
			status: 'firing',
			labels,
			annotations: { summary: `${a.service} in ${a.region} answers 5xx`, ...(variant ? { peer: `alertmanager-${variant % 2}` } : {}) },
			startsAt: a.startsAt,
			endsAt: '0001-01-01T00:00:00Z',
			generatorURL: 'http://prometheus.example/graph',
			fingerprint: fingerprintOf(labels),
		};
	});
	const services = [...new Set(alerts.map((a) => a.service))].sort().join(',');
	const body: Json = {
		version: '4',
		groupKey: `{}:{alertname="RegionDown", service="${services}"}`,
		truncatedAlerts: 0,
		status: 'firing',
		receiver: 'kube-ops',
		groupLabels: { alertname: 'RegionDown', service: services },
		commonLabels: { alertname: 'RegionDown' },
		commonAnnotations: {},
		externalURL: `http://alertmanager-${variant % 2}.example:9093`,
		alerts: variant % 2 ? [...built].reverse() : built,
	};
	if (!variant) return JSON.stringify(body);
	// Another peer's JSON: the same members, keys in reverse order.
	return JSON.stringify(Object.fromEntries(Object.entries(body).reverse()));
}

/** Posts every body at once; the statuses in order (0 for a refused connection). */
export async function postAll(url: string, token: string, bodies: string[]): Promise<number[]> {
	return Promise.all(
		bodies.map((body) =>
			fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })
				.then(async (r) => {
					await r.arrayBuffer();
					return r.status;
				})
				.catch(() => 0),
		),
	);
}

/** The failover workflow's load signal (Region signals), which its capacity check needs for both regions. */
const LOAD_SIGNAL = 'max_over_time((sum by (region) (rate(http_requests_total{service="checkout", track="stable"}[1m])))[15m:30s])';

/**
 * Prometheus sees `region` failing, and has the load of both regions the gate
 * sizes the receiving region by: on a freshly started stack the load's
 * rate has no samples yet, and the gate then asks for approval instead.
 */
export async function regionFailing(stack: OpsStack, region: string): Promise<void> {
	const prometheus = new PrometheusClient({ baseUrl: stack.prometheus.url });
	const seen = (query: string, regions: string[], above: number) => async () => {
		const result = await prometheus.instant({ query, time: Date.now() / 1000 });
		return regions.every((r) => result.series.some((s) => s.metric.region === r && (s.value[1] ?? 0) > above));
	};
	await waitUntil(seen(LOAD_SIGNAL, ['us-east', 'us-west'], 0), 'Prometheus to have the load of both regions', 120_000);
	await waitUntil(seen(STACK_QUERIES.regionErrorRate, [region], 0.05), `Prometheus to see ${region} failing`, 60_000);
}

/**
 * Puts checkout back where the stack started, as an operator would after a
 * drill: us-east serving, us-west at 2 replicas, the failover Lease (and its
 * flip history) deleted.
 */
export async function resetFailover(loops: QueueLoopsStack): Promise<void> {
	const { stack } = loops;
	await stack.haproxy.command('set server be_app/us-east state ready');
	const west = stack.kube['us-west'].api;
	west.patch(west.def('deployments.apps'), 'shop', 'checkout', 'merge', { spec: { replicas: 2 } });
	const control = stack.kube.control.api;
	if (cluster(stack, 'control').lease('kube-ops-failover-checkout')) control.delete(control.def('leases.coordination.k8s.io'), 'shop', 'kube-ops-failover-checkout');
	await waitUntil(async () => (await stack.haproxy.serverState('us-east'))?.draining === false, 'us-east to serve again', 10_000);
}

export function newAlertStart(): string {
	// A new firing episode: a different startsAt only changes the body; the dedupe key comes from the group and fingerprints.
	return new Date(Date.now() - 60_000).toISOString();
}

export const acted = (e: Execution) => ran(e, 'Drain the failing region');
export const scaledUp = (e: Execution) => ran(e, 'Scale us-west');
export const handledDuplicate = (e: Execution) => ran(e, 'Already handled or in progress');

/** Ids of a workflow's finished executions (newest 250), without their data: cheap enough to poll. */
export async function finishedIds(loops: QueueLoopsStack, workflowId: string): Promise<string[]> {
	const page = await loops.n8n.api<{ data: Array<{ id: string; status: string }> }>('GET', `/executions?workflowId=${encodeURIComponent(workflowId)}&limit=250`);
	return page.data.filter((e) => !['running', 'new', 'waiting'].includes(e.status)).map((e) => e.id);
}

/** Executions with their data, one request each. */
export async function withData(loops: QueueLoopsStack, ids: string[]): Promise<Execution[]> {
	return Promise.all(ids.map((id) => loops.n8n.api<Execution>('GET', `/executions/${encodeURIComponent(id)}?includeData=true`)));
}

/** Finished executions of a workflow not in `seen`, with their data. */
export async function finishedSince(loops: QueueLoopsStack, workflowId: string, seen: Set<string>): Promise<Execution[]> {
	return withData(loops, (await finishedIds(loops, workflowId)).filter((id) => !seen.has(id)));
}

/**
 * Executions of a workflow still queued or running, from Postgres (the public
 * API lists finished ones only); `except`: ones that never finish (a killed
 * worker's execution stays "running").
 */
export async function unfinished(loops: QueueLoopsStack, workflowId: string, except: string[] = []): Promise<string[]> {
	const rows = await loops.n8n.postgres.query(`select id from execution_entity where "workflowId" = '${workflowId.replace(/'/g, "''")}' and status in ('new', 'running')`);
	return rows.map(([id]) => id).filter((id) => !except.includes(id));
}

/** Waits until nothing of the workflow is queued or running any more (but `except`). */
export async function settled(loops: QueueLoopsStack, workflowId: string, what: string, except: string[] = [], timeoutMs = 240_000): Promise<void> {
	let left: string[] = [];
	await waitUntil(async () => {
		left = await unfinished(loops, workflowId, except);
		return left.length === 0;
	}, () => `${what} (still queued or running: ${left.join(', ')})`, timeoutMs);
}

/** Waits until `count` executions not in `seen` have finished (success or error); returns them with their data. */
export async function newFinished(loops: QueueLoopsStack, seen: Set<string>, count: number, what: string, timeoutMs = 240_000): Promise<Execution[]> {
	const id = loops.workflows.ids.failover;
	let fresh: string[] = [];
	await waitUntil(async () => {
		fresh = (await finishedIds(loops, id)).filter((e) => !seen.has(e));
		return fresh.length >= count;
	}, () => `${count} ${what} (saw ${fresh.length})`, timeoutMs);
	return withData(loops, fresh);
}

/** The loops' decision Events about checkout in the control cluster. */
export function failoverEvents(loops: QueueLoopsStack): Json[] {
	return cluster(loops.stack, 'control')
		.events()
		.filter((e) => e.involvedObject?.name === 'checkout' && /^(Failover|Failback)/.test(String(e.reason)));
}

export function failoverLease(loops: QueueLoopsStack): { lease: Json | undefined; state: Json } {
	const lease = cluster(loops.stack, 'control').lease('kube-ops-failover-checkout');
	return { lease, state: leaseState(lease) };
}

/** Execution ids each worker logged as started, by worker name. */
export function startedByWorker(loops: QueueLoopsStack): Record<string, string[]> {
	return Object.fromEntries(loops.n8n.workers.map((w) => [w.name, w.started()]));
}

export function uniqueToken(): string {
	return randomBytes(4).toString('hex');
}
