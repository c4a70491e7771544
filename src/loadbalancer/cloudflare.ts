import { CloudflareApi, CloudflareAuth, RateLimiter } from './cloudflareApi';
import { LoadBalancerError } from './errors';
import { ReadResult, TrafficProvider, servingNames } from './provider';
import { Desired } from './safety';
import type { BackendStatus, ChangeResult, Health, RestoreOptions, ServerRef, ServerState } from './types';

export interface CloudflareOptions {
	accountId: string;
	/** Needed for pool-level changes: load balancers belong to a zone. */
	zoneId?: string;
	auth: CloudflareAuth;
	baseUrl?: string;
	timeoutMs?: number;
	limiter?: RateLimiter;
}

export interface CloudflareOrigin {
	name?: string;
	address?: string;
	enabled?: boolean;
	weight?: number;
	disabled_at?: string;
	[key: string]: unknown;
}

export interface CloudflarePool {
	id: string;
	name: string;
	enabled?: boolean;
	minimum_origins?: number;
	origins?: CloudflareOrigin[];
	modified_on?: string;
	[key: string]: unknown;
}

export interface CloudflareLoadBalancer {
	id: string;
	name: string;
	enabled?: boolean;
	default_pools?: string[];
	fallback_pool?: string;
	[key: string]: unknown;
}

/** Cloudflare's Pool Health Details result (GET /accounts/{account}/load_balancers/pools/{pool}/health). */
interface PoolHealthResult {
	pool_id?: string;
	pop_health?: Record<string, { healthy?: boolean; origins?: Array<Record<string, { healthy?: boolean; failure_reason?: string; response_code?: number; rtt?: string }>> }>;
}

interface PoolHealth {
	health: Health;
	/** PoPs that report the pool healthy, of those that report it at all. */
	healthyPops: number;
	pops: number;
	origins: Map<string, { health: Health; reason?: string }>;
}

type Snapshot = { level: 'origin'; pool: CloudflarePool } | { level: 'pool'; loadBalancer: CloudflareLoadBalancer; pools: Map<string, CloudflarePool> };

const ID = /^[0-9a-f]{32}$/i;
// Monitor fields a Preview Pool request takes (API reference, Preview Pool body).
const PREVIEW_FIELDS = new Set(['allow_insecure', 'consecutive_down', 'consecutive_up', 'description', 'expected_body', 'expected_codes', 'follow_redirects', 'header', 'interval', 'method', 'path', 'port', 'probe_zone', 'retries', 'timeout', 'type']);
// Fields Cloudflare sets itself; echoing them back in a PATCH is not ours to do.
const ORIGIN_READ_ONLY = ['disabled_at', 'healthy', 'failure_reason'];

/**
 * Cloudflare Load Balancing. Two levels, chosen by the backend:
 * - `pool:<pool id or name>` (or just the pool): servers are the pool's
 *   origins; drain disables one origin, setWeight changes its weight (0-1);
 * - `lb:<load balancer id or hostname>` (needs the zone): servers are the
 *   load balancer's pools; drain disables a whole pool.
 * Origins are changed by read-modify-write of the whole list, because a PATCH
 * that sends `origins` replaces the pool's list with exactly what it sends.
 */
export class CloudflareProvider extends TrafficProvider<Snapshot> {
	readonly name = 'cloudflare' as const;
	readonly endpoint: string;
	protected readonly refuseUnhealthy = true;
	private readonly api: CloudflareApi;

	constructor(private readonly options: CloudflareOptions) {
		super();
		this.api = new CloudflareApi({ auth: options.auth, baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, limiter: options.limiter });
		this.endpoint = `account ${options.accountId}${options.zoneId ? ` zone ${options.zoneId}` : ''}`;
	}

	/** For credential tests: the token works and may read this account's pools. */
	async check(): Promise<{ pools: number }> {
		return { pools: (await this.listPools()).length };
	}

	/**
	 * Disabled pools and origins are not health-checked, so before enabling one
	 * its pool's monitor is run once as a preview (Preview Pool, then Preview
	 * Result): a pool or origin the preview finds unhealthy is not restored.
	 * Without a monitor, or without a preview result, the restore goes ahead and
	 * its read-back carries Cloudflare's first real check.
	 */
	async restore(ref: ServerRef, options: RestoreOptions = {}): Promise<ChangeResult> {
		const preview = await this.previewBeforeRestore(ref);
		const result = await super.restore(ref, options);
		if (preview.note) result.warnings.push(preview.note);
		if (preview.health) result.before = { ...result.before, detail: { ...result.before.detail, preview: preview.health } };
		if (result.changed && result.after.health === 'down') {
			result.warnings.push(`${ref.server} is enabled again, and Cloudflare's first health check of it says down${result.after.detail.failureReason ? ` (${String(result.after.detail.failureReason)})` : ''}: it takes no traffic until it passes; drain it again if it stays down`);
		}
		return result;
	}

	private async previewBeforeRestore(ref: ServerRef): Promise<{ health?: Record<string, unknown>; note?: string }> {
		const { status, snapshot } = await this.read(ref.backend);
		const current = this.findServer(status, ref);
		if (current.admin !== 'maint' || current.health !== 'unknown') return {};
		const pool = snapshot.level === 'origin' ? snapshot.pool : snapshot.pools.get(String(current.detail.id));
		const monitor = typeof pool?.monitor === 'string' && pool.monitor ? pool.monitor : undefined;
		if (!pool || !monitor) return {};
		const account = `/accounts/${encodeURIComponent(this.options.accountId)}/load_balancers`;
		let result: Record<string, { healthy?: boolean; origins?: Array<Record<string, { healthy?: boolean; failure_reason?: string }>> }> | undefined;
		try {
			const details = await this.api.get<Record<string, unknown>>(`${account}/monitors/${encodeURIComponent(monitor)}`, `monitor ${monitor}`);
			const body = Object.fromEntries(Object.entries(details ?? {}).filter(([key]) => PREVIEW_FIELDS.has(key)));
			const started = await this.api.post<{ preview_id?: string }>(`${this.poolPath(pool.id)}/preview`, body, `pool ${pool.name} preview`);
			if (started?.preview_id) result = await this.api.get(`${account}/preview/${encodeURIComponent(started.preview_id)}`, `pool ${pool.name} preview`);
		} catch (error) {
			// A preview is a look ahead, not the change: if it cannot run, say so and let the read-back show the first check.
			if (error instanceof LoadBalancerError && error.kind !== 'rate_limited') return { note: `could not preview ${pool.name}'s health before enabling it (${error.reason}); the result's "after" shows Cloudflare's first check` };
			throw error;
		}
		const entry = result?.[pool.id];
		if (!entry || typeof entry.healthy !== 'boolean') return { note: `the health preview of ${pool.name} had no result yet; the result's "after" shows Cloudflare's first check` };
		let healthy = entry.healthy;
		let reason: string | undefined;
		if (snapshot.level === 'origin') {
			const address = String(current.detail.address ?? '');
			const seen = (entry.origins ?? []).map((o) => o?.[address]).filter((o) => o && typeof o.healthy === 'boolean');
			if (seen.length === 0) return { note: `the health preview of ${pool.name} did not cover ${address}` };
			healthy = seen.every((o) => o.healthy === true);
			reason = seen.find((o) => o.healthy === false)?.failure_reason;
		}
		if (!healthy) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'refused',
				object: this.objectName(ref),
				cause: `refusing to restore ${ref.server}: a health preview with ${pool.name}'s monitor finds it unhealthy${reason ? ` (${reason})` : ''}, so it would be sent traffic it cannot serve`,
				fix: 'Fix the origin until the monitor passes (Cloudflare dashboard: pool > preview), then repeat.',
			});
		}
		return { health: { healthy: true, monitor } };
	}

	protected objectName(ref: ServerRef): string {
		const target = parseBackend(ref.backend);
		return target.level === 'origin' ? `pool ${target.id} origin ${ref.server}` : `load balancer ${target.id} pool ${ref.server}`;
	}

	protected async read(backend: string): Promise<ReadResult<Snapshot>> {
		const target = parseBackend(backend);
		return target.level === 'origin' ? this.readPool(backend, target.id) : this.readLoadBalancer(backend, target.id);
	}

	protected async write(ref: ServerRef, desired: Desired, snapshot: Snapshot, current: ServerState): Promise<void> {
		if (snapshot.level === 'pool') {
			const id = String(current.detail.id);
			await this.api.patch(this.poolPath(id), { enabled: desired.admin !== 'maint' }, `pool ${current.server}`);
			return;
		}
		const { pool } = snapshot;
		const index = Number(current.detail.index);
		const origins = (pool.origins ?? []).map((origin, i) => {
			const copy: CloudflareOrigin = { ...origin };
			for (const field of ORIGIN_READ_ONLY) delete copy[field];
			if (i !== index) return copy;
			if (desired.admin !== undefined) copy.enabled = desired.admin !== 'maint';
			if (desired.weight !== undefined) copy.weight = desired.weight;
			return copy;
		});
		const sent = await this.api.patch<CloudflarePool>(this.poolPath(pool.id), { origins }, `pool ${pool.name} origin ${ref.server}`);
		// A PATCH replaces the list with what it carries: losing an origin here would silently shrink the pool.
		const names = (sent?.origins ?? []).map(originName);
		const missing = origins.map(originName).filter((n) => !names.includes(n));
		if (sent?.origins && missing.length) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'not_applied',
				object: `pool ${pool.name}`,
				cause: `after the change the pool lacks origin(s) ${missing.join(', ')}`,
				fix: 'Compare the pool in the dashboard with the "before" list in this result and restore the missing origins.',
			});
		}
	}

	protected drainTarget(): Desired {
		return { admin: 'maint' };
	}

	protected restoreTarget(_ref: ServerRef, _current: ServerState, _snapshot: Snapshot, options: RestoreOptions): Desired {
		return options.weight !== undefined ? { admin: 'ready', weight: options.weight } : { admin: 'ready' };
	}

	protected checkWeight(ref: ServerRef, weight: number): void {
		if (parseBackend(ref.backend).level === 'pool') {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'unsupported',
				object: this.objectName(ref),
				cause: 'pools have no weight of their own; the load balancer\'s steering policy decides between pools',
				fix: 'Change origin weights inside the pool (backend pool:<pool>), or drain/restore the pool.',
			});
		}
		if (!Number.isFinite(weight) || weight < 0 || weight > 1 || Math.abs(Math.round(weight * 100) - weight * 100) > 1e-9) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'invalid',
				object: this.objectName(ref),
				cause: `weight ${weight} is not between 0 and 1 in steps of 0.01`,
				fix: 'Cloudflare origin weights are fractions from 0.00 to 1.00 (1 is the default).',
			});
		}
	}

	protected lastServing(status: BackendStatus, current: ServerState, snapshot: Snapshot): string[] {
		if (!current.serving) return [];
		if (snapshot.level === 'pool') {
			return status.serving.every((name) => name === current.server) ? [`load balancer ${snapshot.loadBalancer.name} (default pools; the fallback pool is not counted)`] : [];
		}
		// A pool below minimum_origins healthy origins is unhealthy as a whole: the pool stops serving, not just this origin.
		const minimum = Math.max(1, snapshot.pool.minimum_origins ?? 1);
		const remaining = status.serving.filter((name) => name !== current.server).length;
		return remaining < minimum ? [`pool ${snapshot.pool.name} (minimum_origins ${minimum}, ${remaining} other serving origin(s))`] : [];
	}

	private poolPath(id: string): string {
		return `/accounts/${encodeURIComponent(this.options.accountId)}/load_balancers/pools/${encodeURIComponent(id)}`;
	}

	private async findPool(idOrName: string): Promise<CloudflarePool> {
		if (ID.test(idOrName)) return this.api.get<CloudflarePool>(this.poolPath(idOrName), `pool ${idOrName}`);
		const pools = await this.listPools();
		const matches = pools.filter((p) => p.name === idOrName);
		if (matches.length === 1) return matches[0];
		throw new LoadBalancerError({
			provider: this.name,
			kind: matches.length ? 'invalid' : 'not_found',
			object: `pool ${idOrName}`,
			cause: matches.length ? `${matches.length} pools are named "${idOrName}"` : `no pool named "${idOrName}" in account ${this.options.accountId}; it has: ${pools.map((p) => p.name).join(', ') || 'none'}`,
			fix: 'Use the pool ID (32 hex characters) from the dashboard or the status operation.',
		});
	}

	private async listPools(): Promise<CloudflarePool[]> {
		return (await this.api.get<CloudflarePool[]>(`/accounts/${encodeURIComponent(this.options.accountId)}/load_balancers/pools`, 'pools')) ?? [];
	}

	private async readPool(backend: string, idOrName: string): Promise<ReadResult<Snapshot>> {
		const pool = await this.findPool(idOrName);
		const health = await this.poolHealth(pool);
		const servers = (pool.origins ?? []).map((origin, index) => {
			const enabled = origin.enabled !== false;
			const weight = typeof origin.weight === 'number' ? origin.weight : 1;
			const seen = health.origins.get(origin.address ?? '');
			return {
				server: originName(origin),
				admin: enabled ? 'ready' : 'maint',
				health: seen?.health ?? 'unknown',
				weight,
				sessions: null,
				// Cloudflare steers only to healthy origins of a healthy pool.
				serving: enabled && weight > 0 && pool.enabled !== false && seen?.health !== 'down' && health.health !== 'down',
				detail: {
					index,
					address: origin.address ?? null,
					enabled,
					pool: pool.name,
					poolId: pool.id,
					poolEnabled: pool.enabled !== false,
					poolHealth: health.health,
					...(seen?.reason ? { failureReason: seen.reason } : {}),
					...(!seen ? { healthNote: healthNote(pool, enabled) } : {}),
					...(origin.disabled_at ? { disabledAt: origin.disabled_at } : {}),
				},
			} satisfies ServerState;
		});
		return { status: this.status_(backend, servers), snapshot: { level: 'origin', pool } };
	}

	private async readLoadBalancer(backend: string, idOrName: string): Promise<ReadResult<Snapshot>> {
		const zoneId = this.options.zoneId;
		if (!zoneId) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'invalid',
				object: `load balancer ${idOrName}`,
				cause: 'pool-level changes need the zone of the load balancer, and none was given',
				fix: 'Set the zone ID (the dashboard shows it on the zone\'s overview page).',
			});
		}
		const base = `/zones/${encodeURIComponent(zoneId)}/load_balancers`;
		let loadBalancer: CloudflareLoadBalancer;
		if (ID.test(idOrName)) loadBalancer = await this.api.get<CloudflareLoadBalancer>(`${base}/${encodeURIComponent(idOrName)}`, `load balancer ${idOrName}`);
		else {
			const all = (await this.api.get<CloudflareLoadBalancer[]>(base, 'load balancers')) ?? [];
			const match = all.find((lb) => lb.name === idOrName);
			if (!match) {
				throw new LoadBalancerError({
					provider: this.name,
					kind: 'not_found',
					object: `load balancer ${idOrName}`,
					cause: `no load balancer named "${idOrName}" in zone ${zoneId}; it has: ${all.map((lb) => lb.name).join(', ') || 'none'}`,
					fix: 'Use the load balancer\'s hostname exactly as shown in the dashboard, or its ID.',
				});
			}
			loadBalancer = match;
		}
		const pools = new Map((await this.listPools()).map((p) => [p.id, p]));
		const defaults = loadBalancer.default_pools ?? [];
		const ids = [...new Set([...defaults, ...(loadBalancer.fallback_pool ? [loadBalancer.fallback_pool] : [])])];
		const healths = new Map<string, PoolHealth>();
		for (const id of ids) {
			const pool = pools.get(id);
			if (pool) healths.set(id, await this.poolHealth(pool));
		}
		const servers = ids.map((id) => {
			const pool = pools.get(id);
			const health = healths.get(id);
			const enabled = pool?.enabled !== false && pool !== undefined;
			const enabledOrigins = (pool?.origins ?? []).filter((o) => o.enabled !== false && (o.weight ?? 1) > 0).length;
			const minimum = Math.max(1, pool?.minimum_origins ?? 1);
			const role = defaults.includes(id) ? (id === loadBalancer.fallback_pool ? 'default+fallback' : 'default') : 'fallback';
			return {
				server: pool?.name ?? id,
				admin: enabled ? 'ready' : 'maint',
				health: health?.health ?? 'unknown',
				weight: null,
				sessions: null,
				// The fallback pool takes traffic only when every default pool is unhealthy; it does not count as serving.
				// An unhealthy pool takes none either: draining the last *healthy* pool is the outage the rule refuses.
				serving: enabled && enabledOrigins >= minimum && role !== 'fallback' && health?.health !== 'down',
				detail: {
					id,
					role,
					enabledOrigins,
					minimumOrigins: minimum,
					...(health && health.pops ? { healthyPops: health.healthyPops, pops: health.pops } : {}),
					...(health ? { origins: Object.fromEntries([...health.origins].map(([address, o]) => [address, o.health])) } : {}),
					...(pool && !health?.pops ? { healthNote: healthNote(pool, enabled) } : {}),
					...(pool ? {} : { missing: true }),
				},
			} satisfies ServerState;
		});
		return { status: this.status_(backend, servers), snapshot: { level: 'pool', loadBalancer, pools } };
	}

	/**
	 * Pool and origin health as Cloudflare's monitors see it, from every PoP
	 * that reports: down as soon as one PoP reports down (no action on doubt),
	 * up when all report up, unknown where nothing is checked (no monitor, or
	 * disabled: Cloudflare excludes disabled pools and origins from checks).
	 */
	private async poolHealth(pool: CloudflarePool): Promise<PoolHealth> {
		let result: PoolHealthResult | undefined;
		try {
			result = await this.api.get<PoolHealthResult>(`${this.poolPath(pool.id)}/health`, `pool ${pool.name} health`);
		} catch (error) {
			// No health data for this pool (never checked): unknown, like a pool without a monitor.
			if (error instanceof LoadBalancerError && error.kind === 'not_found') result = undefined;
			else throw error;
		}
		const pops = Object.values(result?.pop_health ?? {}).filter((p) => p && typeof p === 'object');
		const origins = new Map<string, { health: Health; reason?: string }>();
		for (const pop of pops) {
			for (const entry of Array.isArray(pop.origins) ? pop.origins : []) {
				for (const [address, data] of Object.entries(entry ?? {})) {
					if (!data || typeof data.healthy !== 'boolean') continue;
					const before = origins.get(address);
					if (!data.healthy) origins.set(address, { health: 'down', reason: data.failure_reason });
					else if (!before) origins.set(address, { health: 'up' });
				}
			}
		}
		const reported = pops.filter((p) => typeof p.healthy === 'boolean');
		const healthyPops = reported.filter((p) => p.healthy).length;
		const health: Health = reported.length === 0 ? 'unknown' : healthyPops === reported.length ? 'up' : 'down';
		return { health, healthyPops, pops: reported.length, origins };
	}

	private status_(backend: string, servers: ServerState[]): BackendStatus {
		return { provider: this.name, endpoint: this.endpoint, backend, servers, serving: servingNames(servers) };
	}
}

function healthNote(pool: CloudflarePool, enabled: boolean): string {
	if (!enabled || pool.enabled === false) return 'disabled: Cloudflare does not health-check it, so its health shows only once it is enabled';
	if (!pool.monitor) return 'the pool has no monitor: Cloudflare treats its origins as healthy';
	return 'no health data from Cloudflare yet';
}

function originName(origin: CloudflareOrigin): string {
	return origin.name || origin.address || '(unnamed origin)';
}

function parseBackend(backend: string): { level: 'origin' | 'pool'; id: string } {
	const text = backend.trim();
	const match = /^(pool|lb|load_balancer|load-balancer):(.+)$/i.exec(text);
	if (!match) return { level: 'origin', id: text };
	return { level: match[1].toLowerCase() === 'pool' ? 'origin' : 'pool', id: match[2].trim() };
}
