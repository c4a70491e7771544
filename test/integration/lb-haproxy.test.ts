import { HaproxyProvider, LoadBalancerError, parseServersState } from '../../src/loadbalancer';
import type { LocalHaproxy } from '../sandbox/haproxy';
import { Region, RegionsBehindHaproxy, get, sendMany, startRegionsBehindHaproxy } from '../sandbox/haproxyRegions';
import { freePort } from '../sandbox/processes';

/*
 * The HAProxy provider against a real HAProxy in front of two regions, with
 * real requests flowing through it while one region is drained.
 */

let east: Region;
let west: Region;
let haproxy: LocalHaproxy;
let stack: RegionsBehindHaproxy;
let provider: HaproxyProvider;
const east1 = { backend: 'be_app', server: 'us-east' };
const west1 = { backend: 'be_app', server: 'us-west' };

beforeAll(async () => {
	stack = await startRegionsBehindHaproxy(({ west: only }) => ({ be_static: [{ name: 'only', port: only.port }] }));
	({ east, west, haproxy } = stack);
	provider = new HaproxyProvider({ address: haproxy.runtimeAddress });
	await waitForHealthy();
});

afterEach(async () => {
	// Every test starts from both regions ready at their configured weight.
	for (const server of ['us-east', 'us-west']) {
		await haproxy.command(`set server be_app/${server} state ready`);
		await haproxy.command(`set weight be_app/${server} 1`);
	}
	await waitFor(() => east.active() + west.active() === 0, 'requests in flight to finish', 10_000);
});

afterAll(async () => {
	await stack?.stop();
});

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
}

async function waitForHealthy(): Promise<void> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const status = await provider.status('be_app');
		if (status.servers.every((s) => s.health === 'up')) return;
		if (Date.now() > deadline) throw new Error(`servers not healthy: ${JSON.stringify(status.servers)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** Starts slow requests until one of them is in flight on `region`. */
async function slowRequestOn(region: Region, ms: number): Promise<Promise<unknown>[]> {
	const pending: Promise<unknown>[] = [];
	for (let i = 0; i < 4 && region.active() === 0; i++) {
		pending.push(get(`${haproxy.url}/slow?ms=${ms}`));
		await waitFor(() => east.active() + west.active() > i, 'the slow request to arrive', 5000);
	}
	if (region.active() === 0) throw new Error(`no slow request reached ${region.name}`);
	return pending;
}

test('status lists both servers: ready, up, weight, sessions, from show servers state and show stat', async () => {
	const status = await provider.status('be_app');
	expect(status).toMatchObject({ provider: 'haproxy', backend: 'be_app', serving: ['us-east', 'us-west'] });
	expect(status.endpoint).toBe(haproxy.runtimeAddress.replace('ipv4@', ''));
	expect(status.servers.map((s) => [s.server, s.admin, s.health, s.weight, s.sessions, s.serving])).toEqual([
		['us-east', 'ready', 'up', 1, 0, true],
		['us-west', 'ready', 'up', 1, 0, true],
	]);
	expect(status.servers[0].detail).toMatchObject({ address: `127.0.0.1:${east.port}`, status: 'UP', initialWeight: 1, backup: false });
	expect(await sendMany(haproxy.url, 10)).toEqual({ 'us-east': 5, 'us-west': 5 });
});

test('drain under traffic: no new request reaches us-east, the in-flight one completes, the drain waits for 0 sessions', async () => {
	const inFlight = await slowRequestOn(east, 1500);
	const eastBefore = east.requests.length;
	let drainedAt = 0;
	const looks: number[] = [];
	const drain = provider.drain(east1, {
		wait: {
			timeoutMs: 10_000,
			pollMs: 100,
			onProgress: (p) => {
				drainedAt ||= Date.now();
				looks.push(p.sessions);
			},
		},
	});
	// Real traffic while the drain waits for the slow request.
	await waitFor(() => drainedAt > 0, 'the drain to be set', 5000);
	const during = await sendMany(haproxy.url, 20);
	const result = await drain;
	const answers = (await Promise.all(inFlight)) as Array<{ status: number; body: string }>;

	expect(during).toEqual({ 'us-west': 20 });
	expect(east.requests.slice(eastBefore).filter((r) => r.arrivedAt >= drainedAt)).toEqual([]);
	expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
	expect(answers.map((a) => a.body)).toContain('us-east');

	expect(result).toMatchObject({ provider: 'haproxy', operation: 'drain', backend: 'be_app', server: 'us-east', changed: true, forced: false });
	expect(result.before).toMatchObject({ admin: 'ready', serving: true });
	expect(result.before.sessions).toBeGreaterThanOrEqual(1);
	expect(result.after).toMatchObject({ admin: 'drain', serving: false });
	expect(result.after.detail.status).toBe('DRAIN');
	expect(result.wait?.completed).toBe(true);
	expect(result.wait?.sessions).toBe(0);
	expect(result.wait?.progress[0].sessions).toBeGreaterThanOrEqual(1);
	expect(looks[0]).toBeGreaterThanOrEqual(1);
	expect(looks[looks.length - 1]).toBe(0);
	// It waited for the slow request, which finished after the drain was set.
	const slow = east.requests.find((r) => r.path.startsWith('/slow'));
	expect(slow?.finishedAt).toBeGreaterThan(drainedAt);
	expect(result.wait?.waitedMs).toBeGreaterThanOrEqual((slow?.finishedAt ?? 0) - drainedAt - 150);

	const state = parseServersState(await haproxy.command('show servers state be_app')).find((r) => r.srv_name === 'us-east');
	expect(state?.srv_admin_state).toBe('8');
});

test('restore brings traffic back to us-east', async () => {
	await provider.drain(east1);
	expect(await sendMany(haproxy.url, 6)).toEqual({ 'us-west': 6 });
	const result = await provider.restore(east1);
	expect(result).toMatchObject({ operation: 'restore', changed: true, before: { admin: 'drain' }, after: { admin: 'ready', serving: true } });
	expect(result.message).toBe('restored us-east: it takes new traffic again');
	expect(await sendMany(haproxy.url, 10)).toEqual({ 'us-east': 5, 'us-west': 5 });
});

test('draining a drained server is a no-op that says so; so is restoring a ready one', async () => {
	await provider.drain(east1);
	const again = await provider.drain(east1);
	expect(again).toMatchObject({ changed: false, before: { admin: 'drain' }, after: { admin: 'drain' } });
	expect(again.message).toBe('us-east is already drained: it takes no new traffic; nothing changed');
	await provider.restore(east1);
	const ready = await provider.restore(east1);
	expect(ready).toMatchObject({ changed: false, message: 'us-east is already ready with weight 1; nothing changed' });
});

test('draining the last serving server is refused unless forced', async () => {
	await provider.drain(east1);
	const refused = await provider.drain(west1).catch((e: unknown) => e);
	expect(refused).toBeInstanceOf(LoadBalancerError);
	expect(refused).toMatchObject({ kind: 'refused', provider: 'haproxy' });
	expect((refused as Error).message).toMatch(
		new RegExp(`^haproxy 127\\.0\\.0\\.1:\\d+ be_app/us-west: refusing to drain us-west: it is the last server that takes traffic in be_app; the others: us-east \\(drained, health up, weight 1\\)$`),
	);
	expect((refused as LoadBalancerError).fix).toMatch(/force/);
	// Nothing changed: us-west still serves.
	expect((await provider.status('be_app')).serving).toEqual(['us-west']);
	expect(await sendMany(haproxy.url, 4)).toEqual({ 'us-west': 4 });

	const weightZero = await provider.setWeight(west1, 0).catch((e: unknown) => e);
	expect(weightZero).toMatchObject({ kind: 'refused' });

	const forced = await provider.drain(west1, { force: true });
	expect(forced).toMatchObject({ changed: true, forced: true, after: { admin: 'drain' } });
	expect(forced.warnings[0]).toMatch(/^forced: us-west was the last server that took traffic in be_app/);
	expect((await get(haproxy.url)).status).toBe(503);
});

test('drain, wait, then maintenance; restore back to ready', async () => {
	const inFlight = await slowRequestOn(east, 600);
	const result = await provider.drain(east1, { wait: { timeoutMs: 5000, pollMs: 50 }, maintAfter: true });
	await Promise.all(inFlight);
	expect(result).toMatchObject({ changed: true, before: { admin: 'ready' }, after: { admin: 'maint', serving: false }, wait: { completed: true } });
	expect(result.after.detail.status).toBe('MAINT');
	expect(result.message).toBe('drained us-east: it takes no new traffic; then put it in maintenance');
	const restored = await provider.restore(east1);
	expect(restored).toMatchObject({ changed: true, before: { admin: 'maint' }, after: { admin: 'ready' } });
	await waitForHealthy();
	expect(Object.keys(await sendMany(haproxy.url, 4)).sort()).toEqual(['us-east', 'us-west']);
});

test('a drain whose deadline passes reports the open sessions and stays out of maintenance', async () => {
	const inFlight = await slowRequestOn(east, 2000);
	const result = await provider.drain(east1, { wait: { timeoutMs: 400, pollMs: 100 }, maintAfter: true });
	expect(result.wait).toMatchObject({ completed: false });
	expect(result.wait?.sessions).toBeGreaterThanOrEqual(1);
	expect(result.wait?.waitedMs).toBeGreaterThanOrEqual(400);
	expect(result.after.admin).toBe('drain');
	expect(result.warnings).toContainEqual(expect.stringMatching(/^1 session\(s\) still open on us-east after \d+\.\ds; it stays drained and was not put in maintenance$/));
	// Asked for maintenance without a wait, it looks once and leaves a busy server drained.
	const noWait = await provider.drain(east1, { maintAfter: true });
	expect(noWait).toMatchObject({ changed: false, after: { admin: 'drain' } });
	expect(noWait.warnings).toEqual(['1 session(s) still open on us-east; it stays drained and was not put in maintenance (wait for the sessions first)']);
	const answers = (await Promise.all(inFlight)) as Array<{ status: number }>;
	expect(answers.every((a) => a.status === 200)).toBe(true);
	expect(await provider.drain(east1, { maintAfter: true })).toMatchObject({ changed: true, after: { admin: 'maint' } });
});

test('setWeight reads back before and after; restore puts a weight-0 server back at its configured weight', async () => {
	const result = await provider.setWeight(east1, 3);
	expect(result).toMatchObject({ changed: true, before: { weight: 1 }, after: { weight: 3 } });
	const weighted = await sendMany(haproxy.url, 8);
	expect(weighted['us-east']).toBeGreaterThan(weighted['us-west']);
	expect(await provider.setWeight(east1, 3)).toMatchObject({ changed: false, message: 'us-east already has weight 3; nothing changed' });
	await provider.setWeight(east1, 0);
	expect(await sendMany(haproxy.url, 4)).toEqual({ 'us-west': 4 });
	const restored = await provider.restore(east1);
	expect(restored).toMatchObject({ changed: true, before: { weight: 0, admin: 'ready' }, after: { weight: 1, admin: 'ready' } });
	await expect(provider.setWeight(east1, 300)).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/weight 300 is not an integer from 0 to 256/) });
});

test('errors name the provider, the object and the cause', async () => {
	const noServer = await provider.drain({ backend: 'be_app', server: 'eu-central' }).catch((e: unknown) => e);
	expect((noServer as Error).message).toMatch(/^haproxy 127\.0\.0\.1:\d+ be_app\/eu-central: no server "eu-central" in be_app; it has: us-east, us-west$/);
	const noBackend = await provider.status('be_nope').catch((e: unknown) => e);
	expect(noBackend).toMatchObject({ kind: 'not_found' });
	expect((noBackend as Error).message).toMatch(/^haproxy 127\.0\.0\.1:\d+ be_nope: no backend "be_nope"; this HAProxy has: .*be_app.*be_static/);
	const injected = await provider.drain({ backend: 'be_app', server: 'us-east;set server be_app/us-west state maint' }).catch((e: unknown) => e);
	expect(injected).toMatchObject({ kind: 'not_found' });
	expect((await provider.status('be_app')).serving).toEqual(['us-east', 'us-west']);

	const operator = new HaproxyProvider({ address: haproxy.operatorAddress });
	const denied = await operator.drain(east1).catch((e: unknown) => e);
	expect(denied).toMatchObject({ kind: 'permission', reason: 'Permission denied' });
	expect((denied as LoadBalancerError).fix).toMatch(/level admin/);
});

test('the Runtime API on a unix socket works the same; a missing socket file fails clearly', async () => {
	const unix = new HaproxyProvider({ address: `unix@${haproxy.unixSocket}` });
	expect((await unix.status('be_app')).endpoint).toBe(haproxy.unixSocket);
	expect(await unix.drain(east1)).toMatchObject({ changed: true, after: { admin: 'drain' } });
	expect(await provider.restore(east1)).toMatchObject({ changed: true });
	await expect(new HaproxyProvider({ address: `${haproxy.unixSocket}.missing` }).status('be_app')).rejects.toMatchObject({
		kind: 'unreachable',
		message: `haproxy ${haproxy.unixSocket}.missing: cannot reach the Runtime API: no such socket file`,
	});
});

test('a dead Runtime API address fails clearly, fast', async () => {
	const port = await freePort();
	const dead = new HaproxyProvider({ address: `127.0.0.1:${port}`, timeoutMs: 2000 });
	const started = Date.now();
	const error = await dead.drain(east1).catch((e: unknown) => e);
	expect(Date.now() - started).toBeLessThan(2000);
	expect(error).toBeInstanceOf(LoadBalancerError);
	expect(error).toMatchObject({ kind: 'unreachable', provider: 'haproxy' });
	expect((error as Error).message).toBe(`haproxy 127.0.0.1:${port}: cannot reach the Runtime API: connection refused`);
	expect((error as LoadBalancerError).fix).toBe(`Check the address, and that haproxy.cfg's global section has "stats socket ipv4@127.0.0.1:${port} level admin" and HAProxy is running.`);
	expect(() => new HaproxyProvider({ address: 'haproxy.example' })).toThrow(/not a Runtime API address: expected host:port/);
});
