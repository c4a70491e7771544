import { runCli } from '../../src/cli/main';
import { CloudflareProvider, LoadBalancerError, RateLimiter } from '../../src/loadbalancer';
import { CloudflareSandbox, startCloudflareSandbox } from '../sandbox/cloudflare';
import { freePort } from '../sandbox/processes';

/*
 * Cloudflare Load Balancing, contract-tested: Cloudflare cannot be reached
 * from here, so the provider talks to a server that implements the
 * documented v4 request and response shapes (test/sandbox/cloudflare).
 */

let cf: CloudflareSandbox;

beforeEach(async () => {
	cf = await startCloudflareSandbox();
});

afterEach(async () => {
	await cf?.close();
});

function provider(extra: Partial<ConstructorParameters<typeof CloudflareProvider>[0]> = {}): CloudflareProvider {
	// A limiter per provider: the shared per-token one would carry counts across tests.
	return new CloudflareProvider({ accountId: cf.accountId, zoneId: cf.zoneId, auth: { type: 'token', token: cf.token }, baseUrl: cf.baseUrl, limiter: new RateLimiter(), ...extra });
}

const patches = () => cf.requests.filter((r) => r.method === 'PATCH');

describe('origins in a pool', () => {
	test('status by pool name or ID: origins with enabled state and weight', async () => {
		const byName = await provider().status('pool:us-east');
		expect(byName.servers.map((s) => [s.server, s.admin, s.weight, s.serving, s.detail.address])).toEqual([
			['use1-a', 'ready', 1, true, '10.0.1.10'],
			['use1-b', 'ready', 0.5, true, '10.0.1.11'],
		]);
		const byId = await provider().status(cf.poolId('us-east'));
		expect(byId.serving).toEqual(['use1-a', 'use1-b']);
		expect(cf.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			`GET /client/v4/accounts/${cf.accountId}/load_balancers/pools`,
			`GET /client/v4/accounts/${cf.accountId}/load_balancers/pools/${cf.poolId('us-east')}/health`,
			`GET /client/v4/accounts/${cf.accountId}/load_balancers/pools/${cf.poolId('us-east')}`,
			`GET /client/v4/accounts/${cf.accountId}/load_balancers/pools/${cf.poolId('us-east')}/health`,
		]);
	});

	test('the contract server really replaces the list on PATCH origins: sending one origin drops the others', async () => {
		const res = await fetch(`${cf.baseUrl}/accounts/${cf.accountId}/load_balancers/pools/${cf.poolId('us-east')}`, {
			method: 'PATCH',
			headers: { Authorization: `Bearer ${cf.token}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ origins: [{ name: 'use1-a', address: '10.0.1.10', enabled: false }] }),
		});
		const body = (await res.json()) as { success: boolean; result: { origins: unknown[] } };
		expect(body.success).toBe(true);
		expect(body.result.origins).toHaveLength(1);
	});

	test('drain disables one origin by read-modify-write of the whole list, and reads it back', async () => {
		const result = await provider().drain({ backend: 'pool:us-east', server: 'use1-a' });
		expect(result).toMatchObject({ provider: 'cloudflare', changed: true, before: { admin: 'ready', serving: true }, after: { admin: 'maint', serving: false } });
		expect(result.after.detail.disabledAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
		expect(patches()).toHaveLength(1);
		// Every origin is sent, unchanged but for the one drained; nothing read-only goes back.
		expect(patches()[0].body).toEqual({
			origins: [
				{ name: 'use1-a', address: '10.0.1.10', enabled: false, weight: 1, header: { Host: ['shop.example.com'] } },
				{ name: 'use1-b', address: '10.0.1.11', enabled: true, weight: 0.5, port: 8443 },
			],
		});
		expect(cf.pools.get(cf.poolId('us-east'))?.origins.map((o) => [o.name, o.enabled, o.weight, o.port])).toEqual([
			['use1-a', false, 1, undefined],
			['use1-b', true, 0.5, 8443],
		]);
		// GET pool list (by name) and its health, PATCH, GET both again for the read-back.
		expect(cf.requests.map((r) => `${r.method}${r.path.endsWith('/health') ? ' health' : ''}`)).toEqual(['GET', 'GET health', 'PATCH', 'GET', 'GET health']);
	});

	test('draining a disabled origin is a no-op and sends no write; restore enables it again', async () => {
		await provider().drain({ backend: 'pool:us-east', server: 'use1-a' });
		const again = await provider().drain({ backend: 'pool:us-east', server: 'use1-a' });
		expect(again).toMatchObject({ changed: false, message: 'use1-a is already in maintenance: it takes no new traffic; nothing changed' });
		expect(patches()).toHaveLength(1);
		const restored = await provider().restore({ backend: 'pool:us-east', server: 'use1-a' });
		expect(restored).toMatchObject({ changed: true, before: { admin: 'maint' }, after: { admin: 'ready', serving: true } });
		expect(restored.after.detail.disabledAt).toBeUndefined();
		expect(patches()[1].body).toMatchObject({ origins: [{ name: 'use1-a', enabled: true }, { name: 'use1-b', enabled: true }] });
	});

	test('the last serving origin, or one that would drop the pool below minimum_origins, is refused unless forced', async () => {
		await provider().drain({ backend: 'pool:us-east', server: 'use1-a' });
		const last = await provider().drain({ backend: 'pool:us-east', server: 'use1-b' }).catch((e: unknown) => e);
		expect(last).toBeInstanceOf(LoadBalancerError);
		expect((last as Error).message).toMatch(/^cloudflare pool us-east origin use1-b: refusing to drain use1-b: it is the last server that takes traffic in pool us-east \(minimum_origins 1, 0 other serving origin\(s\)\)/);
		const minimum = await provider().drain({ backend: 'pool:eu-west', server: 'euw1-a' }).catch((e: unknown) => e);
		expect((minimum as Error).message).toMatch(/pool eu-west \(minimum_origins 2, 1 other serving origin\(s\)\)/);
		expect(patches()).toHaveLength(1);
		const forced = await provider().drain({ backend: 'pool:eu-west', server: 'euw1-a' }, { force: true });
		expect(forced).toMatchObject({ changed: true, forced: true });
	});

	test('setWeight changes one origin\'s weight; weights outside 0-1 or finer than 0.01 are refused before any request', async () => {
		const result = await provider().setWeight({ backend: 'pool:us-east', server: 'use1-b' }, 0.25);
		expect(result).toMatchObject({ changed: true, before: { weight: 0.5 }, after: { weight: 0.25 } });
		expect(patches()[0].body).toMatchObject({ origins: [{ name: 'use1-a', weight: 1 }, { name: 'use1-b', weight: 0.25 }] });
		const count = cf.requests.length;
		await expect(provider().setWeight({ backend: 'pool:us-east', server: 'use1-b' }, 1.5)).rejects.toMatchObject({ kind: 'invalid' });
		await expect(provider().setWeight({ backend: 'pool:us-east', server: 'use1-b' }, 0.333)).rejects.toMatchObject({ kind: 'invalid' });
		expect(cf.requests).toHaveLength(count);
	});
});

describe('pools in a load balancer', () => {
	test('status lists the default pools and the fallback, which does not count as serving', async () => {
		const status = await provider().status('lb:shop.example.com');
		expect(status.servers.map((s) => [s.server, s.admin, s.serving, s.detail.role, s.detail.enabledOrigins, s.detail.minimumOrigins])).toEqual([
			['us-east', 'ready', true, 'default', 2, 1],
			['eu-west', 'ready', true, 'default', 2, 2],
			['sorry', 'ready', false, 'fallback', 1, 1],
		]);
	});

	test('drain disables a pool (PATCH enabled: false); the last serving pool is refused; restore enables it', async () => {
		const result = await provider().drain({ backend: 'lb:shop.example.com', server: 'eu-west' });
		expect(result).toMatchObject({ changed: true, before: { admin: 'ready' }, after: { admin: 'maint', serving: false } });
		expect(patches().map((p) => [p.path, p.body])).toEqual([[`/client/v4/accounts/${cf.accountId}/load_balancers/pools/${cf.poolId('eu-west')}`, { enabled: false }]]);
		expect(cf.pools.get(cf.poolId('eu-west'))?.enabled).toBe(false);

		const lbId = [...cf.loadBalancers.keys()][0];
		const refused = await provider().drain({ backend: `lb:${lbId}`, server: cf.poolId('us-east') }).catch((e: unknown) => e);
		expect(refused).toMatchObject({ kind: 'refused' });
		expect((refused as Error).message).toMatch(/last server that takes traffic in load balancer shop\.example\.com \(default pools; the fallback pool is not counted\)/);

		const restored = await provider().restore({ backend: 'lb:shop.example.com', server: 'eu-west' });
		expect(restored).toMatchObject({ changed: true, after: { admin: 'ready', serving: true } });
		expect(cf.pools.get(cf.poolId('eu-west'))?.enabled).toBe(true);
	});

	test('a pool whose enabled origins are below minimum_origins does not count as serving', async () => {
		await provider().drain({ backend: 'pool:eu-west', server: 'euw1-a' }, { force: true });
		const status = await provider().status('lb:shop.example.com');
		expect(status.serving).toEqual(['us-east']);
		await expect(provider().drain({ backend: 'lb:shop.example.com', server: 'us-east' })).rejects.toMatchObject({ kind: 'refused' });
	});

	test('pool-level changes need the zone; pools have no weight of their own', async () => {
		await expect(provider({ zoneId: undefined }).status('lb:shop.example.com')).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/need the zone of the load balancer/) });
		await expect(provider().setWeight({ backend: 'lb:shop.example.com', server: 'us-east' }, 0.5)).rejects.toMatchObject({ kind: 'unsupported' });
	});
});

describe('pool and origin health (Pool Health Details)', () => {
	test('status reports each origin\'s and pool\'s health; an unhealthy origin or pool does not count as serving', async () => {
		cf.setOriginHealthy('10.0.1.11', false);
		const pool = await provider().status('pool:us-east');
		expect(pool.servers.map((s) => [s.server, s.health, s.serving, s.detail.poolHealth])).toEqual([
			['use1-a', 'up', true, 'up'],
			['use1-b', 'down', false, 'up'],
		]);
		expect(pool.servers[1].detail.failureReason).toBe('TCP connection failed');
		cf.setOriginHealthy('10.1.1.10', false); // eu-west needs 2 healthy origins
		const lb = await provider().status('lb:shop.example.com');
		expect(lb.servers.map((s) => [s.server, s.health, s.serving, s.detail.healthyPops, s.detail.pops])).toEqual([
			['us-east', 'up', true, 2, 2],
			['eu-west', 'down', false, 0, 2],
			['sorry', 'up', false, 2, 2],
		]);
		expect(lb.servers[1].detail.origins).toEqual({ '10.1.1.10': 'down', '10.1.1.11': 'up' });
	});

	test('draining the last healthy pool is refused, even with another pool enabled', async () => {
		cf.setOriginHealthy('10.1.1.11', false);
		const error = await provider().drain({ backend: 'lb:shop.example.com', server: 'us-east' }).catch((e: unknown) => e);
		expect(error).toMatchObject({ kind: 'refused' });
		expect((error as Error).message).toMatch(/refusing to drain us-east: it is the last server that takes traffic .*eu-west \(ready, health down, weight n\/a\)/);
		expect(patches()).toHaveLength(0);
	});

	test('draining the last healthy origin is refused: the other one fails its checks', async () => {
		cf.setOriginHealthy('10.0.1.11', false);
		await expect(provider().drain({ backend: 'pool:us-east', server: 'use1-a' })).rejects.toMatchObject({ kind: 'refused' });
		expect(patches()).toHaveLength(0);
	});

	test('a higher weight or a restore is refused for an origin whose checks fail; lowering it is allowed', async () => {
		cf.setOriginHealthy('10.0.1.11', false);
		const raise = await provider().setWeight({ backend: 'pool:us-east', server: 'use1-b' }, 0.8).catch((e: unknown) => e);
		expect(raise).toMatchObject({ kind: 'refused', message: expect.stringMatching(/refusing to raise the weight of use1-b: its health check says it is down \(TCP connection failed\)/) });
		const restore = await provider().restore({ backend: 'pool:us-east', server: 'use1-b' }, { weight: 1 }).catch((e: unknown) => e);
		expect(restore).toMatchObject({ kind: 'refused' });
		expect(patches()).toHaveLength(0);
		expect((await provider().setWeight({ backend: 'pool:us-east', server: 'use1-b' }, 0.1)).changed).toBe(true);
	});

	test('a disabled origin is not health-checked: restore previews it with the pool\'s monitor and refuses if it fails', async () => {
		await provider().drain({ backend: 'pool:us-east', server: 'use1-b' });
		cf.setOriginHealthy('10.0.1.11', false);
		const status = await provider().status('pool:us-east');
		expect(status.servers[1]).toMatchObject({ health: 'unknown', detail: { healthNote: expect.stringMatching(/does not health-check it/) } });
		const refused = await provider().restore({ backend: 'pool:us-east', server: 'use1-b' }).catch((e: unknown) => e);
		expect(refused).toMatchObject({ kind: 'refused', message: expect.stringMatching(/refusing to restore use1-b: a health preview with us-east's monitor finds it unhealthy \(TCP connection failed\)/) });
		expect(cf.previews).toBe(1);
		expect(cf.pools.get(cf.poolId('us-east'))?.origins[1].enabled).toBe(false);
		// The preview body is the monitor's own settings, nothing Cloudflare sets itself.
		const post = cf.requests.find((r) => r.method === 'POST');
		expect(post?.path).toBe(`/client/v4/accounts/${cf.accountId}/load_balancers/pools/${cf.poolId('us-east')}/preview`);
		expect(post?.body).toMatchObject({ type: 'https', path: '/healthz', expected_codes: '2xx' });
		expect(Object.keys(post?.body as object)).not.toContain('id');
		cf.setOriginHealthy('10.0.1.11', true);
		const restored = await provider().restore({ backend: 'pool:us-east', server: 'use1-b' });
		expect(restored).toMatchObject({ changed: true, before: { detail: { preview: { healthy: true } } }, after: { health: 'up', serving: true } });
	});

	test('a disabled pool is previewed before it is enabled again; an unhealthy one stays disabled', async () => {
		await provider().drain({ backend: 'lb:shop.example.com', server: 'eu-west' });
		cf.setOriginHealthy('10.1.1.10', false); // eu-west needs 2 healthy origins
		await expect(provider().restore({ backend: 'lb:shop.example.com', server: 'eu-west' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/health preview with eu-west's monitor finds it unhealthy/) });
		expect(cf.pools.get(cf.poolId('eu-west'))?.enabled).toBe(false);
		cf.setOriginHealthy('10.1.1.10', true);
		expect((await provider().restore({ backend: 'lb:shop.example.com', server: 'eu-west' })).after).toMatchObject({ admin: 'ready', health: 'up', serving: true });
	});

	test('a pool without a monitor is not previewed (Cloudflare treats it as healthy); a restore whose first check says down warns', async () => {
		const pool = cf.pools.get(cf.poolId('us-east'))!;
		delete pool.monitor;
		await provider().drain({ backend: 'pool:us-east', server: 'use1-b' });
		const restored = await provider().restore({ backend: 'pool:us-east', server: 'use1-b' });
		expect(restored.changed).toBe(true);
		expect(cf.previews).toBe(0);
		expect(restored.after.detail.healthNote).toMatch(/no monitor/);
	});
});

describe('rate limit and errors', () => {
	test('a 429 is a clear error with Cloudflare\'s Retry-After, and later calls stop here without being sent', async () => {
		await cf.close();
		cf = await startCloudflareSandbox({ rateLimit: { limit: 12, windowSeconds: 120 } });
		const p = provider();
		await p.drain({ backend: 'pool:us-east', server: 'use1-a' }); // GET + health, PATCH, GET + health
		// GET + health, monitor, preview POST + GET, GET + health, then 429 on PATCH
		const error = await p.restore({ backend: 'pool:us-east', server: 'use1-a' }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(LoadBalancerError);
		expect(error).toMatchObject({ kind: 'rate_limited', httpStatus: 429, retryAfterSeconds: 120 });
		expect((error as Error).message).toBe(
			'cloudflare pool us-east origin use1-a: rate limited: Cloudflare allows 1200 API requests per 5 minutes per user and blocks all calls for up to 5 minutes beyond that (Cloudflare answered 429 (971 Please wait and consider throttling your request speed)); retry after 120 s',
		);
		const sent = cf.requests.length;
		await expect(p.status('pool:us-east')).rejects.toMatchObject({ kind: 'rate_limited', message: expect.stringMatching(/this client stopped before sending/) });
		expect(cf.requests).toHaveLength(sent);
	});

	test('the client counts its own requests: the 1,201st in 5 minutes is refused before Cloudflare blocks the user', async () => {
		let now = 0;
		const limiter = new RateLimiter(1200, 300_000, () => now);
		for (let i = 0; i < 1198; i++) expect(limiter.take()).toBe(0);
		const p = provider({ limiter });
		await p.status('pool:us-east'); // the pool list and its health
		now = 1000;
		await expect(p.status('pool:us-east')).rejects.toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 299 });
		expect(cf.requests).toHaveLength(2);
	});

	test('bad credentials, unknown pools and server errors name Cloudflare\'s own text', async () => {
		await expect(provider({ auth: { type: 'token', token: 'wrong' } }).status('pool:us-east')).rejects.toMatchObject({
			kind: 'permission',
			message: 'cloudflare pools: HTTP 403: 10000 Authentication error',
			fix: expect.stringMatching(/Load Balancing: Monitors and Pools Write/),
		});
		const key = await provider({ auth: { type: 'key', email: cf.email, key: cf.apiKey } }).status('pool:us-east');
		expect(key.servers).toHaveLength(2);
		await expect(provider().status('pool:nope')).rejects.toMatchObject({ kind: 'not_found', message: 'cloudflare pool nope: no pool named "nope" in account ' + cf.accountId + '; it has: eu-west, sorry, us-east' });
		await expect(provider().status('pool:0123456789abcdef0123456789abcdef')).rejects.toMatchObject({ kind: 'not_found', message: 'cloudflare pool 0123456789abcdef0123456789abcdef: HTTP 404: 1002 Pool not found' });
		cf.failNext(1, 500, 10001, 'Internal server error');
		await expect(provider().status('pool:us-east')).rejects.toMatchObject({ kind: 'api', message: 'cloudflare pools: HTTP 500: 10001 Internal server error' });
		const port = await freePort();
		await expect(provider({ baseUrl: `http://127.0.0.1:${port}/client/v4` }).status('pool:us-east')).rejects.toMatchObject({
			kind: 'unreachable',
			message: `cloudflare pools: cannot reach http://127.0.0.1:${port}/client/v4: connection refused`,
		});
	});
});

test('the CLI: kube-ops lb drain/restore --provider cloudflare', async () => {
	let stdout = '';
	let stderr = '';
	const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), now: () => Date.now() / 1000 };
	const common = ['--provider', 'cloudflare', '--account', cf.accountId, '--api-url', cf.baseUrl, '--token', cf.token];
	expect(await runCli(['lb', 'drain', ...common, '--pool', 'us-east', '--server', 'use1-a', '--json'], io)).toBe(0);
	expect(JSON.parse(stdout)).toMatchObject({ provider: 'cloudflare', backend: 'pool:us-east', server: 'use1-a', changed: true, after: { admin: 'maint' } });
	stdout = '';
	expect(await runCli(['lb', 'drain', ...common, '--zone', cf.zoneId, '--load-balancer', 'shop.example.com', '--pool', 'us-east'], io)).toBe(0);
	expect(stdout).toMatch(/^cloudflare account \w+ zone \w+ lb:shop\.example\.com\/us-east: drained us-east/);
	stdout = '';
	expect(await runCli(['lb', 'drain', ...common, '--zone', cf.zoneId, '--load-balancer', 'shop.example.com', '--pool', 'eu-west'], io)).toBe(3);
	expect(stderr).toMatch(/refusing to drain eu-west/);
	expect(await runCli(['lb', 'restore', ...common, '--backend', 'pool:us-east', '--server', 'use1-a'], io)).toBe(0);
	// The origin is ready again, but its pool is still disabled in the load balancer: nothing in it serves.
	stdout = '';
	expect(await runCli(['lb', 'status', ...common, '--pool', 'us-east'], io)).toBe(0);
	expect(stdout).toMatch(/^cloudflare account \w+ pool:us-east: 0 of 2 serving\n/);
	expect(stdout).toMatch(/use1-a\s+ready\s+unknown\s+1\s+-\s+no/); // a disabled pool is not health-checked
	expect(await runCli(['lb', 'restore', ...common, '--zone', cf.zoneId, '--load-balancer', 'shop.example.com', '--pool', 'us-east'], io)).toBe(0);
	stdout = '';
	expect(await runCli(['lb', 'status', ...common, '--pool', 'us-east'], io)).toBe(0);
	expect(stdout).toMatch(/use1-a\s+ready\s+up\s+1\s+-\s+yes/);
});
