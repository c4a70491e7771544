import {
	type Change,
	ChangeResourceRecordSetsCommand,
	GetChangeCommand,
	GetHealthCheckStatusCommand,
	ListHostedZonesByNameCommand,
	ListResourceRecordSetsCommand,
	type ResourceRecordSet,
	Route53Client,
} from '@aws-sdk/client-route-53';

import { rememberSecret } from '../shared/redact';
import { LoadBalancerError, errorCode, networkFailure } from './errors';
import { ReadResult, TrafficProvider, servingNames } from './provider';
import { Desired } from './safety';
import type { BackendStatus, ChangeResult, DrainOptions, Health, PropagationReport, RestoreOptions, ServerRef, ServerState } from './types';
import { type Clock, realClock } from './wait';

/**
 * AWS Route 53 weighted (and failover) record sets, through AWS's own SDK v3
 * client, so signing (SigV4), retries, endpoints and the default credential
 * chain are AWS's code, not ours.
 *
 * A backend is a hosted zone + record name + type (`example.com/shop.example.com/A`,
 * the zone by name or ID); a server is one record set, named by its set identifier.
 * drain sets its weight to 0, restore puts the remembered weight back, setWeight
 * sets any weight from 0 to 255 (Route 53's range).
 *
 * Every write is one ChangeResourceRecordSets batch that DELETEs the record
 * exactly as it was read and CREATEs it with the new weight. Route 53 applies a
 * batch all or nothing and refuses a DELETE whose values do not match the live
 * record (InvalidChangeBatch), so an edit made by someone else since our read
 * makes the whole change fail instead of being overwritten (AWS API reference,
 * ChangeResourceRecordSets: "DELETE ... the values must match exactly"; the
 * standard ErrorResponse with Code InvalidChangeBatch, see aws-sdk-kotlin#1435).
 *
 * The weight a drain took away is remembered in the same batch, in a TXT record
 * `_kube-ops-weights.<record name>` (one value per drained set identifier), so a
 * restore from another run, worker or machine finds it; the restore removes it.
 */

export const MAX_WEIGHT = 255;
export const MEMO_PREFIX = '_kube-ops-weights.';
const DEFAULT_REGION = 'us-east-1';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_POLL_MS = 2_000;
const MAX_POLL_MS = 15_000;
/** Route 53 considers an endpoint healthy when more than 18% of its health checkers do (developer guide, "How Route 53 determines whether a health check is healthy"). */
const HEALTHY_SHARE = 0.18;

export interface Route53Credentials {
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
}

export interface Route53Options {
	/** Access keys; undefined = the AWS default chain (env, shared config, web identity, instance or task role). */
	credentials?: Route53Credentials;
	/** Signing region; Route 53 is global and signs in us-east-1 (aws-cn, aws-us-gov: their own). */
	region?: string;
	/** Only for tests and Route 53-compatible APIs. */
	endpoint?: string;
	timeoutMs?: number;
	clock?: Clock;
}

interface Memo {
	record?: ResourceRecordSet;
	/** `${type}:${setIdentifier}` -> weight before the drain */
	weights: Map<string, number>;
}

interface Snapshot {
	zoneId: string;
	name: string;
	type: string;
	records: ResourceRecordSet[];
	memo: Memo;
}

interface Target {
	zone: string;
	name: string;
	type: string;
}

export class Route53Provider extends TrafficProvider<Snapshot> {
	readonly name = 'route53' as const;
	readonly endpoint: string;
	protected readonly refuseUnhealthy = true;
	private readonly client: Route53Client;
	private readonly clock: Clock;
	private readonly zones = new Map<string, { id: string; name: string }>();
	/** The change of the last write, for drain --wait (one provider serves one item at a time). */
	private lastChange?: { id: string; ttl: number };

	constructor(options: Route53Options = {}) {
		super();
		if (options.credentials) {
			rememberSecret(options.credentials.secretAccessKey);
			if (options.credentials.sessionToken) rememberSecret(options.credentials.sessionToken);
		}
		const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.client = new Route53Client({
			region: options.region || DEFAULT_REGION,
			endpoint: options.endpoint || undefined,
			credentials: options.credentials,
			maxAttempts: 3,
			requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs },
		});
		this.clock = options.clock ?? realClock;
		this.endpoint = options.endpoint ? `route53 ${options.endpoint}` : 'route53.amazonaws.com';
	}

	/** For credential tests: the keys sign, and may read this zone (or list zones). */
	async check(zone?: string): Promise<{ zone?: string; records?: number; zones?: number }> {
		if (zone) {
			const found = await this.zone(zone.trim());
			const out = await this.call(`hosted zone ${zone}`, () => this.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: found.id, MaxItems: 100 })));
			return { zone: found.name, records: out.ResourceRecordSets?.length ?? 0 };
		}
		const out = await this.call('hosted zones', () => this.client.send(new ListHostedZonesByNameCommand({ MaxItems: 100 })));
		return { zones: out.HostedZones?.length ?? 0 };
	}

	async drain(ref: ServerRef, options: DrainOptions = {}): Promise<ChangeResult> {
		const { wait, ...rest } = options;
		this.lastChange = undefined;
		const result = await super.drain(ref, rest);
		// For the decision record: a weight of 0 is not "never": say when Route 53 answers with it again.
		const returns = result.after.detail.returnsWhen;
		if (result.changed && typeof returns === 'string') result.warnings.push(`${ref.server} has weight 0, but Route 53 answers with it again ${returns}`);
		if (result.changed && (result.before.weight ?? 0) > 0 && result.after.detail.rememberedWeight === undefined) {
			result.warnings.push(`the weight ${result.before.weight} of ${ref.server} could not be remembered (its set identifier is too long for a TXT string): give it to restore`);
		}
		if (wait) {
			if (!result.changed || !this.lastChange) {
				result.propagation = { completed: true, changeId: null, status: null, waitedMs: 0, insyncAfterMs: null, ttlSeconds: null, ttlWaitedMs: 0, polls: 0, note: 'nothing changed, so nothing to wait for' };
			} else {
				result.propagation = await this.waitForPropagation(this.lastChange, wait.timeoutMs, wait.pollMs);
				result.message = `${result.message}; ${result.propagation.note}`;
				if (!result.propagation.completed) result.warnings.push(result.propagation.note);
			}
		}
		return result;
	}

	/**
	 * A change is done when Route 53 says INSYNC (every authoritative server has
	 * it; GetChange, polled with backoff), and traffic moves only once resolvers
	 * that cached the old answer let it expire: the record's TTL after that.
	 */
	async waitForPropagation(change: { id: string; ttl: number }, timeoutMs: number, pollMs = DEFAULT_POLL_MS): Promise<PropagationReport> {
		const start = this.clock.now();
		let delay = Math.max(10, pollMs);
		let polls = 0;
		let status = 'PENDING';
		for (;;) {
			const out = await this.call(`change ${change.id}`, () => this.client.send(new GetChangeCommand({ Id: change.id })));
			polls++;
			status = out.ChangeInfo?.Status ?? 'PENDING';
			const elapsed = this.clock.now() - start;
			if (status === 'INSYNC') break;
			if (elapsed >= timeoutMs) {
				return {
					completed: false,
					changeId: change.id,
					status,
					waitedMs: elapsed,
					insyncAfterMs: null,
					ttlSeconds: change.ttl,
					ttlWaitedMs: 0,
					polls,
					note: `Route 53 still reports the change ${status} after ${(elapsed / 1000).toFixed(1)}s (${polls} look(s)); the weight is set, but not every Route 53 name server answers with it yet`,
				};
			}
			await this.clock.sleep(Math.min(delay, timeoutMs - elapsed));
			delay = Math.min(delay * 2, MAX_POLL_MS);
		}
		const insyncAfterMs = this.clock.now() - start;
		const ttlMs = change.ttl * 1000;
		const ttlWaitedMs = Math.max(0, Math.min(ttlMs, timeoutMs - insyncAfterMs));
		if (ttlWaitedMs > 0) await this.clock.sleep(ttlWaitedMs);
		const completed = ttlWaitedMs >= ttlMs;
		const waitedMs = this.clock.now() - start;
		return {
			completed,
			changeId: change.id,
			status,
			waitedMs,
			insyncAfterMs,
			ttlSeconds: change.ttl,
			ttlWaitedMs,
			polls,
			note: completed
				? `Route 53 reported INSYNC after ${(insyncAfterMs / 1000).toFixed(1)}s, then the record's TTL of ${change.ttl}s passed: resolvers no longer hold the old answer`
				: `Route 53 reported INSYNC after ${(insyncAfterMs / 1000).toFixed(1)}s, but the record's TTL of ${change.ttl}s had not passed by the deadline: resolvers may still send traffic for up to ${Math.ceil((ttlMs - ttlWaitedMs) / 1000)}s more`,
		};
	}

	protected objectName(ref: ServerRef): string {
		const t = parseBackend(ref.backend);
		return `${t.name} ${t.type} (zone ${t.zone}) set ${ref.server}`;
	}

	protected async read(backend: string): Promise<ReadResult<Snapshot>> {
		const target = parseBackend(backend);
		const zone = await this.zone(target.zone);
		const name = qualify(target.name, zone.name, backend);
		const records = await this.listRecordSets(zone.id, name, target.type);
		if (records.length === 0) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'not_found',
				object: `${name} ${target.type}`,
				cause: `hosted zone ${zone.name} (${zone.id}) has no ${target.type} record set named ${name}`,
				fix: 'Check the record name and type (the Route 53 console lists them); the name may be relative to the zone or fully qualified.',
			});
		}
		const plain = records.filter((r) => r.SetIdentifier === undefined);
		if (plain.length) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'unsupported',
				object: `${name} ${target.type}`,
				cause: 'this is a simple record (no set identifier): there is no weight to move',
				fix: 'Use weighted (or failover) records, one per region, each with its own set identifier.',
			});
		}
		const memo = await this.readMemo(zone.id, name);
		const health = await this.readHealth(records);
		const servers = records.map((r) => toServerState(r, health, memo, target.type));
		const status: BackendStatus = { provider: this.name, endpoint: this.endpoint, backend, servers, serving: [], notes: [] };
		settleServing(status);
		return { status, snapshot: { zoneId: zone.id, name, type: target.type, records, memo } };
	}

	protected async write(ref: ServerRef, desired: Desired, snapshot: Snapshot, current: ServerState): Promise<void> {
		const old = snapshot.records.find((r) => r.SetIdentifier === current.server);
		if (!old || old.Weight === undefined) throw this.notWeighted(ref, current);
		const weight = desired.weight ?? old.Weight;
		const key = memoKey(snapshot.type, current.server);
		const memo = new Map(snapshot.memo.weights);
		if (weight === 0 && old.Weight > 0) memo.set(key, old.Weight);
		else if (weight > 0) memo.delete(key);
		const changes: Change[] = [
			{ Action: 'DELETE', ResourceRecordSet: old },
			{ Action: 'CREATE', ResourceRecordSet: { ...old, Weight: weight } },
			...memoChanges(snapshot, memo),
		];
		const out = await this.call(this.objectName(ref), () =>
			this.client.send(
				new ChangeResourceRecordSetsCommand({
					HostedZoneId: snapshot.zoneId,
					ChangeBatch: { Comment: `kube-ops: ${current.server} weight ${old.Weight} -> ${weight}`, Changes: changes },
				}),
			),
		);
		// Resolvers cached the old answer for the old record's TTL (alias records: 60 s, the alias target's own).
		this.lastChange = { id: out.ChangeInfo?.Id ?? '', ttl: old.TTL ?? 60 };
	}

	protected drainTarget(): Desired {
		return { weight: 0 };
	}

	protected restoreTarget(ref: ServerRef, current: ServerState, _snapshot: Snapshot, options: RestoreOptions): Desired {
		if (current.weight === null) throw this.notWeighted(ref, current);
		if (options.weight !== undefined) return { admin: 'ready', weight: options.weight };
		if (current.weight > 0) return { admin: 'ready', weight: current.weight };
		const remembered = current.detail.rememberedWeight;
		if (typeof remembered === 'number' && remembered > 0) return { admin: 'ready', weight: remembered };
		throw new LoadBalancerError({
			provider: this.name,
			kind: 'invalid',
			object: this.objectName(ref),
			cause: `${ref.server} has weight 0 and no drain remembered its weight (no entry in ${MEMO_PREFIX}${parseBackend(ref.backend).name})`,
			fix: 'Give the weight to restore to (CLI --weight, node Restore Weight), e.g. the weight of the other records.',
		});
	}

	protected checkWeight(ref: ServerRef, weight: number): void {
		if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'invalid',
				object: this.objectName(ref),
				cause: `weight ${weight} is not a whole number from 0 to ${MAX_WEIGHT}`,
				fix: 'Route 53 weights are integers 0-255, relative to the sum of the weights of the record set.',
			});
		}
	}

	/**
	 * Route 53 answers with *every* record of a weighted set, equally, when all
	 * weights are 0, and with the zero-weight records again when every record
	 * with a non-zero weight is unhealthy (developer guide, "Weighted routing"
	 * and "How Amazon Route 53 chooses records when health checking is
	 * configured": "Route 53 initially considers only the nonzero weighted
	 * records, if any. If all the records that have a weight greater than 0 are
	 * unhealthy, then Route 53 considers the zero-weighted records"). So taking
	 * the last healthy non-zero record to 0 drains nothing: it is refused as the
	 * last serving server.
	 */
	protected lastServing(status: BackendStatus, current: ServerState): string[] {
		if (current.weight === null || current.weight === 0) return [];
		const others = status.servers.filter((s) => s.server !== current.server && (s.weight ?? 0) > 0 && s.health !== 'down');
		if (others.length > 0) return [];
		return [`record set ${status.backend} (with no healthy record of non-zero weight left, Route 53 answers with all the zero-weight records, this one included: the drain would move nothing)`];
	}

	private notWeighted(ref: ServerRef, current: ServerState): LoadBalancerError {
		return new LoadBalancerError({
			provider: this.name,
			kind: 'unsupported',
			object: this.objectName(ref),
			cause: `${ref.server} is a ${String(current.detail.routing)} record: it has no weight`,
			fix: current.detail.routing === 'failover'
				? 'Failover records move traffic through their health checks: fail the PRIMARY\'s health check (or invert it) to send traffic to the SECONDARY.'
				: 'Only weighted records can be drained, restored or re-weighted here.',
		});
	}

	private async zone(text: string): Promise<{ id: string; name: string }> {
		const cached = this.zones.get(text);
		if (cached) return cached;
		let found: { id: string; name: string };
		const id = /^(?:\/hostedzone\/)?(Z[A-Z0-9]{1,32})$/.exec(text);
		if (id) {
			// An ID: its name comes from the zone list, which also proves the ID can be read.
			const out = await this.call(`hosted zone ${text}`, () => this.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id[1], MaxItems: 1 })));
			const soa = out.ResourceRecordSets?.[0]?.Name;
			found = { id: id[1], name: soa ?? text };
		} else {
			const dns = fqdn(text);
			const out = await this.call(`hosted zone ${dns}`, () => this.client.send(new ListHostedZonesByNameCommand({ DNSName: dns, MaxItems: 2 })));
			// The list starts at the name, so the first zones may be others; a private and a public zone can share a name.
			const matches = (out.HostedZones ?? []).filter((z) => sameName(z.Name ?? '', dns));
			if (matches.length !== 1) {
				throw new LoadBalancerError({
					provider: this.name,
					kind: matches.length ? 'invalid' : 'not_found',
					object: `hosted zone ${dns}`,
					cause: matches.length ? `${matches.length} hosted zones are named ${dns} (a public and a private one?)` : `no hosted zone named ${dns} is visible to these credentials`,
					fix: 'Give the hosted zone ID (Z...) instead of its name; the Route 53 console shows it.',
				});
			}
			found = { id: String(matches[0].Id).replace(/^\/hostedzone\//, ''), name: fqdn(matches[0].Name ?? dns) };
		}
		this.zones.set(text, found);
		return found;
	}

	/** ListResourceRecordSets starts at (name, type) and is sorted; read pages while they still hold our name and type. */
	private async listRecordSets(zoneId: string, name: string, type: string): Promise<ResourceRecordSet[]> {
		const found: ResourceRecordSet[] = [];
		let start: { name: string; type?: string; id?: string } = { name, type };
		for (let page = 0; page < 50; page++) {
			const out = await this.call(`${name} ${type}`, () =>
				this.client.send(
					new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: start.name, StartRecordType: start.type as never, StartRecordIdentifier: start.id, MaxItems: 100 }),
				),
			);
			const sets = out.ResourceRecordSets ?? [];
			const ours = sets.filter((r) => sameName(r.Name ?? '', name) && r.Type === type);
			found.push(...ours);
			const passed = sets.some((r) => !sameName(r.Name ?? '', name) || r.Type !== type);
			if (!out.IsTruncated || passed || !out.NextRecordName) return found;
			start = { name: out.NextRecordName, type: out.NextRecordType, id: out.NextRecordIdentifier };
		}
		throw new LoadBalancerError({ provider: this.name, kind: 'api', object: `${name} ${type}`, cause: 'more than 50 pages of record sets', fix: 'Check the record name.' });
	}

	private async readMemo(zoneId: string, name: string): Promise<Memo> {
		const memoName = `${MEMO_PREFIX}${name}`;
		const [record] = await this.listRecordSets(zoneId, memoName, 'TXT');
		const weights = new Map<string, number>();
		for (const { Value } of record?.ResourceRecords ?? []) {
			const m = /^"([A-Z0-9]+):(.*)=(\d{1,3})"$/.exec(Value ?? '');
			if (!m) continue; // not ours: left as it is, and kept on rewrite
			let id: string;
			try {
				id = decodeURIComponent(m[2]);
			} catch {
				continue;
			}
			const weight = Number(m[3]);
			// Edited by hand beyond Route 53's range: not a weight we can restore, so not remembered at all.
			if (weight > MAX_WEIGHT) continue;
			weights.set(`${m[1]}:${id}`, weight);
		}
		return { record, weights };
	}

	private async readHealth(records: ResourceRecordSet[]): Promise<Map<string, { health: Health; healthy: number; total: number; reports: string[] }>> {
		const ids = [...new Set(records.map((r) => r.HealthCheckId).filter((id): id is string => !!id))];
		const out = new Map<string, { health: Health; healthy: number; total: number; reports: string[] }>();
		for (const id of ids) {
			const answer = await this.call(`health check ${id}`, () => this.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id })));
			const observations = answer.HealthCheckObservations ?? [];
			const healthy = observations.filter((o) => /^Success/i.test(o.StatusReport?.Status ?? '')).length;
			const total = observations.length;
			// Route 53's own rule: healthy when more than 18% of the checkers say so.
			const health: Health = total === 0 ? 'unknown' : healthy / total > HEALTHY_SHARE ? 'up' : 'down';
			const reports = [...new Set(observations.map((o) => o.StatusReport?.Status ?? '').filter(Boolean))].slice(0, 3);
			out.set(id, { health, healthy, total, reports });
		}
		return out;
	}

	/** An SDK call with its errors in our words: provider, object, cause, fix. */
	private async call<T>(what: string, send: () => Promise<T>): Promise<T> {
		try {
			return await send();
		} catch (error) {
			throw this.translate(what, error);
		}
	}

	private translate(what: string, error: unknown): LoadBalancerError {
		const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
		const status = e.$metadata?.httpStatusCode;
		const name = e.name ?? '';
		const message = (e.message ?? String(error)).slice(0, 600);
		if (status === undefined) {
			const timedOut = name === 'TimeoutError' || /timeout/i.test(name) || errorCode(error) === 'ETIMEDOUT';
			return new LoadBalancerError({
				provider: this.name,
				kind: timedOut ? 'timeout' : name === 'CredentialsProviderError' ? 'permission' : 'unreachable',
				object: what,
				cause: name === 'CredentialsProviderError' ? `no AWS credentials: ${message}` : timedOut ? `no answer from ${this.endpoint}` : `cannot reach ${this.endpoint}: ${networkFailure(error)}`,
				fix:
					name === 'CredentialsProviderError'
						? 'Give an access key in the credential, or run where the AWS default chain finds one (instance role, web identity, AWS_* variables).'
						: 'Check that this host reaches route53.amazonaws.com over HTTPS (or the endpoint URL set for testing).',
			});
		}
		if (name === 'InvalidChangeBatch') {
			const race = /not found|do not match|already exists/i.test(message);
			return new LoadBalancerError({
				provider: this.name,
				kind: race ? 'conflict' : 'invalid',
				object: what,
				cause: race
					? `Route 53 refused the change because the record is no longer as it was read (edited by someone else meanwhile); nothing was changed: ${message}`
					: `Route 53 refused the change batch: ${message}`,
				fix: race ? 'Look at the record set again (status) and repeat the operation if it still makes sense.' : 'Route 53\'s message says what it did not accept.',
				httpStatus: status,
			});
		}
		const permission = status === 401 || status === 403 || /AccessDenied|SignatureDoesNotMatch|InvalidClientTokenId|IncompleteSignature|ExpiredToken/.test(name);
		const notFound = status === 404 || /^NoSuch/.test(name);
		const throttled = status === 429 || /Throttling|PriorRequestNotComplete/.test(name);
		return new LoadBalancerError({
			provider: this.name,
			kind: permission ? 'permission' : notFound ? 'not_found' : throttled ? 'rate_limited' : status >= 400 && status < 500 ? 'invalid' : 'api',
			object: what,
			cause: `HTTP ${status} ${name}: ${message}`,
			fix: permission
				? 'The IAM policy needs route53:ListHostedZonesByName, ListResourceRecordSets and ChangeResourceRecordSets on the zone, GetChange and GetHealthCheckStatus (docs/providers.md: Least-privilege IAM policy); check the keys and the clock.'
				: notFound
					? 'Check the hosted zone and the health check IDs.'
					: throttled
						? 'Route 53 allows five requests per second per account; retry later, or space the runs out.'
						: 'Route 53 refused the request; its message says why.',
			httpStatus: status,
		});
	}
}

export function parseBackend(backend: string): Target {
	const text = backend.trim().replace(/^\/hostedzone\//, '');
	const parts = text.split('/').map((p) => p.trim());
	if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) {
		throw new LoadBalancerError({
			provider: 'route53',
			kind: 'invalid',
			object: backend,
			cause: 'the backend must be <hosted zone>/<record name>[/<type>]',
			fix: 'For example example.com/shop.example.com/A, or Z0123456789ABCDEFGHIJ/shop/AAAA (the type defaults to A).',
		});
	}
	const type = (parts[2] ?? 'A').toUpperCase();
	if (!/^(A|AAAA|CNAME|MX|TXT|PTR|SRV|SPF|NAPTR|CAA|DS|HTTPS|SVCB|TLSA|SSHFP)$/.test(type)) {
		throw new LoadBalancerError({ provider: 'route53', kind: 'invalid', object: backend, cause: `"${parts[2]}" is not a record type Route 53 weights`, fix: 'Use A, AAAA, CNAME or another record type.' });
	}
	if (parts[1].length > 255 || parts[0].length > 255) {
		throw new LoadBalancerError({ provider: 'route53', kind: 'invalid', object: backend.slice(0, 80), cause: 'a DNS name is at most 255 characters', fix: 'Check the zone and record names.' });
	}
	return { zone: parts[0], name: parts[1], type };
}

function fqdn(name: string): string {
	const lower = name.toLowerCase();
	return lower.endsWith('.') ? lower : `${lower}.`;
}

// Route 53 returns names in lower case with `*` escaped as \052.
function sameName(a: string, b: string): boolean {
	return fqdn(a.replace(/\\052/g, '*')) === fqdn(b.replace(/\\052/g, '*'));
}

/** A relative name is taken within the zone; a fully qualified one must be inside it. */
function qualify(name: string, zoneName: string, backend: string): string {
	const full = fqdn(name);
	if (full === zoneName || full.endsWith(`.${zoneName}`)) return full;
	if (name.endsWith('.')) {
		throw new LoadBalancerError({ provider: 'route53', kind: 'invalid', object: backend, cause: `${name} is not inside hosted zone ${zoneName}`, fix: 'Name the zone that holds the record.' });
	}
	return `${full}${zoneName}`;
}

function memoKey(type: string, setIdentifier: string): string {
	return `${type}:${setIdentifier}`;
}

function memoChanges(snapshot: Snapshot, weights: Map<string, number>): Change[] {
	const old = snapshot.memo.record;
	// Values that are not ours stay as they were.
	const foreign = (old?.ResourceRecords ?? []).filter((r) => !/^"[A-Z0-9]+:.*=\d{1,3}"$/.test(r.Value ?? ''));
	const values = [...weights]
		.map(([key, weight]) => {
			const at = key.indexOf(':');
			return { Value: `"${key.slice(0, at)}:${encodeURIComponent(key.slice(at + 1))}=${weight}"` };
		})
		// A TXT character string holds 255 characters: a longer entry would fail the whole batch, so it is not kept.
		.filter((v) => v.Value.length <= 257);
	const next = [...foreign, ...values];
	const same = old && JSON.stringify((old.ResourceRecords ?? []).map((r) => r.Value).sort()) === JSON.stringify(next.map((r) => r.Value).sort());
	if (same || (!old && next.length === 0)) return [];
	const changes: Change[] = [];
	if (old) changes.push({ Action: 'DELETE', ResourceRecordSet: old });
	if (next.length) changes.push({ Action: 'CREATE', ResourceRecordSet: { Name: `${MEMO_PREFIX}${snapshot.name}`, Type: 'TXT', TTL: 300, ResourceRecords: next } });
	return changes;
}

function toServerState(record: ResourceRecordSet, health: Map<string, { health: Health; healthy: number; total: number; reports: string[] }>, memo: Memo, type: string): ServerState {
	const server = record.SetIdentifier ?? '';
	const check = record.HealthCheckId ? health.get(record.HealthCheckId) : undefined;
	const routing = record.Weight !== undefined ? 'weighted' : record.Failover ? 'failover' : record.Region ? 'latency' : record.GeoLocation ? 'geolocation' : record.MultiValueAnswer ? 'multivalue' : 'other';
	const weight = record.Weight ?? null;
	const remembered = memo.weights.get(memoKey(type, server));
	return {
		server,
		admin: weight === 0 ? 'drain' : 'ready',
		// No health check: Route 53 always considers the record healthy; we say "unknown".
		health: check?.health ?? 'unknown',
		weight,
		sessions: null,
		serving: false, // settled over the whole set (settleServing)
		detail: {
			routing,
			...(record.Failover ? { failover: record.Failover } : {}),
			ttl: record.TTL ?? null,
			values: (record.ResourceRecords ?? []).map((r) => r.Value),
			...(record.AliasTarget ? { alias: { dnsName: record.AliasTarget.DNSName, evaluateTargetHealth: record.AliasTarget.EvaluateTargetHealth } } : {}),
			healthCheckId: record.HealthCheckId ?? null,
			...(check ? { healthCheckers: { healthy: check.healthy, total: check.total, reports: check.reports } } : {}),
			...(remembered !== undefined ? { rememberedWeight: remembered } : {}),
		},
	};
}

/**
 * Which records Route 53 answers with, by its rules for weighted and failover
 * sets with health checks, and notes where a drained record comes back.
 */
function settleServing(status: BackendStatus): void {
	const notes = status.notes ?? (status.notes = []);
	const weighted = status.servers.filter((s) => s.weight !== null);
	const failover = status.servers.filter((s) => s.detail.routing === 'failover');
	if (weighted.length) {
		const nonZero = weighted.filter((s) => (s.weight ?? 0) > 0);
		const healthyNonZero = nonZero.filter((s) => s.health !== 'down');
		const zero = weighted.filter((s) => s.weight === 0);
		let answering: typeof weighted;
		if (nonZero.length === 0) {
			answering = weighted.filter((s) => s.health !== 'down');
			notes.push('every record has weight 0: Route 53 answers with all of them, equally (Route 53 developer guide, "Weighted routing")');
		} else if (healthyNonZero.length === 0) {
			answering = zero.filter((s) => s.health !== 'down');
			notes.push(
				`every record with a non-zero weight (${nonZero.map((s) => s.server).join(', ')}) fails its health check: Route 53 answers with the zero-weight records again${answering.length ? ` (${answering.map((s) => s.server).join(', ')}: drained, but taking traffic)` : ', and none of them is healthy either'} (developer guide, "How Amazon Route 53 chooses records when health checking is configured")`,
			);
		} else {
			answering = healthyNonZero;
			const unchecked = nonZero.filter((s) => !s.detail.healthCheckId);
			if (zero.length) {
				notes.push(
					unchecked.length
						? `drained record(s) ${zero.map((s) => s.server).join(', ')} stay out while ${unchecked.map((s) => s.server).join(', ')} (no health check, so always healthy to Route 53) keep a non-zero weight`
						: `drained record(s) ${zero.map((s) => s.server).join(', ')} come back into DNS answers if ${nonZero.map((s) => s.server).join(', ')} all fail their health checks`,
				);
			}
		}
		for (const s of weighted) s.serving = answering.includes(s);
		for (const s of zero) s.detail.returnsWhen = nonZero.length === 0 ? 'now: every weight is 0' : healthyNonZero.length === 0 ? 'now: no record with a non-zero weight is healthy' : 'when every record with a non-zero weight fails its health check';
	}
	if (failover.length) {
		const primaryUp = failover.some((s) => s.detail.failover === 'PRIMARY' && s.health !== 'down');
		for (const s of failover) s.serving = s.health !== 'down' && (s.detail.failover === 'PRIMARY' ? true : !primaryUp);
	}
	for (const s of status.servers) if (s.detail.routing !== 'weighted' && s.detail.routing !== 'failover') s.serving = s.health !== 'down';
	status.serving = servingNames(status.servers);
}
