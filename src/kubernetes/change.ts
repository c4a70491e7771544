import { type Audit, type EventResult, LAST_CHANGE_ANNOTATION, lastChangeValue, recordChangeEvent } from './audit';
import type { KubeClient, PatchType } from './client';
import { KubeError } from './errors';
import { type JsonObject, type KubeObject, type ResourceInfo, apiVersionOf, describeObject } from './resources';

export interface JsonPatchOp {
	op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
	path: string;
	value?: unknown;
	from?: string;
}

export interface ChangeOptions {
	/** Server-side dry run (dryRun=All): validated and admitted, never stored. */
	dryRun: boolean;
	audit: Audit;
	/** Attempts when another writer wins the race (409 Conflict); default 5. */
	maxAttempts?: number;
	/** For tests: how to wait between attempts. */
	sleep?: (ms: number) => Promise<void>;
	/**
	 * Runs once, after the live object was read and checked and right before
	 * the first write: where a gated change records its verdict as used, so
	 * a refusal on live state does not spend it.
	 */
	beforeWrite?: () => Promise<void>;
}

/** options.beforeWrite, at most once per change however many attempts it takes. */
export function onceBeforeWrite(options: ChangeOptions): () => Promise<void> {
	let done = false;
	return async () => {
		if (done || !options.beforeWrite) return;
		done = true;
		await options.beforeWrite();
	};
}

/** What every mutating operation outputs. */
export interface ChangeRecord {
	operation: string;
	target: { apiVersion: string; kind: string; namespace?: string; name: string };
	before: JsonObject;
	after: JsonObject;
	changed: boolean;
	dryRun: boolean;
	resourceVersion: string;
	/** Write attempts: 0 when nothing had to change, more than 1 after lost races. */
	attempts: number;
	event: EventResult;
	warnings: string[];
}

/** One attempt's intent, computed from the object as just read. */
export interface Plan {
	/** Nothing to write: the object already is as asked. */
	unchanged?: boolean;
	patchType: PatchType;
	patch: JsonObject | JsonPatchOp[];
	/** The intended state in the operation's terms, for the last-change annotation. */
	to: JsonObject;
	/** The patch carries the caller's own resourceVersion: a conflict then is final, not retried. */
	ownPrecondition?: boolean;
	/** The outcome in the operation's terms, when it is not view(result). */
	after?: (result: KubeObject) => JsonObject;
}

export interface Operation {
	name: string;
	res: ResourceInfo;
	namespace?: string;
	objectName: string;
	/** The operation's fields of an object, e.g. { replicas } or { minReplicas, maxReplicas }. */
	view: (obj: KubeObject) => JsonObject;
	plan: (current: KubeObject) => Plan | Promise<Plan>;
	warnings?: string[];
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export function defaultSleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Exponential backoff with jitter, so two writers that collided do not collide again in lockstep. */
export function backoffMs(attempt: number): number {
	return Math.min(1000, 50 * 2 ** (attempt - 1)) + Math.floor(Math.random() * 50);
}

function escapePointer(key: string): string {
	return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The change plus a precondition on the resourceVersion just read (the API
 * server answers 409 when the object moved on in between) plus the
 * last-change annotation, in one request so the audit cannot drift from the
 * change.
 */
export function guardedPatch(plan: Plan, current: KubeObject, annotation: string): JsonObject | JsonPatchOp[] {
	const resourceVersion = current.metadata.resourceVersion;
	if (plan.patchType === 'json') {
		const ops: JsonPatchOp[] = [];
		if (!plan.ownPrecondition && resourceVersion) ops.push({ op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion });
		if (current.metadata.annotations) ops.push({ op: 'add', path: `/metadata/annotations/${escapePointer(LAST_CHANGE_ANNOTATION)}`, value: annotation });
		else ops.push({ op: 'add', path: '/metadata/annotations', value: { [LAST_CHANGE_ANNOTATION]: annotation } });
		return [...ops, ...(plan.patch as JsonPatchOp[])];
	}
	const patch = plan.patch as JsonObject;
	const metadata = { ...((patch.metadata as JsonObject | undefined) ?? {}) };
	metadata.annotations = { ...((metadata.annotations as JsonObject | undefined) ?? {}), [LAST_CHANGE_ANNOTATION]: annotation };
	if (!plan.ownPrecondition && resourceVersion) metadata.resourceVersion = resourceVersion;
	return { ...patch, metadata };
}

export function conflictError(res: ResourceInfo, namespace: string | undefined, name: string, attempts: number, own: boolean): KubeError {
	const what = describeObject(res, namespace, name);
	return new KubeError(
		'conflict',
		own
			? `Conflict: ${what} no longer has the resourceVersion the patch requires (409 Conflict)`
			: `Conflict: ${what} kept changing; all ${attempts} attempt(s) lost to a concurrent write (409 Conflict)`,
		own
			? 'Read the object again and send a patch with its current metadata.resourceVersion, or leave resourceVersion out so the node guards the write itself.'
			: 'Another writer (a controller, GitOps sync, a person) keeps changing this object. Find it (kubectl get -o yaml --show-managed-fields), then run again; raise Conflict Retries if the contention is expected.',
		{ httpStatus: 409, reason: 'Conflict', attempts },
	);
}

/**
 * Read, decide, write with a precondition, and on 409 read again and decide
 * again, a bounded number of times. Each attempt decides from the object as
 * it is then, so a retry never writes a value computed from stale state.
 */
export async function readModifyWrite(client: KubeClient, operation: Operation, options: ChangeOptions): Promise<ChangeRecord> {
	const { res, namespace, objectName } = operation;
	const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
	const sleep = options.sleep ?? defaultSleep;
	const target = { apiVersion: apiVersionOf(res), kind: res.kind, ...(res.namespaced ? { namespace } : {}), name: objectName };
	const beforeWrite = onceBeforeWrite(options);
	for (let attempt = 1; ; attempt++) {
		const current = await client.get(res, namespace, objectName);
		const plan = await operation.plan(current);
		const before = operation.view(current);
		if (plan.unchanged) {
			return {
				operation: operation.name,
				target,
				before,
				after: before,
				changed: false,
				dryRun: options.dryRun,
				resourceVersion: current.metadata.resourceVersion ?? '',
				attempts: attempt - 1,
				event: { written: false, skipped: 'no change: the object already is as asked' },
				warnings: operation.warnings ?? [],
			};
		}
		const annotation = lastChangeValue(operation.name, before, plan.to, options.audit);
		await beforeWrite();
		let result: KubeObject;
		try {
			result = await client.patch(res, namespace, objectName, plan.patchType, guardedPatch(plan, current, annotation), { dryRun: options.dryRun });
		} catch (error) {
			const conflict = error instanceof KubeError && error.kind === 'conflict' && error.details.reason !== 'AlreadyExists';
			if (conflict && !plan.ownPrecondition && attempt < maxAttempts) {
				await sleep(backoffMs(attempt));
				continue;
			}
			if (conflict) throw conflictError(res, namespace, objectName, attempt, plan.ownPrecondition === true);
			throw error;
		}
		const after = plan.after ? plan.after(result) : operation.view(result);
		const event = await recordChangeEvent(client, { operation: operation.name, res, object: result, before, after, dryRun: options.dryRun }, options.audit);
		return {
			operation: operation.name,
			target,
			before,
			after,
			changed: true,
			dryRun: options.dryRun,
			resourceVersion: result.metadata.resourceVersion ?? '',
			attempts: attempt,
			event,
			warnings: [...(operation.warnings ?? []), ...(event.warning ? [event.warning] : [])],
		};
	}
}
