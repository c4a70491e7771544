import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A contract test server for the part of Cloudflare's v4 API the Load
 * Balancer Drain node uses, written from the API reference (Cloudflare
 * cannot be reached from CI): the `{ success, errors, messages, result }`
 * envelope, Bearer token or X-Auth-Email + X-Auth-Key, account pools
 * (list, get, PATCH that overwrites exactly the supplied properties, so
 * `origins` replaces the whole list, PUT, references), zone load balancers
 * (list, get), and the global rate limit: 1,200 requests per 5 minutes per
 * user, then 429 with Retry-After and every call blocked for the window.
 *
 * Pool health (GET .../pools/{pool_id}/health, "Pool Health Details"): the
 * result is `{ pool_id, pop_health: { "<PoP>": { healthy, origins: [ { "<origin
 * address>": { healthy, failure_reason, response_code, rtt } } ] } } }`, as the
 * API reference's load-balancing_origin-health schema keys origins by address.
 * Disabled pools and origins are "excluded from health checks" (the pool and
 * origin `enabled` field docs), and a pool without a monitor is never checked:
 * neither appears in the health data. A pool is healthy at a PoP while at least
 * minimum_origins of its enabled origins are.
 *
 * Preview Pool (POST .../pools/{pool_id}/preview with monitor details, then
 * GET .../load_balancers/preview/{preview_id}): checks every origin of the pool
 * with the given monitor, disabled ones included (that is what a preview is for),
 * answering `{ "<pool_id>": { healthy, origins: [ { "<address>": {...} } ] } }`.
 * Monitors: GET .../load_balancers/monitors/{monitor_id}.
 */

export interface Origin {
	name: string;
	address: string;
	enabled?: boolean;
	weight?: number;
	header?: { Host?: string[] };
	port?: number;
	disabled_at?: string;
}

export interface Pool {
	id: string;
	name: string;
	description?: string;
	enabled: boolean;
	minimum_origins: number;
	monitor?: string;
	check_regions?: string[] | null;
	origins: Origin[];
	created_on: string;
	modified_on: string;
	disabled_at?: string;
	[key: string]: unknown;
}

export interface LoadBalancer {
	id: string;
	name: string;
	enabled: boolean;
	proxied: boolean;
	ttl: number;
	steering_policy: string;
	default_pools: string[];
	fallback_pool: string;
	created_on: string;
	modified_on: string;
}

export interface RecordedRequest {
	method: string;
	path: string;
	body?: unknown;
	status: number;
}

export interface CloudflareSandboxOptions {
	/** Requests allowed per window per user (default 1,200 per 300 s, as documented). */
	rateLimit?: { limit: number; windowSeconds: number };
}

export interface CloudflareSandbox {
	/** The v4 API root, like https://api.cloudflare.com/client/v4. */
	baseUrl: string;
	accountId: string;
	zoneId: string;
	token: string;
	email: string;
	apiKey: string;
	pools: Map<string, Pool>;
	loadBalancers: Map<string, LoadBalancer>;
	poolId(name: string): string;
	requests: RecordedRequest[];
	/** Monitor previews run (POST .../preview), for tests that check a restore looked first. */
	previews: number;
	/** What the monitors see at an origin address (default healthy). */
	setOriginHealthy(address: string, healthy: boolean): void;
	/** The next `count` requests answer `status` with this Cloudflare error. */
	failNext(count: number, status: number, code: number, message: string): void;
	close(): Promise<void>;
}

const POOL_FIELDS = new Set([
	'check_regions',
	'description',
	'enabled',
	'latitude',
	'load_shedding',
	'longitude',
	'minimum_origins',
	'monitor',
	'monitor_group',
	'name',
	'notification_email',
	'notification_filter',
	'origin_steering',
	'origins',
]);
const ORIGIN_FIELDS = new Set(['address', 'enabled', 'header', 'name', 'port', 'virtual_network_id', 'weight']);
// Set by Cloudflare; accepted in a request and recomputed, never taken from it.
const ORIGIN_READ_ONLY = new Set(['disabled_at']);

function id(): string {
	return randomBytes(16).toString('hex');
}

function iso(): string {
	return new Date().toISOString();
}

class ApiFailure extends Error {
	constructor(
		readonly status: number,
		readonly code: number,
		message: string,
	) {
		super(message);
	}
}

function validateOrigins(value: unknown): Origin[] {
	if (!Array.isArray(value)) throw new ApiFailure(400, 1002, 'origins must be an array');
	return value.map((raw, index) => {
		if (!raw || typeof raw !== 'object') throw new ApiFailure(400, 1002, `origins[${index}] must be an object`);
		const origin = raw as Record<string, unknown>;
		for (const key of Object.keys(origin)) {
			if (!ORIGIN_FIELDS.has(key) && !ORIGIN_READ_ONLY.has(key)) throw new ApiFailure(400, 1002, `origins[${index}]: unknown field ${key}`);
		}
		if (typeof origin.address !== 'string' || !origin.address) throw new ApiFailure(400, 1002, `origins[${index}]: address is required`);
		if (typeof origin.name !== 'string' || !origin.name) throw new ApiFailure(400, 1002, `origins[${index}]: name is required`);
		if (origin.enabled !== undefined && typeof origin.enabled !== 'boolean') throw new ApiFailure(400, 1002, `origins[${index}]: enabled must be a boolean`);
		if (origin.weight !== undefined && (typeof origin.weight !== 'number' || origin.weight < 0 || origin.weight > 1)) {
			throw new ApiFailure(400, 1002, `origins[${index}]: weight must be between 0 and 1`);
		}
		const clean: Origin = { name: origin.name, address: origin.address, enabled: origin.enabled !== false, weight: (origin.weight as number | undefined) ?? 1 };
		if (origin.header !== undefined) clean.header = origin.header as Origin['header'];
		if (origin.port !== undefined) clean.port = origin.port as number;
		return clean;
	});
}

export async function startCloudflareSandbox(options: CloudflareSandboxOptions = {}): Promise<CloudflareSandbox> {
	const accountId = id();
	const zoneId = id();
	const token = `cf-${randomBytes(20).toString('base64url')}`;
	const email = 'sre@example.com';
	const apiKey = randomBytes(18).toString('hex');
	const pools = new Map<string, Pool>();
	const loadBalancers = new Map<string, LoadBalancer>();
	const requests: RecordedRequest[] = [];
	const limit = options.rateLimit ?? { limit: 1200, windowSeconds: 300 };
	const sent = new Map<string, number[]>();
	const blockedUntil = new Map<string, number>();
	let failures: { count: number; status: number; code: number; message: string } | undefined;
	const unhealthy = new Set<string>();
	const monitors = new Map<string, Record<string, unknown>>();
	const previews = new Map<string, Record<string, unknown>>();
	const counters = { previews: 0 };
	const MONITOR_FIELDS = new Set(['allow_insecure', 'consecutive_down', 'consecutive_up', 'description', 'expected_body', 'expected_codes', 'follow_redirects', 'header', 'interval', 'method', 'path', 'port', 'probe_zone', 'retries', 'timeout', 'type']);
	const originHealthOf = (o: Origin) => {
		const ok = !unhealthy.has(o.address);
		return { [o.address]: { healthy: ok, failure_reason: ok ? 'No failures' : 'TCP connection failed', response_code: ok ? 200 : 0, rtt: ok ? '12.1ms' : '0ms' } };
	};
	const POPS = ['Amsterdam, NL', 'Ashburn, VA, US'];
	const poolHealth = (pool: Pool): Record<string, unknown> => {
		const checked = pool.enabled && pool.monitor ? pool.origins.filter((o) => o.enabled !== false) : [];
		const originHealth = checked.map(originHealthOf);
		const healthyCount = checked.filter((o) => !unhealthy.has(o.address)).length;
		const popHealth = checked.length ? Object.fromEntries(POPS.map((pop) => [pop, { healthy: healthyCount >= pool.minimum_origins, origins: originHealth }])) : {};
		return { pool_id: pool.id, pop_health: popHealth };
	};

	const addPool = (name: string, origins: Origin[], extra: Partial<Pool> = {}): Pool => {
		const pool: Pool = {
			id: id(),
			name,
			description: `${name} origins`,
			enabled: true,
			minimum_origins: 1,
			monitor: id(),
			check_regions: null,
			origins: origins.map((o) => ({ enabled: true, weight: 1, ...o })),
			created_on: iso(),
			modified_on: iso(),
			...extra,
		};
		pools.set(pool.id, pool);
		if (pool.monitor) {
			monitors.set(pool.monitor, { id: pool.monitor, type: 'https', method: 'GET', path: '/healthz', expected_codes: '2xx', interval: 60, timeout: 5, retries: 2, port: 0, follow_redirects: false, allow_insecure: false, consecutive_up: 0, consecutive_down: 0, header: {}, description: 'checkout health', created_on: iso(), modified_on: iso() });
		}
		return pool;
	};
	const east = addPool('us-east', [
		{ name: 'use1-a', address: '10.0.1.10', header: { Host: ['shop.example.com'] } },
		{ name: 'use1-b', address: '10.0.1.11', weight: 0.5, port: 8443 },
	]);
	const west = addPool('eu-west', [
		{ name: 'euw1-a', address: '10.1.1.10' },
		{ name: 'euw1-b', address: '10.1.1.11' },
	], { minimum_origins: 2 });
	const sorry = addPool('sorry', [{ name: 'static', address: '10.9.9.9' }]);
	const lb: LoadBalancer = {
		id: id(),
		name: 'shop.example.com',
		enabled: true,
		proxied: true,
		ttl: 30,
		steering_policy: 'off',
		default_pools: [east.id, west.id],
		fallback_pool: sorry.id,
		created_on: iso(),
		modified_on: iso(),
	};
	loadBalancers.set(lb.id, lb);

	const user = (req: http.IncomingMessage): string => {
		const authorization = req.headers.authorization;
		if (authorization !== undefined) {
			if (!/^Bearer \S+$/.test(authorization)) throw new ApiFailure(400, 6003, 'Invalid request headers');
			if (authorization !== `Bearer ${token}`) throw new ApiFailure(403, 10000, 'Authentication error');
			return 'token';
		}
		const mail = req.headers['x-auth-email'];
		const key = req.headers['x-auth-key'];
		if (mail === undefined && key === undefined) throw new ApiFailure(400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers');
		if (mail !== email || key !== apiKey) throw new ApiFailure(403, 9103, 'Unknown X-Auth-Key or X-Auth-Email');
		return 'key';
	};

	// Returns the headers every answer carries, or throws the 429.
	const rateLimit = (who: string, res: http.ServerResponse): void => {
		const now = Date.now();
		const windowMs = limit.windowSeconds * 1000;
		const blocked = blockedUntil.get(who) ?? 0;
		const times = (sent.get(who) ?? []).filter((t) => t > now - windowMs);
		sent.set(who, times);
		res.setHeader('Ratelimit-Policy', `"default";q=${limit.limit};w=${limit.windowSeconds}`);
		if (now < blocked || times.length >= limit.limit) {
			if (now >= blocked) blockedUntil.set(who, now + windowMs);
			const retryAfter = Math.ceil(((blockedUntil.get(who) as number) - now) / 1000);
			res.setHeader('Retry-After', String(retryAfter));
			res.setHeader('Ratelimit', `"default";r=0;t=${retryAfter}`);
			throw new ApiFailure(429, 971, 'Please wait and consider throttling your request speed');
		}
		times.push(now);
		res.setHeader('Ratelimit', `"default";r=${limit.limit - times.length};t=${Math.ceil((times[0] + windowMs - now) / 1000)}`);
	};

	const poolOr404 = (poolId: string): Pool => {
		const pool = pools.get(poolId);
		if (!pool) throw new ApiFailure(404, 1002, 'Pool not found');
		return pool;
	};

	const applyPool = (pool: Pool, body: Record<string, unknown>): Pool => {
		for (const key of Object.keys(body)) if (!POOL_FIELDS.has(key)) throw new ApiFailure(400, 1002, `unknown field ${key}`);
		const next: Pool = { ...pool };
		for (const [key, value] of Object.entries(body)) {
			if (key === 'origins') {
				// The previous disabled_at survives for an origin that stays disabled.
				next.origins = validateOrigins(value).map((o) => {
					const before = pool.origins.find((p) => p.name === o.name);
					return o.enabled === false ? { ...o, disabled_at: before?.enabled === false ? (before.disabled_at ?? iso()) : iso() } : o;
				});
			} else if (key === 'enabled') {
				if (typeof value !== 'boolean') throw new ApiFailure(400, 1002, 'enabled must be a boolean');
				next.enabled = value;
				if (value) delete next.disabled_at;
				else next.disabled_at = pool.disabled_at ?? iso();
			} else if (key === 'minimum_origins') {
				if (!Number.isInteger(value) || (value as number) < 1) throw new ApiFailure(400, 1002, 'minimum_origins must be a positive integer');
				next.minimum_origins = value as number;
			} else {
				next[key] = value;
			}
		}
		next.modified_on = iso();
		pools.set(pool.id, next);
		return next;
	};

	const route = (method: string, path: string, body: unknown): { result: unknown; resultInfo?: Record<string, number> } => {
		const accountPools = new RegExp(`^/client/v4/accounts/${accountId}/load_balancers/pools(?:/([0-9a-f]{32}))?(/references|/health)?$`);
		const preview = new RegExp(`^/client/v4/accounts/${accountId}/load_balancers/(?:pools/([0-9a-f]{32})/preview|preview/([0-9a-f]{32}))$`).exec(path);
		if (preview) {
			const [, poolId, previewId] = preview;
			if (poolId) {
				if (method !== 'POST') throw new ApiFailure(405, 10405, 'Method not allowed');
				const pool = poolOr404(poolId);
				const monitor = (body ?? {}) as Record<string, unknown>;
				for (const key of Object.keys(monitor)) if (!MONITOR_FIELDS.has(key)) throw new ApiFailure(400, 1002, `unknown field ${key}`);
				if (typeof monitor.type !== 'string') throw new ApiFailure(400, 1002, 'type is required');
				counters.previews += 1;
				const healthyCount = pool.origins.filter((o) => !unhealthy.has(o.address)).length;
				const previewKey = id();
				previews.set(previewKey, { [pool.id]: { healthy: healthyCount >= pool.minimum_origins, origins: pool.origins.map(originHealthOf) } });
				return { result: { preview_id: previewKey, pools: { [pool.id]: pool.name } } };
			}
			if (method !== 'GET') throw new ApiFailure(405, 10405, 'Method not allowed');
			const found = previews.get(previewId);
			if (!found) throw new ApiFailure(404, 1002, 'Preview not found');
			return { result: found };
		}
		const monitorPath = new RegExp(`^/client/v4/accounts/${accountId}/load_balancers/monitors/([0-9a-f]{32})$`).exec(path);
		if (monitorPath) {
			if (method !== 'GET') throw new ApiFailure(405, 10405, 'Method not allowed');
			const monitor = monitors.get(monitorPath[1]);
			if (!monitor) throw new ApiFailure(404, 1002, 'Monitor not found');
			return { result: monitor };
		}
		const zoneLbs = new RegExp(`^/client/v4/zones/${zoneId}/load_balancers(?:/([0-9a-f]{32}))?$`);
		let m = accountPools.exec(path);
		if (m) {
			const [, poolId, references] = m;
			if (!poolId) {
				if (method !== 'GET') throw new ApiFailure(405, 10405, 'Method not allowed');
				const list = [...pools.values()].sort((a, b) => a.name.localeCompare(b.name));
				return { result: list, resultInfo: { page: 1, per_page: list.length, count: list.length, total_count: list.length, total_pages: 1 } };
			}
			const pool = poolOr404(poolId);
			if (references === '/health') {
				if (method !== 'GET') throw new ApiFailure(405, 10405, 'Method not allowed');
				return { result: poolHealth(pool) };
			}
			if (references) {
				const refs = [...loadBalancers.values()]
					.filter((l) => l.default_pools.includes(poolId) || l.fallback_pool === poolId)
					.map((l) => ({ reference_type: 'referrer', resource_id: l.id, resource_name: l.name, resource_type: 'load_balancer' }));
				return { result: refs };
			}
			if (method === 'GET') return { result: pool };
			if (method === 'PATCH') return { result: applyPool(pool, (body ?? {}) as Record<string, unknown>) };
			if (method === 'PUT') {
				const full = (body ?? {}) as Record<string, unknown>;
				if (typeof full.name !== 'string' || !Array.isArray(full.origins)) throw new ApiFailure(400, 1002, 'name and origins are required');
				const reset: Pool = { id: pool.id, name: pool.name, enabled: true, minimum_origins: 1, origins: [], created_on: pool.created_on, modified_on: pool.modified_on };
				return { result: applyPool(reset, full) };
			}
			throw new ApiFailure(405, 10405, 'Method not allowed');
		}
		m = zoneLbs.exec(path);
		if (m) {
			if (method !== 'GET') throw new ApiFailure(405, 10405, 'Method not allowed');
			if (!m[1]) return { result: [...loadBalancers.values()], resultInfo: { page: 1, per_page: 20, count: loadBalancers.size, total_count: loadBalancers.size, total_pages: 1 } };
			const found = loadBalancers.get(m[1]);
			if (!found) throw new ApiFailure(404, 1002, 'Load balancer not found');
			return { result: found };
		}
		if (/^\/client\/v4\/(accounts|zones)\//.test(path)) throw new ApiFailure(404, 7003, 'Could not route to ' + path + ', perhaps your object identifier is invalid?');
		throw new ApiFailure(404, 7000, 'No route for that URI');
	};

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const path = new URL(req.url ?? '/', 'http://cf').pathname;
			const method = req.method ?? 'GET';
			const record: RecordedRequest = { method, path, status: 200 };
			requests.push(record);
			const send = (status: number, payload: unknown) => {
				record.status = status;
				res.writeHead(status, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(payload));
			};
			try {
				const who = user(req);
				rateLimit(who, res);
				if (failures && failures.count > 0) {
					failures.count -= 1;
					throw new ApiFailure(failures.status, failures.code, failures.message);
				}
				let body: unknown;
				if (chunks.length) {
					if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new ApiFailure(415, 6105, 'Invalid Content-Type header, valid values are application/json,multipart/form-data');
					try {
						body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
					} catch {
						throw new ApiFailure(400, 6007, 'Malformed JSON in request body');
					}
					record.body = body;
				}
				const { result, resultInfo } = route(method, path, body);
				send(200, { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) });
			} catch (error) {
				if (!(error instanceof ApiFailure)) {
					send(500, { success: false, errors: [{ code: 10001, message: String(error) }], messages: [], result: null });
					return;
				}
				send(error.status, { success: false, errors: [{ code: error.code, message: error.message }], messages: [], result: null });
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/client/v4`,
		accountId,
		zoneId,
		token,
		email,
		apiKey,
		pools,
		loadBalancers,
		poolId: (name) => [...pools.values()].find((p) => p.name === name)?.id ?? '',
		requests,
		get previews() {
			return counters.previews;
		},
		setOriginHealthy: (address, healthy) => {
			if (healthy) unhealthy.delete(address);
			else unhealthy.add(address);
		},
		failNext: (count, status, code, message) => {
			failures = { count, status, code, message };
		},
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
