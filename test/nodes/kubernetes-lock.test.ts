import { LEASE, lease, runLock, seedLease, takeLease } from '../unit/kubernetes/loopSupport';
import { runPatch, sandboxCluster } from '../unit/kubernetes/support';

/*
 * Lock (Lease) and Read State through n8n's executor: the item leaves with
 * lock (acquired or why not) and the state the last run saved. Busy and
 * duplicate are answers the workflow routes on, never errors.
 */

const cluster = sandboxCluster('each test');

const HOLDER = /^n8n\/kube-ops-test\/\d+$/;

test('a free lease is created and acquired for this execution; the item goes on whole with lock and an empty first state', async () => {
	const before = Date.now();
	const json = await runLock(cluster, { alert: { labels: { service: 'web' } } }, { leaseSeconds: 120 });
	expect(json).toEqual({
		alert: { labels: { service: 'web' } },
		lock: { namespace: 'shop', name: LEASE, holder: expect.stringMatching(HOLDER), acquired: true, heldBy: null, expiresAt: expect.any(String), duplicate: false },
		state: {},
	});
	const lock = json.lock as { holder: string; expiresAt: string };
	expect(Date.parse(lock.expiresAt) - before).toBeGreaterThanOrEqual(119_000);
	expect(Date.parse(lock.expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);
	expect(lease(cluster)?.spec).toMatchObject({ holderIdentity: lock.holder, leaseDurationSeconds: 120 });
});

test('the state the last run saved comes out as state; the lease is taken over from a released holder', async () => {
	seedLease(cluster, { 'kube-ops.io/state': '{"lastActionAt":"2026-03-10T11:58:00Z","consecutiveErrors":2}', 'kube-ops.io/last-dedupe-key': 'old' });
	const json = await runLock(cluster, {}, { dedupeKey: 'new' });
	expect(json.state).toEqual({ lastActionAt: '2026-03-10T11:58:00Z', consecutiveErrors: 2 });
	expect(json.lock).toMatchObject({ acquired: true, duplicate: false, dedupeKey: 'new' });
	// The annotations stay on the Lease through acquire.
	expect(lease(cluster)?.metadata.annotations).toMatchObject({ 'kube-ops.io/last-dedupe-key': 'old' });
});

test('held by another execution: acquired false with who and until when, and no error', async () => {
	const other = await takeLease(cluster, 'n8n/7/99');
	const json = await runLock(cluster);
	expect(json.lock).toEqual({
		namespace: 'shop',
		name: LEASE,
		holder: expect.stringMatching(HOLDER),
		acquired: false,
		heldBy: 'n8n/7/99',
		expiresAt: other.lease.expiresAt,
		duplicate: false,
		reason: `Lease "${LEASE}" in namespace "shop" is held by n8n/7/99 until ${other.lease.expiresAt}`,
	});
	expect(json.state).toEqual({});
	expect(lease(cluster)?.spec?.holderIdentity).toBe('n8n/7/99');
});

test('an expired holder (a crashed run) is taken over', async () => {
	await takeLease(cluster, 'n8n/7/crashed', { now: () => new Date(Date.now() - 120_000) });
	const json = await runLock(cluster);
	expect(json.lock).toMatchObject({ acquired: true, heldBy: null });
	expect(lease(cluster)?.spec).toMatchObject({ holderIdentity: (json.lock as { holder: string }).holder, leaseTransitions: 1 });
});

test('a dedupe key equal to the last one handled is a duplicate: not acquired, and the lease is left free', async () => {
	seedLease(cluster, { 'kube-ops.io/last-dedupe-key': 'fp-123:firing' });
	const json = await runLock(cluster, {}, { dedupeKey: 'fp-123:firing' });
	expect(json.lock).toEqual({
		namespace: 'shop',
		name: LEASE,
		holder: expect.stringMatching(HOLDER),
		acquired: false,
		heldBy: null,
		expiresAt: null,
		duplicate: true,
		dedupeKey: 'fp-123:firing',
		reason: `already handled: dedupe key "fp-123:firing" is the last one recorded on Lease "${LEASE}" in namespace "shop"`,
	});
	expect(lease(cluster)?.spec?.holderIdentity ?? null).toBeNull();
	// An empty key never matches anything.
	expect((await runLock(cluster, {}, { dedupeKey: '' })).lock).toMatchObject({ acquired: true, duplicate: false });
});

test('two items of one run asking for the same lease: only the first has it', async () => {
	const result = await runPatch(cluster, { operation: 'lock', namespace: 'shop', leaseName: LEASE }, { input: [{ json: { n: 1 } }, { json: { n: 2 } }] });
	expect(result.error).toBeUndefined();
	const [first, second] = result.outputs[0].map((i) => i.json.lock as { acquired: boolean; reason?: string; holder: string });
	expect(first.acquired).toBe(true);
	expect(second).toMatchObject({ acquired: false, heldBy: first.holder, reason: `Lease "${LEASE}" in namespace "shop" is already held by this execution for item 0` });
	expect(result.outputs[0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
});

test('a corrupted state annotation is an error naming the Lease and the fix, and the lease is left free', async () => {
	seedLease(cluster, { 'kube-ops.io/state': '{"consecutiveErrors": 3' });
	const { error, outputs } = await runPatch(cluster, { operation: 'lock', namespace: 'shop', leaseName: LEASE });
	expect(outputs[0] ?? []).toHaveLength(0);
	expect(error?.message).toMatch(/^The loop state in annotation kube-ops\.io\/state of Lease "kube-ops-scaling-web" in namespace "shop" is unreadable: it is not valid JSON \(.+\): \{"consecutiveErrors": 3$/);
	expect(error?.description).toMatch(/^Fix: Nothing was done and the lease was left free\. Repair the annotation by hand .*kubectl -n shop annotate lease kube-ops-scaling-web --overwrite/);
	expect(lease(cluster)?.spec?.holderIdentity ?? null).toBeNull();
	// With Continue On Fail the item goes on with the error, and without lock.
	const json = (await runPatch(cluster, { operation: 'lock', namespace: 'shop', leaseName: LEASE }, { input: [{ json: { keep: true } }], continueOnFail: true })).outputs[0][0].json;
	expect(json).toMatchObject({ keep: true, operation: 'lock', errorKind: 'invalid', error: expect.stringMatching(/is unreadable/) });
	expect(json).not.toHaveProperty('lock');
});

test('an empty Lease Name is refused before any request: by n8n, or when an expression comes out empty', async () => {
	await expect(runPatch(cluster, { operation: 'lock', namespace: 'shop', leaseName: '' })).rejects.toThrow(/Parameter "Lease Name" is required/);
	const { error } = await runPatch(cluster, { operation: 'lock', namespace: 'shop', leaseName: '={{ $json.alert?.labels?.service ?? "" }}' });
	expect(error?.message).toBe('Lease Name is empty');
	expect(lease(cluster)).toBeUndefined();
});
