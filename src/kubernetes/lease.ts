import type { KubeClient } from './client';
import { KubeError } from './errors';
import { getPath } from './json';
import { type JsonObject, type KubeObject, resources } from './resources';

/**
 * A coordination.k8s.io Lease used as a lock: failover and rollback take it
 * so two executions (two n8n workers in queue mode, or a retry racing the
 * original) never act on one service at once. The API server's
 * resourceVersion check is the arbiter: of two writers only one wins, the
 * other gets 409 and reads who holds the lease. It follows client-go's
 * leader election record: holderIdentity, leaseDurationSeconds, acquireTime,
 * renewTime, leaseTransitions.
 *
 * Expiry compares the holder's renewTime with this host's clock, so hosts
 * must keep their clocks in sync (NTP) to within a small part of the duration.
 */
export interface LeaseOptions {
	namespace: string;
	/** e.g. `kube-ops-failover-checkout`. */
	name: string;
	/** Who holds it, unique per execution: e.g. `n8n/<workflow id>/<execution id>`. */
	holder: string;
	/** How long the lease stays valid without a renewal (default 60). */
	durationSeconds?: number;
	now?: () => Date;
}

export interface LeaseState {
	holder: string | null;
	durationSeconds: number | null;
	acquireTime: string | null;
	renewTime: string | null;
	/** When the current holder's claim runs out if it does not renew; null when nobody holds it. */
	expiresAt: string | null;
	transitions: number;
	resourceVersion: string;
}

export interface LeaseResult {
	/** True when `holder` holds the lease after this call. */
	held: boolean;
	lease: LeaseState;
	/** Why not held: who has it and until when. */
	reason?: string;
}

export const DEFAULT_LEASE_SECONDS = 60;

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
	return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function stateOf(lease: KubeObject): LeaseState {
	const holder = (getPath(lease, ['spec', 'holderIdentity']) as string | undefined) || null;
	const duration = getPath(lease, ['spec', 'leaseDurationSeconds']);
	const renew = (getPath(lease, ['spec', 'renewTime']) as string | undefined) ?? null;
	const acquire = (getPath(lease, ['spec', 'acquireTime']) as string | undefined) ?? null;
	const durationSeconds = typeof duration === 'number' ? duration : null;
	const renewedAt = renew ? Date.parse(renew) : NaN;
	return {
		holder,
		durationSeconds,
		acquireTime: acquire,
		renewTime: renew,
		expiresAt: holder && Number.isFinite(renewedAt) && durationSeconds !== null ? new Date(renewedAt + durationSeconds * 1000).toISOString() : null,
		transitions: Number(getPath(lease, ['spec', 'leaseTransitions']) ?? 0) || 0,
		resourceVersion: lease.metadata.resourceVersion ?? '',
	};
}

function isFree(state: LeaseState, now: Date): boolean {
	return state.holder === null || state.expiresAt === null || Date.parse(state.expiresAt) <= now.getTime();
}

function heldElsewhere(options: LeaseOptions, state: LeaseState): LeaseResult {
	return { held: false, lease: state, reason: `Lease "${options.name}" in namespace "${options.namespace}" is held by ${state.holder ?? 'nobody'}${state.expiresAt ? ` until ${state.expiresAt}` : ''}` };
}

function checkOptions(options: LeaseOptions): number {
	if (!options.holder) throw new KubeError('invalid', 'A lease needs a holder identity', 'Pass a holder that is unique per execution, e.g. n8n/<workflow>/<execution id>.');
	const duration = options.durationSeconds ?? DEFAULT_LEASE_SECONDS;
	if (!Number.isInteger(duration) || duration < 1) throw new KubeError('invalid', `Lease duration must be a whole number of seconds, got ${duration}`, 'Use e.g. 60: long enough to renew in time, short enough that a crashed holder does not block for long.');
	return duration;
}

async function read(client: KubeClient, options: LeaseOptions): Promise<KubeObject | undefined> {
	try {
		return await client.get<KubeObject>(resources.leases, options.namespace, options.name);
	} catch (error) {
		if (error instanceof KubeError && error.kind === 'notFound' && error.details.reason === 'NotFound') return undefined;
		throw error;
	}
}

function isConflict(error: unknown): boolean {
	return error instanceof KubeError && error.kind === 'conflict';
}

/** Takes the lease if it is free, expired, or already ours. Never waits: the caller decides whether to try again. */
export async function acquireLease(client: KubeClient, options: LeaseOptions): Promise<LeaseResult> {
	const duration = checkOptions(options);
	const now = options.now?.() ?? new Date();
	const stamp = microTime(now);
	let current = await read(client, options);
	if (!current) {
		try {
			const created = await client.create(resources.leases, options.namespace, {
				metadata: { name: options.name, namespace: options.namespace, labels: { 'app.kubernetes.io/managed-by': 'kube-ops' } },
				spec: { holderIdentity: options.holder, leaseDurationSeconds: duration, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 },
			});
			return { held: true, lease: stateOf(created) };
		} catch (error) {
			// Someone created it between our read and our create: see who.
			if (!isConflict(error)) throw error;
			current = await read(client, options);
			if (!current) throw error;
		}
	}
	const state = stateOf(current);
	const ours = state.holder === options.holder;
	if (!ours && !isFree(state, now)) return heldElsewhere(options, state);
	const spec: JsonObject = {
		...((current.spec as JsonObject | undefined) ?? {}),
		holderIdentity: options.holder,
		leaseDurationSeconds: duration,
		acquireTime: ours && state.acquireTime ? state.acquireTime : stamp,
		renewTime: stamp,
		leaseTransitions: ours ? state.transitions : state.transitions + 1,
	};
	try {
		const written = await client.replace(resources.leases, options.namespace, options.name, { ...current, spec });
		return { held: true, lease: stateOf(written) };
	} catch (error) {
		if (!isConflict(error)) throw error;
		const winner = await read(client, options);
		if (winner && stateOf(winner).holder === options.holder) return { held: true, lease: stateOf(winner) };
		return heldElsewhere(options, winner ? stateOf(winner) : state);
	}
}

/** Extends our claim. `held: false` means it was lost (expired and taken): stop acting. */
export async function renewLease(client: KubeClient, options: LeaseOptions): Promise<LeaseResult> {
	const duration = checkOptions(options);
	const current = await read(client, options);
	if (!current) return { held: false, lease: { holder: null, durationSeconds: null, acquireTime: null, renewTime: null, expiresAt: null, transitions: 0, resourceVersion: '' }, reason: `Lease "${options.name}" no longer exists` };
	const state = stateOf(current);
	if (state.holder !== options.holder) return heldElsewhere(options, state);
	const spec = { ...((current.spec as JsonObject | undefined) ?? {}), leaseDurationSeconds: duration, renewTime: microTime(options.now?.() ?? new Date()) };
	try {
		return { held: true, lease: stateOf(await client.replace(resources.leases, options.namespace, options.name, { ...current, spec })) };
	} catch (error) {
		if (!isConflict(error)) throw error;
		const after = await read(client, options);
		return after && stateOf(after).holder === options.holder ? { held: true, lease: stateOf(after) } : heldElsewhere(options, after ? stateOf(after) : state);
	}
}

/**
 * Gives the lease up so the next execution need not wait for it to expire.
 * Only our own claim is released; someone else's is left alone.
 */
export async function releaseLease(client: KubeClient, options: LeaseOptions): Promise<{ released: boolean; lease?: LeaseState }> {
	checkOptions(options);
	const current = await read(client, options);
	if (!current || stateOf(current).holder !== options.holder) return { released: false, lease: current ? stateOf(current) : undefined };
	const spec = { ...((current.spec as JsonObject | undefined) ?? {}), holderIdentity: null, renewTime: microTime(options.now?.() ?? new Date()) };
	try {
		return { released: true, lease: stateOf(await client.replace(resources.leases, options.namespace, options.name, { ...current, spec })) };
	} catch (error) {
		// Lost in between: it is not ours to release any more.
		if (isConflict(error)) return { released: false };
		throw error;
	}
}

export interface LeaseHandle {
	/** Becomes true as soon as a renewal finds the lease taken: stop before the next write. */
	readonly lost: boolean;
}

/**
 * Runs `work` while holding the lease, renewing it at a third of its
 * duration, and releases it afterwards whether `work` succeeded or not.
 * Throws a 'conflict' KubeError, naming the holder, when the lease is taken.
 */
export async function withLease<T>(client: KubeClient, options: LeaseOptions, work: (handle: LeaseHandle) => Promise<T>): Promise<T> {
	const first = await acquireLease(client, options);
	if (!first.held) throw new KubeError('conflict', first.reason ?? `Lease "${options.name}" is held by someone else`, 'Another execution is acting on this service; wait for it to finish (or for its lease to expire) and run again.');
	const state = { lost: false };
	const period = ((options.durationSeconds ?? DEFAULT_LEASE_SECONDS) * 1000) / 3;
	const timer = setInterval(() => {
		renewLease(client, options).then(
			(result) => {
				if (!result.held) state.lost = true;
			},
			() => {
				// A failed renewal is not a loss yet: the claim lasts until expiresAt, and the next tick tries again.
			},
		);
	}, period);
	timer.unref();
	try {
		return await work(state);
	} finally {
		clearInterval(timer);
		if (!state.lost) await releaseLease(client, options).catch(() => undefined);
	}
}
