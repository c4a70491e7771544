import { LoadBalancerError } from './errors';
import { DEFAULT_RUNTIME_TIMEOUT_MS, RuntimeApi, checkName, parseServersState, parseStat } from './haproxyRuntime';
import { ReadResult, TrafficProvider, servingNames } from './provider';
import { Desired, sameWeight } from './safety';
import type { AdminState, BackendStatus, Health, RestoreOptions, ServerRef, ServerState } from './types';

export interface HaproxyOptions {
	/** Runtime API address: `ipv4@127.0.0.1:9999`, `127.0.0.1:9999`, `/run/haproxy/admin.sock`. */
	address: string;
	timeoutMs?: number;
}

// srv_admin_state bits (HAProxy src/server.h): forced, inherited, configured
// and resolver maintenance; forced and inherited drain.
const ADMIN_MAINT = 0x01 | 0x02 | 0x04 | 0x20;
const ADMIN_DRAIN = 0x08 | 0x10;
// srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping (soft-stop).
const OP_RUNNING = 2;
const MAX_WEIGHT = 256;

/**
 * HAProxy through its Runtime API: `set server <b>/<s> state drain|ready|maint`
 * and `set weight`, read back with `show servers state` (admin state bits,
 * weights) and `show stat` (sessions, status, backup flag). Needs a stats
 * socket at level admin.
 */
export class HaproxyProvider extends TrafficProvider<undefined> {
	readonly name = 'haproxy' as const;
	readonly endpoint: string;
	protected readonly supportsMaint = true;
	private readonly api: RuntimeApi;

	constructor(options: HaproxyOptions) {
		super();
		this.api = new RuntimeApi(options.address, options.timeoutMs ?? DEFAULT_RUNTIME_TIMEOUT_MS);
		this.endpoint = this.api.endpoint;
	}

	/** For credential tests: reachable, HAProxy, and at level admin (below it every change is refused). */
	async check(): Promise<{ version: string; level: string }> {
		const info = await this.api.command('show info');
		const version = /^Version:\s*(.+)$/m.exec(info)?.[1]?.trim();
		if (!version) {
			throw new LoadBalancerError({ provider: this.name, kind: 'api', object: this.endpoint, cause: 'the answer to "show info" is not HAProxy\'s', fix: 'Check that the address is HAProxy\'s stats socket.' });
		}
		const level = (await this.api.command('show cli level')).trim();
		if (level !== 'admin') {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'permission',
				object: this.endpoint,
				cause: `the socket is at level ${level || 'unknown'}, and drains need level admin`,
				fix: 'Declare the socket with "level admin" in haproxy.cfg (stats socket ... level admin).',
			});
		}
		return { version, level };
	}

	protected objectName(ref: ServerRef): string {
		return `${this.endpoint} ${ref.backend}/${ref.server}`;
	}

	protected async read(backend: string): Promise<ReadResult<undefined>> {
		checkName('backend', backend, this.endpoint);
		const stateAnswer = await this.api.command(`show servers state ${backend}`);
		if (/^Can't find backend/m.test(stateAnswer)) throw await this.unknownBackend(backend);
		const rows = parseServersState(stateAnswer).filter((r) => r.be_name === backend);
		const stats = new Map(
			parseStat(await this.api.command('show stat'))
				.filter((r) => r.pxname === backend && r.svname !== 'BACKEND' && r.svname !== 'FRONTEND')
				.map((r) => [r.svname, r]),
		);
		const servers = rows.map((row) => toServerState(row, stats.get(row.srv_name)));
		const status: BackendStatus = { provider: this.name, endpoint: this.endpoint, backend, servers, serving: servingNames(servers) };
		return { status, snapshot: undefined };
	}

	protected async readSessions(ref: ServerRef): Promise<number> {
		const row = parseStat(await this.api.command('show stat')).find((r) => r.pxname === ref.backend && r.svname === ref.server);
		// Gone mid-wait (a reload removed it): say so rather than report 0 sessions.
		if (!row) throw this.findServerError(ref);
		return toNumber(row.scur) + toNumber(row.qcur);
	}

	protected async write(ref: ServerRef, desired: Desired, _snapshot: undefined, current: ServerState): Promise<void> {
		checkName('server', ref.server, this.endpoint);
		const target = `${ref.backend}/${ref.server}`;
		// Weight before state: a restore then never shows a ready server with weight 0.
		if (desired.weight !== undefined && !sameWeight(current.weight, desired.weight)) {
			this.expectEmpty(ref, await this.api.command(`set weight ${target} ${desired.weight}`));
		}
		if (desired.admin !== undefined && desired.admin !== current.admin) {
			this.expectEmpty(ref, await this.api.command(`set server ${target} state ${desired.admin}`));
		}
	}

	protected drainTarget(): Desired {
		return { admin: 'drain' };
	}

	protected restoreTarget(_ref: ServerRef, current: ServerState, _snapshot: undefined, options: RestoreOptions): Desired {
		if (options.weight !== undefined) return { admin: 'ready', weight: options.weight };
		// A server taken out with weight 0 comes back at its configured weight.
		const initial = Number(current.detail.initialWeight);
		return current.weight === 0 && initial > 0 ? { admin: 'ready', weight: initial } : { admin: 'ready' };
	}

	protected checkWeight(ref: ServerRef, weight: number): void {
		if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'invalid',
				object: this.objectName(ref),
				cause: `weight ${weight} is not an integer from 0 to ${MAX_WEIGHT}`,
				fix: 'HAProxy server weights are whole numbers 0-256 (relative to the other servers of the backend).',
			});
		}
	}

	private findServerError(ref: ServerRef): LoadBalancerError {
		return new LoadBalancerError({
			provider: this.name,
			kind: 'not_found',
			object: this.objectName(ref),
			cause: `${ref.server} is no longer in show stat for ${ref.backend}`,
			fix: 'HAProxy was reloaded or the server removed while the drain waited; check the backend with the status operation.',
		});
	}

	/** HAProxy answers a successful `set` with an empty line; anything else is its error text. */
	private expectEmpty(ref: ServerRef, answer: string): void {
		const text = answer.trim();
		if (!text) return;
		const notFound = /No such (server|backend)|Can't find backend/i.test(text);
		const denied = /Permission denied/i.test(text);
		throw new LoadBalancerError({
			provider: this.name,
			kind: notFound ? 'not_found' : denied ? 'permission' : 'api',
			object: this.objectName(ref),
			cause: text,
			fix: denied
				? 'The stats socket is below level admin; use "stats socket ... level admin" in haproxy.cfg for the socket this node talks to.'
				: notFound
					? 'Check the backend and server names; the status operation lists them.'
					: 'HAProxy refused the command; its answer above says why.',
		});
	}

	private async unknownBackend(backend: string): Promise<LoadBalancerError> {
		let known: string[] = [];
		try {
			known = (await this.api.command('show backend')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
		} catch {
			// the list is a courtesy; the error stands without it
		}
		return new LoadBalancerError({
			provider: this.name,
			kind: 'not_found',
			object: `${this.endpoint} ${backend}`,
			cause: `no backend "${backend}"${known.length ? `; this HAProxy has: ${known.join(', ')}` : ''}`,
			fix: 'Check the backend name in haproxy.cfg (names are case-sensitive).',
		});
	}
}

function toNumber(text: string | undefined): number {
	const n = Number(text);
	return Number.isFinite(n) ? n : 0;
}

function toServerState(row: Record<string, string>, stat: Record<string, string> | undefined): ServerState {
	const adminBits = toNumber(row.srv_admin_state);
	const admin: AdminState = adminBits & ADMIN_MAINT ? 'maint' : adminBits & ADMIN_DRAIN ? 'drain' : 'ready';
	// Checks stop in maintenance, so HAProxy's "down" there says nothing about the server.
	const health: Health = admin === 'maint' ? 'unknown' : toNumber(row.srv_op_state) === OP_RUNNING ? 'up' : 'down';
	const weight = toNumber(row.srv_uweight);
	const backup = stat?.bck === '1';
	return {
		server: row.srv_name,
		admin,
		health,
		weight,
		sessions: stat ? toNumber(stat.scur) : null,
		// Backup servers are left out: a sorry-page backup taking over is still an outage.
		serving: admin === 'ready' && health === 'up' && weight > 0 && !backup,
		detail: {
			address: `${row.srv_addr}:${row.srv_port}`,
			status: stat?.status ?? null,
			initialWeight: toNumber(row.srv_iweight),
			backup,
			queued: stat ? toNumber(stat.qcur) : null,
			totalSessions: stat ? toNumber(stat.stot) : null,
			adminStateBits: adminBits,
			operationalState: toNumber(row.srv_op_state),
			checkStatus: stat?.check_status || null,
		},
	};
}
