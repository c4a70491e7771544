import type { KubeClient } from './client';
import { KubeError } from './errors';
import { type KubeObject, resources } from './resources';

/**
 * Single use of verdicts: before a mutating node carries out a verdict it
 * claims `<verdictHash>#<operation>` on a Lease in the target's namespace.
 * The API server's resourceVersion check arbitrates, so of two workers (or
 * two items, or a replay after a restart) carrying the same verdict exactly
 * one claim succeeds. The claim comes before the change: a change that then
 * fails leaves the verdict spent, which is the safe side (the next run asks
 * the gate again).
 *
 * A namespace-wide Lease (not the loop's lock) so the CLI and manual runs
 * without a lock are covered by the same record; entries are kept two hours,
 * twice the longest a verdict may be acted on.
 */
export const LEDGER_LEASE = 'kube-ops-verdicts';
export const LEDGER_ANNOTATION = 'kube-ops/verdicts-used';
const KEEP_MS = 2 * 3_600_000;
const MAX_ENTRIES = 2000;
const MAX_ATTEMPTS = 12;

export interface LedgerEntry {
	key: string;
	at: string;
	by: string;
}

export interface ClaimInput {
	namespace: string;
	key: string;
	/** Who used it, for the refusal of a second use. */
	by: string;
	now?: Date;
	sleep?: (ms: number) => Promise<void>;
}

function entriesOf(lease: KubeObject | undefined): LedgerEntry[] {
	const text = lease?.metadata.annotations?.[LEDGER_ANNOTATION];
	if (!text) return [];
	try {
		const parsed = JSON.parse(text) as unknown;
		return Array.isArray(parsed) ? parsed.filter((e): e is LedgerEntry => typeof e?.key === 'string' && typeof e?.at === 'string') : [];
	} catch {
		// An unreadable ledger must not make verdicts reusable: refuse instead.
		throw new KubeError('invalid', `The verdict ledger (Lease "${LEDGER_LEASE}") holds an unreadable ${LEDGER_ANNOTATION} annotation`, `Inspect it with kubectl get lease ${LEDGER_LEASE} -o yaml; delete the annotation only if no verdict from the last two hours may be replayed.`);
	}
}

function reused(entry: LedgerEntry, namespace: string): KubeError {
	return new KubeError(
		'refused',
		`Refusing to act: this verdict was already carried out (${entry.key.split('#')[1]} at ${entry.at} by ${entry.by}); a verdict authorises one change, once`,
		`Evaluate the current state with the Policy Gate again for a new verdict. The record is on Lease "${LEDGER_LEASE}" in namespace "${namespace}".`,
	);
}

function isConflict(error: unknown): boolean {
	return error instanceof KubeError && error.kind === 'conflict';
}

export async function claimVerdict(client: KubeClient, input: ClaimInput): Promise<LedgerEntry> {
	const now = input.now ?? new Date();
	const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
	const entry: LedgerEntry = { key: input.key, at: now.toISOString(), by: input.by.slice(0, 200) };
	for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		let lease: KubeObject | undefined;
		try {
			lease = await client.get<KubeObject>(resources.leases, input.namespace, LEDGER_LEASE);
		} catch (error) {
			if (!(error instanceof KubeError && error.kind === 'notFound' && error.details.reason === 'NotFound')) throw error;
		}
		const entries = entriesOf(lease);
		const previous = entries.find((e) => e.key === input.key);
		if (previous) throw reused(previous, input.namespace);
		const kept = entries.filter((e) => now.getTime() - Date.parse(e.at) < KEEP_MS).slice(-(MAX_ENTRIES - 1));
		const annotations = { ...(lease?.metadata.annotations ?? {}), [LEDGER_ANNOTATION]: JSON.stringify([...kept, entry]) };
		try {
			if (!lease) {
				await client.create(resources.leases, input.namespace, {
					metadata: { name: LEDGER_LEASE, namespace: input.namespace, labels: { 'app.kubernetes.io/managed-by': 'kube-ops' }, annotations },
					spec: {},
				});
			} else {
				// replace carries the resourceVersion just read: a concurrent claim makes this a 409, and the loop reads again.
				await client.replace(resources.leases, input.namespace, LEDGER_LEASE, { ...lease, metadata: { ...lease.metadata, annotations } });
			}
			return entry;
		} catch (error) {
			if (!isConflict(error)) throw error;
			await sleep(Math.min(500, 20 * 2 ** attempt) + Math.floor(Math.random() * 30));
		}
	}
	throw new KubeError('conflict', `Could not record the verdict's use on Lease "${LEDGER_LEASE}" in namespace "${input.namespace}": ${MAX_ATTEMPTS} writes lost to concurrent ones`, 'Nothing was changed. Run again; many loops acting in one namespace at once contend for this Lease.');
}

/** The recorded uses, for tests and for `kube-ops` to show. */
export async function readLedger(client: KubeClient, namespace: string): Promise<LedgerEntry[]> {
	try {
		return entriesOf(await client.get<KubeObject>(resources.leases, namespace, LEDGER_LEASE));
	} catch (error) {
		if (error instanceof KubeError && error.kind === 'notFound') return [];
		throw error;
	}
}
