import { randomBytes } from 'node:crypto';

import { PrometheusClient } from '../../../src/prometheus';
import { type Execution, cluster, executionsOf, leaseState, ran } from '../loops';
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

export async function regionFailing(stack: OpsStack, region: string): Promise<void> {
	const prometheus = new PrometheusClient({ baseUrl: stack.prometheus.url });
	await waitUntil(async () => {
		const result = await prometheus.instant({ query: STACK_QUERIES.regionErrorRate, time: Date.now() / 1000 });
		return result.series.some((s) => s.metric.region === region && (s.value[1] ?? 0) > 0.05);
	}, `Prometheus to see ${region} failing`, 60_000);
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

/** Waits until `count` executions not in `seen` have finished (success or error). */
export async function newFinished(loops: QueueLoopsStack, seen: Set<string>, count: number, what: string, timeoutMs = 240_000): Promise<Execution[]> {
	const id = loops.workflows.ids.failover;
	let fresh: Execution[] = [];
	await waitUntil(async () => {
		fresh = (await executionsOf(loops.n8n, id)).filter((e) => !seen.has(e.id));
		return fresh.length >= count;
	}, `${count} ${what} (saw ${fresh.length})`, timeoutMs);
	return fresh;
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
