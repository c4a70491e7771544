import type { IDataObject } from 'n8n-workflow';

import { KubeClient, acquireLease, connectionFromCredential } from '../../../src/kubernetes';
import type { KubeObject } from '../../sandbox/kube';
import { type Cluster, only, runPatch } from './support';

/** Shared by the lock / record node tests: the loop's Lease in the sandbox and the node's lock step. */

export const LEASE = 'kube-ops-scaling-web';
export const LEASES = 'leases.coordination.k8s.io';

export function lease(cluster: Cluster, name = LEASE): KubeObject | undefined {
	return cluster.sandbox.get(LEASES, 'shop', name);
}

export function storedState(cluster: Cluster, name = LEASE): unknown {
	const raw = lease(cluster, name)?.metadata.annotations?.['kube-ops.io/state'];
	return raw === undefined ? undefined : JSON.parse(raw);
}

/** A Lease as an earlier run (or a human) left it: annotations, and no holder. */
export function seedLease(cluster: Cluster, annotations: Record<string, string>, name = LEASE): void {
	cluster.sandbox.api.create(cluster.sandbox.api.def(LEASES), 'shop', { metadata: { name, namespace: 'shop', annotations }, spec: { leaseDurationSeconds: 300, leaseTransitions: 0 } });
}

/** Another execution (another n8n worker) taking the lease, through its own connection. */
export async function takeLease(cluster: Cluster, holder: string, options: { name?: string; now?: () => Date; durationSeconds?: number } = {}) {
	const client = new KubeClient(connectionFromCredential({ source: 'kubeconfig', kubeconfig: cluster.kubeconfig }));
	return acquireLease(client, { namespace: 'shop', name: options.name ?? LEASE, holder, durationSeconds: options.durationSeconds ?? 60, now: options.now });
}

export async function runLock(cluster: Cluster, json: IDataObject = {}, parameters: Record<string, unknown> = {}): Promise<IDataObject> {
	return only(await runPatch(cluster, { operation: 'lock', namespace: 'shop', leaseName: LEASE, ...parameters }, { input: [{ json }] }));
}
