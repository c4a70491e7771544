import type { KubeClient } from './client';
import { KubeError } from './errors';
import { getPath, isObject } from './json';
import { acquireLease, microTime, releaseLease } from './lease';
import { type JsonObject, type KubeObject, resources } from './resources';

/**
 * The loops' memory between executions, kept on the Lease that serialises
 * them: the Lease says who may act now, its annotations say what the last
 * run left behind (cooldowns, flips, counters, the last alert handled). One
 * object for both means the state is only ever written by the execution
 * that holds the lock, guarded by the Lease's resourceVersion, and it
 * survives n8n restarts and queue-mode workers.
 */
export const STATE_ANNOTATION = 'kube-ops.io/state';
export const DEDUPE_ANNOTATION = 'kube-ops.io/last-dedupe-key';
/** The alert whose move waits for a person: its repeats are duplicates until the approval deadline. */
export const AWAITING_APPROVAL_ANNOTATION = 'kube-ops.io/awaiting-approval';

export interface AwaitingApproval {
	dedupeKey: string;
	/** The move asked about: action, target, from and to; a different move is asked about on its own. */
	move: string;
	verdictHash: string;
	/** The approval deadline of the verdict that asked. */
	until: string;
}

export interface LockRequest {
	namespace: string;
	name: string;
	/** Unique per execution: `n8n/<workflow id>/<execution id>`. */
	holder: string;
	durationSeconds: number;
	/** The alert's dedupe key; a key equal to the last one handled is a duplicate. */
	dedupeKey?: string;
	now?: () => Date;
}

export interface LockInfo {
	namespace: string;
	name: string;
	holder: string;
	acquired: boolean;
	/** Who has the lease when it was not acquired; null otherwise. */
	heldBy: string | null;
	/** When our claim (acquired) or the other holder's claim runs out. */
	expiresAt: string | null;
	duplicate: boolean;
	reason?: string;
	/** The dedupe key checked, so the record step can store it without it being carried separately. */
	dedupeKey?: string;
}

export interface LockResult {
	lock: LockInfo;
	state: JsonObject;
}

function leaseName(request: Pick<LockRequest, 'namespace' | 'name'>): string {
	return `Lease "${request.name}" in namespace "${request.namespace}"`;
}

async function readLease(client: KubeClient, namespace: string, name: string): Promise<KubeObject | undefined> {
	try {
		return await client.get<KubeObject>(resources.leases, namespace, name);
	} catch (error) {
		if (error instanceof KubeError && error.kind === 'notFound' && error.details.reason === 'NotFound') return undefined;
		throw error;
	}
}

/**
 * The state annotation as an object. A corrupted one is an error, never an
 * empty state: `{}` would silently reset the cooldown and close an open
 * circuit breaker.
 */
export function parseStateAnnotation(lease: KubeObject | undefined, where: Pick<LockRequest, 'namespace' | 'name'>): JsonObject {
	const raw = lease?.metadata.annotations?.[STATE_ANNOTATION];
	if (raw === undefined || raw.trim() === '') return {};
	let parsed: unknown;
	let problem: string | undefined;
	try {
		parsed = JSON.parse(raw);
		if (!isObject(parsed)) problem = `it is ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`}, not a JSON object`;
	} catch (error) {
		problem = `it is not valid JSON (${(error as Error).message})`;
	}
	if (problem) {
		const shown = raw.length > 120 ? `${raw.slice(0, 119)}…` : raw;
		throw new KubeError(
			'invalid',
			`The loop state in annotation ${STATE_ANNOTATION} of ${leaseName(where)} is unreadable: ${problem}: ${shown}`,
			`Nothing was done and the lease was left free. Repair the annotation by hand with a JSON object (kubectl -n ${where.namespace} annotate lease ${where.name} --overwrite '${STATE_ANNOTATION}={"consecutiveErrors":0}' for a scaling loop, keeping the fields that still hold). Removing it also works but resets cooldowns, flip history and the circuit breaker, so do that only deliberately.`,
		);
	}
	return parsed as JsonObject;
}

function storedDedupeKey(lease: KubeObject | undefined): string | undefined {
	return lease?.metadata.annotations?.[DEDUPE_ANNOTATION];
}

// Unreadable means "not waiting": the worst case is a second approval request, never a move left undone.
export function awaitingApproval(lease: KubeObject | undefined): AwaitingApproval | undefined {
	const raw = lease?.metadata.annotations?.[AWAITING_APPROVAL_ANNOTATION];
	if (raw === undefined) return undefined;
	try {
		const parsed = JSON.parse(raw) as unknown;
		if (!isObject(parsed)) return undefined;
		const { dedupeKey, move, verdictHash, until } = parsed;
		return typeof dedupeKey === 'string' && typeof move === 'string' && typeof verdictHash === 'string' && typeof until === 'string' ? { dedupeKey, move, verdictHash, until } : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Takes the Lease (creating it on first use) and reads the state the last
 * run left on it. Never throws for a busy lease or a duplicate alert: the
 * answer says so, and the workflow routes on `lock.acquired`.
 */
export async function lockAndReadState(client: KubeClient, request: LockRequest): Promise<LockResult> {
	const dedupeKey = request.dedupeKey?.trim() || undefined;
	const base = { namespace: request.namespace, name: request.name, holder: request.holder, ...(dedupeKey ? { dedupeKey } : {}) };
	const duplicateOf = (lease: KubeObject | undefined): LockResult | undefined =>
		dedupeKey !== undefined && storedDedupeKey(lease) === dedupeKey
			? { lock: { ...base, acquired: false, heldBy: null, expiresAt: null, duplicate: true, reason: `already handled: dedupe key "${dedupeKey}" is the last one recorded on ${leaseName(request)}` }, state: {} }
			: undefined;

	// A duplicate needs no write at all: answer from a plain read.
	const before = await readLease(client, request.namespace, request.name);
	const early = duplicateOf(before);
	if (early) return early;

	const options = { namespace: request.namespace, name: request.name, holder: request.holder, durationSeconds: request.durationSeconds, now: request.now };
	const taken = await acquireLease(client, options);
	if (!taken.held) {
		return { lock: { ...base, acquired: false, heldBy: taken.lease.holder, expiresAt: taken.lease.expiresAt, duplicate: false, reason: taken.reason }, state: {} };
	}
	try {
		// Read again while holding it: a run that finished between our first read and the acquire may have recorded this very key.
		const lease = await readLease(client, request.namespace, request.name);
		const late = duplicateOf(lease);
		if (late) {
			await releaseLease(client, options);
			return late;
		}
		const state = parseStateAnnotation(lease, request);
		return { lock: { ...base, acquired: true, heldBy: null, expiresAt: taken.lease.expiresAt, duplicate: false }, state };
	} catch (error) {
		await releaseLease(client, options).catch(() => undefined);
		throw error;
	}
}

export interface SaveRequest {
	namespace: string;
	name: string;
	holder: string;
	/** The next state from the one stored now (read again on every attempt, so a retry never writes from stale data). */
	next: (previous: JsonObject) => JsonObject;
	/** Stored as the last handled alert, when given. */
	dedupeKey?: string;
	/** From the marker on the Lease now: the marker to store (null clears it, undefined leaves it). Run on every attempt. */
	awaitingApproval?: (current: AwaitingApproval | undefined) => AwaitingApproval | null | undefined;
	maxAttempts?: number;
	now?: () => Date;
	sleep?: (ms: number) => Promise<void>;
}

export interface SaveResult {
	state: JsonObject;
	/** The awaiting-approval marker the Lease had before this write. */
	awaitingBefore?: AwaitingApproval;
	released: boolean;
	attempts: number;
}

const DEFAULT_ATTEMPTS = 5;

/**
 * Writes the next state (and the dedupe key) on the Lease and releases it in
 * the same update, guarded by the Lease's resourceVersion: a 409 reads again
 * and recomputes. Only the holder writes; a lease that ran out and was taken
 * by another execution is left to it, and that is an error, because this
 * run's state was not saved.
 */
export async function saveStateAndRelease(client: KubeClient, request: SaveRequest): Promise<SaveResult> {
	const maxAttempts = Math.max(1, request.maxAttempts ?? DEFAULT_ATTEMPTS);
	const sleep = request.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
	for (let attempt = 1; ; attempt++) {
		const current = await readLease(client, request.namespace, request.name);
		if (!current) {
			throw new KubeError('notFound', `${leaseName(request)} no longer exists; the loop state of this run was not saved`, 'Someone deleted the Lease while the run held it. Check the Event for what this run did, and run again.');
		}
		const holder = (getPath(current, ['spec', 'holderIdentity']) as string | undefined) || null;
		if (holder !== request.holder) {
			throw new KubeError(
				'conflict',
				`${leaseName(request)} is held by ${holder ?? 'nobody'} now, not by this execution (${request.holder}); the loop state of this run was not saved`,
				'The lease ran out before the run finished, and another execution may be acting. Raise Lease Seconds on the Lock operation above the longest run (scale-up and wait included); the Event records what this run did.',
			);
		}
		const state = request.next(parseStateAnnotation(current, request));
		const annotations: Record<string, string> = { ...(current.metadata.annotations ?? {}), [STATE_ANNOTATION]: JSON.stringify(state) };
		if (request.dedupeKey) annotations[DEDUPE_ANNOTATION] = request.dedupeKey;
		const awaitingBefore = awaitingApproval(current);
		const marker = request.awaitingApproval?.(awaitingBefore);
		if (marker === null) delete annotations[AWAITING_APPROVAL_ANNOTATION];
		else if (marker) annotations[AWAITING_APPROVAL_ANNOTATION] = JSON.stringify(marker);
		const spec: JsonObject = { ...((current.spec as JsonObject | undefined) ?? {}), holderIdentity: null, renewTime: microTime(request.now?.() ?? new Date()) };
		try {
			// PUT carries metadata.resourceVersion: the API server refuses it if anyone wrote the Lease since our read.
			await client.replace(resources.leases, request.namespace, request.name, { ...current, metadata: { ...current.metadata, annotations }, spec });
			return { state, released: true, attempts: attempt, ...(awaitingBefore ? { awaitingBefore } : {}) };
		} catch (error) {
			if (!(error instanceof KubeError && error.kind === 'conflict') || attempt >= maxAttempts) {
				if (error instanceof KubeError && error.kind === 'conflict') {
					throw new KubeError('conflict', `${leaseName(request)} kept changing; the loop state was not saved after ${attempt} attempt(s)`, 'Another writer keeps updating the Lease (a second workflow using the same lease name?). Give each loop and service its own lease name.', { ...error.details, attempts: attempt });
				}
				throw error;
			}
			await sleep(Math.min(1000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
		}
	}
}
