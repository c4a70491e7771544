import { LoadBalancerError } from './errors';
import { Desired, type Plan, lastServingScopes, planDrain, planRestore, planWeight, satisfies } from './safety';
import type {
	BackendStatus,
	ChangeResult,
	DrainOptions,
	LoadBalancerProvider,
	Operation,
	ProviderName,
	RestoreOptions,
	ServerRef,
	ServerState,
	WeightOptions,
} from './types';
import { waitForSessions } from './wait';

export interface ReadResult<Snapshot> {
	status: BackendStatus;
	/** What a write needs beyond the status: a resourceVersion, the full origin list. */
	snapshot: Snapshot;
}

type Planner<Snapshot> = (status: BackendStatus, current: ServerState, snapshot: Snapshot) => Plan;

/**
 * The rules every provider shares, written once so no provider can forget
 * one: plan from a fresh read, refuse to take the last serving server out of
 * traffic unless forced, treat a repeat as a no-op that says so, and read back
 * after every write to report before/after and prove the change took.
 * A provider supplies reads, writes and what drain/restore mean for it.
 */
export abstract class TrafficProvider<Snapshot> implements LoadBalancerProvider {
	abstract readonly name: ProviderName;
	abstract readonly endpoint: string;

	/** Writes that can lose a race (HTTP 409) are planned again from a fresh read. */
	protected readonly writeAttempts: number = 1;

	protected abstract read(backend: string): Promise<ReadResult<Snapshot>>;
	protected abstract write(ref: ServerRef, desired: Desired, snapshot: Snapshot, current: ServerState): Promise<void>;
	protected abstract drainTarget(current: ServerState): Desired;
	protected abstract restoreTarget(ref: ServerRef, current: ServerState, snapshot: Snapshot, options: RestoreOptions): Desired;
	/** Throws for a weight the provider cannot take. */
	protected abstract checkWeight(ref: ServerRef, weight: number): void;

	/** Current sessions of one server; providers that cannot see sessions leave it out. */
	protected readSessions?(ref: ServerRef): Promise<number>;

	protected isConflict(_error: unknown): boolean {
		return false;
	}

	/** Waits before a write that lost a race is planned again (attempt: the one that lost). */
	protected async beforeRetry(_attempt: number): Promise<void> {}

	/** Where taking `current` out of traffic leaves nothing serving (see safety.ts). */
	protected lastServing(status: BackendStatus, current: ServerState, _snapshot: Snapshot): string[] {
		return lastServingScopes(status, current);
	}

	/** Whether `maintAfter` means anything here. */
	protected readonly supportsMaint: boolean = false;

	/**
	 * Providers that read the health checks their load balancer acts on
	 * (Route 53, Cloudflare) refuse to send traffic to a server those checks
	 * call down: a restore, or a higher weight. Others only warn.
	 */
	protected readonly refuseUnhealthy: boolean = false;

	/** How errors name one server. */
	protected objectName(ref: ServerRef): string {
		return `${ref.backend}/${ref.server}`;
	}

	async status(backend: string): Promise<BackendStatus> {
		return (await this.read(backend)).status;
	}

	async drain(ref: ServerRef, options: DrainOptions = {}): Promise<ChangeResult> {
		const result = await this.change('drain', ref, (status, current, snapshot) =>
			planDrain(status, current, this.drainTarget(current), options.force === true, this.lastServing(status, current, snapshot)),
		);
		let sessionsDone = true;
		if (options.wait) {
			if (!this.readSessions) {
				result.warnings.push(`${this.name} cannot see sessions; the drain did not wait`);
			} else {
				const read = this.readSessions.bind(this);
				result.wait = await waitForSessions(() => read(ref), options.wait);
				sessionsDone = result.wait.completed;
				// "after" is after the whole operation, sessions included.
				result.after = this.findServer((await this.read(ref.backend)).status, ref);
				if (!sessionsDone) {
					result.warnings.push(
						`${result.wait.sessions} session(s) still open on ${ref.server} after ${(result.wait.waitedMs / 1000).toFixed(1)}s; it stays drained${options.maintAfter ? ' and was not put in maintenance' : ''}`,
					);
				}
			}
		}
		if (options.maintAfter) {
			if (!this.supportsMaint) {
				result.warnings.push(`${this.name} has no maintenance state beyond drain; nothing more was done`);
			} else if (!options.wait && this.readSessions) {
				// Maintenance is for an empty server: without a wait, look once.
				const open = await this.readSessions(ref);
				if (open > 0) result.warnings.push(`${open} session(s) still open on ${ref.server}; it stays drained and was not put in maintenance (wait for the sessions first)`);
				else await this.toMaint(ref, result);
			} else if (sessionsDone) {
				await this.toMaint(ref, result);
			}
		}
		return result;
	}

	async restore(ref: ServerRef, options: RestoreOptions = {}): Promise<ChangeResult> {
		if (options.weight !== undefined) this.checkWeight(ref, options.weight);
		return this.change('restore', ref, (_status, current, snapshot) => this.unhealthy(current, 'restore', planRestore(current, this.restoreTarget(ref, current, snapshot, options))));
	}

	async setWeight(ref: ServerRef, weight: number, options: WeightOptions = {}): Promise<ChangeResult> {
		this.checkWeight(ref, weight);
		return this.change('setWeight', ref, (status, current, snapshot) =>
			this.unhealthy(current, 'setWeight', planWeight(status, current, weight, options.force === true, this.lastServing(status, current, snapshot))),
		);
	}

	/** Turns a plan that sends traffic to a server its health checks call down into a refusal (refuseUnhealthy). */
	private unhealthy(current: ServerState, operation: 'restore' | 'setWeight', plan: Plan): Plan {
		if (!this.refuseUnhealthy || plan.kind !== 'apply' || current.health !== 'down') return plan;
		const weight = plan.desired.weight;
		const more = operation === 'restore' ? current.admin !== 'ready' || (weight !== undefined && weight > (current.weight ?? 0)) : weight !== undefined && weight > (current.weight ?? 0);
		if (!more) return plan;
		return {
			kind: 'refuse',
			reason: `refusing to ${operation === 'restore' ? 'restore' : `raise the weight of`} ${current.server}: its health check says it is down${describeHealth(current)}, so it would be sent traffic it cannot serve`,
			fix: 'Fix the endpoint until its health check passes (the status operation shows the checks), then repeat.',
		};
	}

	/** The maintenance step after a drain whose sessions reached 0; merged into the drain's result. */
	private async toMaint(ref: ServerRef, result: ChangeResult): Promise<void> {
		const maint = await this.change('drain', ref, (_status, current) =>
			current.admin === 'maint'
				? { kind: 'noop', message: `${ref.server} is already in maintenance` }
				: { kind: 'apply', desired: { admin: 'maint' }, message: `put ${ref.server} in maintenance`, forced: false, warnings: [] },
		);
		result.after = maint.after;
		result.changed = result.changed || maint.changed;
		result.message = `${result.message}; ${maint.changed ? 'then put it in maintenance' : 'it already was in maintenance'}`;
	}

	protected findServer(status: BackendStatus, ref: ServerRef): ServerState {
		// Providers with ids as well as names (Cloudflare pools) accept either.
		const found = status.servers.find((s) => s.server === ref.server) ?? status.servers.find((s) => s.detail.id === ref.server);
		if (found) return found;
		const known = status.servers.map((s) => s.server);
		throw new LoadBalancerError({
			provider: this.name,
			kind: 'not_found',
			object: this.objectName(ref),
			cause: `no server "${ref.server}" in ${ref.backend}${known.length ? `; it has: ${known.join(', ')}` : ', which has no servers'}`,
			fix: 'Check the server name (names are case-sensitive); the status operation lists them.',
		});
	}

	private async change(operation: Operation, ref: ServerRef, planner: Planner<Snapshot>): Promise<ChangeResult> {
		for (let attempt = 1; ; attempt++) {
			const { status, snapshot } = await this.read(ref.backend);
			const before = this.findServer(status, ref);
			const plan = planner(status, before, snapshot);
			if (plan.kind === 'refuse') {
				throw new LoadBalancerError({ provider: this.name, kind: 'refused', object: this.objectName(ref), cause: plan.reason, fix: plan.fix });
			}
			if (plan.kind === 'noop') return this.result(operation, ref, { changed: false, before, after: before, message: plan.message, forced: false, warnings: [] });
			try {
				await this.write(ref, plan.desired, snapshot, before);
			} catch (error) {
				if (attempt < this.writeAttempts && this.isConflict(error)) {
					await this.beforeRetry(attempt);
					continue;
				}
				throw error;
			}
			const after = this.findServer((await this.read(ref.backend)).status, ref);
			if (!satisfies(after, plan.desired)) {
				throw new LoadBalancerError({
					provider: this.name,
					kind: 'not_applied',
					object: this.objectName(ref),
					cause: `the change was accepted but the read-back shows ${describe(after)}, not ${describeDesired(plan.desired)}`,
					fix: 'Something else may manage this server (a config reload, an agent check, another controller); look at it before retrying.',
				});
			}
			return this.result(operation, ref, { changed: true, before, after, message: plan.message, forced: plan.forced, warnings: plan.warnings });
		}
	}

	private result(
		operation: Operation,
		ref: ServerRef,
		outcome: Pick<ChangeResult, 'changed' | 'before' | 'after' | 'message' | 'forced' | 'warnings'>,
	): ChangeResult {
		return { provider: this.name, endpoint: this.endpoint, operation, backend: ref.backend, server: ref.server, ...outcome };
	}
}

function describeHealth(state: ServerState): string {
	const checkers = state.detail.healthCheckers as { healthy?: number; total?: number } | undefined;
	const reason = state.detail.failureReason;
	if (checkers && typeof checkers.total === 'number') return ` (${checkers.healthy ?? 0} of ${checkers.total} checkers healthy)`;
	return typeof reason === 'string' && reason ? ` (${reason})` : '';
}

function describe(state: ServerState): string {
	return `admin ${state.admin}, weight ${state.weight ?? 'n/a'}`;
}

function describeDesired(desired: Desired): string {
	return [desired.admin !== undefined ? `admin ${desired.admin}` : '', desired.weight !== undefined ? `weight ${desired.weight}` : ''].filter(Boolean).join(', ');
}

/** The names of the servers that take traffic, for BackendStatus.serving. */
export function servingNames(servers: ServerState[]): string[] {
	return servers.filter((s) => s.serving).map((s) => s.server);
}
