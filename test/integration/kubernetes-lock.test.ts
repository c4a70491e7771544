import type { IDataObject } from 'n8n-workflow';

import { KubeClient, connectionFromCredential, lockAndReadState, saveStateAndRelease } from '../../src/kubernetes';
import { LEASE, LEASES, lease, runLock, seedLease, storedState } from '../unit/kubernetes/loopSupport';
import { gated, only, runPatch, sandboxCluster, scaleProposal, scalingPolicy } from '../unit/kubernetes/support';

/*
 * The lock and the saved state under concurrency, against the sandbox's real
 * optimistic concurrency: executions racing for one Lease, another writer
 * changing the Lease between the record step's read and write, and an
 * identity without permission on Leases.
 */

const cluster = sandboxCluster('each test');

const leasePath = `/apis/coordination.k8s.io/v1/namespaces/shop/leases/${LEASE}`;
const client = () => new KubeClient(connectionFromCredential({ source: 'kubeconfig', kubeconfig: cluster.kubeconfig }));

test('two executions locking at once: exactly one acquires, the other is told who has it', async () => {
	const runs = await Promise.all([runLock(cluster, { run: 'a' }), runLock(cluster, { run: 'b' })]);
	const locks = runs.map((json) => json.lock as { acquired: boolean; holder: string; heldBy: string | null; reason?: string });
	expect(locks.filter((l) => l.acquired)).toHaveLength(1);
	const winner = locks.find((l) => l.acquired)!;
	const loser = locks.find((l) => !l.acquired)!;
	expect(loser.holder).not.toBe(winner.holder);
	expect(loser).toMatchObject({ heldBy: winner.holder, duplicate: false, reason: expect.stringContaining(`is held by ${winner.holder} until `) });
	expect(lease(cluster)?.spec?.holderIdentity).toBe(winner.holder);
});

test('eight concurrent lock steps on the engine, with state on the Lease: one winner, and it reads the state', async () => {
	seedLease(cluster, { 'kube-ops.io/state': '{"consecutiveErrors":1}' });
	const results = await Promise.all(Array.from({ length: 8 }, (_, i) => lockAndReadState(client(), { namespace: 'shop', name: LEASE, holder: `n8n/w/${i}`, durationSeconds: 60 })));
	const winners = results.filter((r) => r.lock.acquired);
	expect(winners).toHaveLength(1);
	expect(winners[0].state).toEqual({ consecutiveErrors: 1 });
	for (const loser of results.filter((r) => !r.lock.acquired)) expect(loser.lock.heldBy).toBe(winners[0].lock.holder);
});

test('record after a 409 race: another writer changes the Lease between read and write; the step reads again and keeps their change', async () => {
	const locked = await runLock(cluster);
	const item = { ...gated(scaleProposal('web', 3, 12), scalingPolicy, locked.state), ...locked, operation: 'scale' };
	// Hold the record's write back until another writer has changed the Lease under it.
	const delay = cluster.sandbox.faults.add({ type: 'latency', path: leasePath, methods: ['PUT'], latencyMs: 400, times: 1 });
	const pending = runPatch(cluster, { operation: 'recordDecision' }, { input: [{ json: item }] });
	while (cluster.sandbox.faults.hits(delay.id) === 0) await new Promise((r) => setTimeout(r, 10));
	cluster.sandbox.api.patch(cluster.sandbox.api.def(LEASES), 'shop', LEASE, 'merge', { metadata: { annotations: { 'example.com/owner': 'team-checkout' } } });
	const record = only(await pending).record as IDataObject;
	expect(record).toMatchObject({ outcome: 'applied', saved: true, released: true, attempts: 2, state: { lastActionAt: expect.any(String), consecutiveErrors: 0 } });
	expect(lease(cluster)?.metadata.annotations).toMatchObject({ 'example.com/owner': 'team-checkout', 'kube-ops.io/state': JSON.stringify(record.state) });
	expect(lease(cluster)?.spec?.holderIdentity ?? null).toBeNull();
});

test('a Lease that keeps changing: the save gives up after its attempts, naming them', async () => {
	const locked = await lockAndReadState(client(), { namespace: 'shop', name: LEASE, holder: 'n8n/w/1', durationSeconds: 60 });
	expect(locked.lock.acquired).toBe(true);
	cluster.sandbox.faults.add({ type: 'conflict', path: leasePath, methods: ['PUT'] });
	const error = await saveStateAndRelease(client(), { namespace: 'shop', name: LEASE, holder: 'n8n/w/1', next: () => ({ consecutiveErrors: 0 }), maxAttempts: 3, sleep: async () => undefined }).catch((e: Error & { details?: { attempts?: number } }) => e);
	expect((error as Error).message).toBe(`Lease "${LEASE}" in namespace "shop" kept changing; the loop state was not saved after 3 attempt(s)`);
	expect((error as { details: { attempts: number } }).details.attempts).toBe(3);
	cluster.sandbox.faults.clear();
	expect(storedState(cluster)).toBeUndefined();
	expect(lease(cluster)?.spec?.holderIdentity).toBe('n8n/w/1');
});

test('RBAC: an identity without leases permission gets a 403 that names the verb, the resource and the fix', async () => {
	const credential = { source: 'token', server: cluster.sandbox.url, token: cluster.sandbox.tokens.limited, caCertificate: cluster.sandbox.caCert ?? '' };
	// The limited identity may act in shop only.
	expect(only(await runPatch(cluster, { operation: 'lock', namespace: 'shop', leaseName: LEASE }, { credential })).lock).toMatchObject({ acquired: true });
	const { error } = await runPatch(cluster, { operation: 'lock', namespace: 'kube-ops', leaseName: LEASE }, { credential });
	expect(error?.message).toBe(`Forbidden: cannot get leases (API group "coordination.k8s.io") "${LEASE}" in namespace "kube-ops"`);
	expect(error?.description).toMatch(/^Fix: Grant this identity the verb "get" on "leases" in apiGroup "coordination\.k8s\.io" in namespace "kube-ops" \(see deploy\/rbac\/kube-ops-role\.yaml\)/);
});
