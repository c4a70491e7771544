import { KubeClient, acquireLease, connectionFromCredential, releaseLease, renewLease, withLease } from '../../src/kubernetes';
import { type KubeSandbox, renderKubeconfig, startKubeSandbox } from '../sandbox/kube';

/*
 * The coordination Lease that keeps two executions from acting on one
 * service at once, against the sandbox's real optimistic concurrency: every
 * holder has its own client (its own connection), as two n8n workers would.
 */

let sandbox: KubeSandbox;
let kubeconfig: string;

beforeEach(async () => {
	sandbox = await startKubeSandbox({ clusterName: 'lease', podStartupMs: 50 });
	kubeconfig = renderKubeconfig([{ name: 'lease', url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens }]);
});

afterEach(async () => {
	await sandbox?.close();
});

const client = () => new KubeClient(connectionFromCredential({ source: 'kubeconfig', kubeconfig }));
const lock = (holder: string, extra: { durationSeconds?: number; now?: () => Date } = {}) => ({ namespace: 'shop', name: 'kube-ops-failover-checkout', holder, ...extra });
const stored = () => sandbox.get('leases.coordination.k8s.io', 'shop', 'kube-ops-failover-checkout');

test('two holders racing for a free lease: exactly one gets it, the other learns who', async () => {
	const [a, b] = await Promise.all([acquireLease(client(), lock('n8n/exec-a')), acquireLease(client(), lock('n8n/exec-b'))]);
	expect([a.held, b.held].filter(Boolean)).toHaveLength(1);
	const [winner, loser] = a.held ? [a, b] : [b, a];
	expect(loser.reason).toBe(`Lease "kube-ops-failover-checkout" in namespace "shop" is held by ${winner.lease.holder} until ${winner.lease.expiresAt}`);
	expect(stored()?.spec).toMatchObject({ holderIdentity: winner.lease.holder, leaseDurationSeconds: 60, leaseTransitions: 0 });
	expect(String(stored()?.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('ten holders racing for an existing, expired lease: exactly one takes it over', async () => {
	const past = () => new Date(Date.now() - 120_000);
	expect((await acquireLease(client(), lock('n8n/crashed', { now: past }))).held).toBe(true);
	const results = await Promise.all(Array.from({ length: 10 }, (_, i) => acquireLease(client(), lock(`n8n/exec-${i}`))));
	const winners = results.filter((r) => r.held);
	expect(winners).toHaveLength(1);
	expect(stored()?.spec).toMatchObject({ holderIdentity: winners[0].lease.holder, leaseTransitions: 1 });
	for (const loser of results.filter((r) => !r.held)) expect(loser.reason).toContain(`held by ${winners[0].lease.holder}`);
});

test('a live lease is not taken; the holder renews and re-acquires it; release lets the next one in', async () => {
	const a = client();
	const b = client();
	const first = await acquireLease(a, lock('A', { durationSeconds: 30 }));
	expect(first.held).toBe(true);
	expect((await acquireLease(b, lock('B'))).held).toBe(false);
	expect((await renewLease(b, lock('B'))).held).toBe(false);
	const renewed = await renewLease(a, lock('A', { durationSeconds: 30 }));
	expect(renewed.held).toBe(true);
	expect(Number(renewed.lease.resourceVersion)).toBeGreaterThan(Number(first.lease.resourceVersion));
	const again = await acquireLease(a, lock('A', { durationSeconds: 30 }));
	expect(again).toMatchObject({ held: true, lease: { acquireTime: first.lease.acquireTime, transitions: 0 } });
	expect(await releaseLease(b, lock('B'))).toEqual({ released: false, lease: expect.objectContaining({ holder: 'A' }) });
	expect((await releaseLease(a, lock('A'))).released).toBe(true);
	expect(stored()?.spec?.holderIdentity ?? null).toBeNull();
	expect(await acquireLease(b, lock('B'))).toMatchObject({ held: true, lease: { holder: 'B', transitions: 1 } });
});

test('an expired holder finds out on renewal that it lost the lease', async () => {
	const past = () => new Date(Date.now() - 120_000);
	await acquireLease(client(), lock('A', { now: past }));
	expect((await acquireLease(client(), lock('B'))).held).toBe(true);
	expect(await renewLease(client(), lock('A'))).toMatchObject({ held: false, reason: expect.stringContaining('held by B') });
});

test('withLease: runs the work while held and releases afterwards, also on failure; a busy lease refuses to start', async () => {
	let inside = false;
	const result = await withLease(client(), lock('A'), async (handle) => {
		inside = true;
		expect(handle.lost).toBe(false);
		const blocked = await withLease(client(), lock('B'), async () => 'ran').catch((e: Error) => e);
		expect((blocked as Error).message).toMatch(/^Lease "kube-ops-failover-checkout" in namespace "shop" is held by A until /);
		return 'done';
	});
	expect([inside, result]).toEqual([true, 'done']);
	expect(stored()?.spec?.holderIdentity ?? null).toBeNull();
	await expect(withLease(client(), lock('C'), async () => Promise.reject(new Error('scale failed')))).rejects.toThrow('scale failed');
	expect(stored()?.spec?.holderIdentity ?? null).toBeNull();
});

test('withLease renews while the work runs', async () => {
	const renewTimes = new Set<string>();
	await withLease(client(), lock('A', { durationSeconds: 1 }), async () => {
		for (let i = 0; i < 8; i++) {
			renewTimes.add(String(stored()?.spec?.renewTime));
			await new Promise((r) => setTimeout(r, 150));
		}
	});
	expect(renewTimes.size).toBeGreaterThanOrEqual(3);
});

test('the limited identity outside its namespace gets a 403 that names leases', async () => {
	const limited = new KubeClient(connectionFromCredential({ source: 'token', server: sandbox.url, token: sandbox.tokens.limited, caCertificate: sandbox.caCert }));
	await expect(acquireLease(limited, { namespace: 'kube-system', name: 'x', holder: 'A' })).rejects.toThrow('Forbidden: cannot get leases (API group "coordination.k8s.io") "x" in namespace "kube-system"');
});
