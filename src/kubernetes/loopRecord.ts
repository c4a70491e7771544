import { type ActionResult, type DecisionRecord, LOOP_OF_ACTION, type Loop, type Outcome, buildDecisionRecord, toKubernetesEvent } from '../decision';
import { type LoopOutcome, type LoopState, type ProposalAction, type SigningKey, type Verdict, checkSignature, nextLoopState, verifyVerdict } from '../policy';
import type { KubeClient } from './client';
import { KubeError } from './errors';
import { isObject } from './json';
import { writeDecisionEvent } from './decisionEvent';
import { type AwaitingApproval, saveStateAndRelease } from './loopState';
import { type JsonObject, knownResource } from './resources';

/**
 * The last step of every loop run: the decision record, with what actually
 * happened, as an Event on the target; the loop's next state on its Lease;
 * the Lease released. The Event comes first: whatever fails after it, the
 * audit trail of the run is already in the cluster.
 */

export type OutcomeChoice = 'auto' | LoopOutcome;
export type LoopChoice = 'auto' | Loop;

export interface RecordInput {
	/** The item as it reaches the record step: proposal, verdict, decision, lock, dedupeKey, error, approval. */
	item: Record<string, unknown>;
	outcome: OutcomeChoice;
	loop: LoopChoice;
	/** Write the Event here instead of the target's namespace. */
	eventNamespace?: string;
	reportingInstance?: string;
	maxAttempts?: number;
	now?: () => Date;
	sleep?: (ms: number) => Promise<void>;
	/** Refuse verdicts not signed with one of these keys (the loop's next state is derived from the verdict). */
	verifyWith?: readonly SigningKey[];
}

export interface RecordResult {
	decisionId: string;
	/** What the run did with the verdict. */
	outcome: LoopOutcome;
	/** The decision record's outcome (applied, failed, held, rejected, awaiting-approval, ...). */
	decisionOutcome: Outcome;
	eventName: string;
	eventReason: string;
	eventNamespace: string;
	eventWritten: boolean;
	/** The state saved on the Lease; null when nothing was saved. */
	state: LoopState | null;
	saved: boolean;
	released: boolean;
	/** Lease writes it took (more than 1 after lost races); 0 when nothing was saved. */
	attempts: number;
	lease: { namespace: string; name: string } | null;
	dedupeKeySaved: string | null;
	/**
	 * Needs Approval for a move already waiting for a person (same alert, same move, before its deadline): the
	 * workflow skips asking again. Every repeat is still judged, so a region that got worse fails over on its own.
	 */
	approvalAlreadyRequested?: boolean;
	notes: string[];
}

function invalid(message: string, fix: string): KubeError {
	return new KubeError('invalid', message, fix);
}

/** The error a previous node left on the item: n8n's error output and Continue On Fail both put it in `error`. */
export function errorText(item: Record<string, unknown>): string | undefined {
	const error = item.error;
	if (error === undefined || error === null || error === '' || error === false) return undefined;
	if (typeof error === 'string') return error;
	if (isObject(error) && typeof error.message === 'string') return error.message;
	return JSON.stringify(error);
}

function approvedBy(verdict: Verdict): string | undefined {
	return verdict.approvedBy ? `approved by ${verdict.approvedBy.by} at ${verdict.approvedBy.at}` : undefined;
}

/** `auto`: an error means failed; an apply verdict means applied; anything else was not acted on. */
export function resolveOutcome(choice: OutcomeChoice, item: Record<string, unknown>, verdict: Verdict): LoopOutcome {
	const actedOn = verdict.decision === 'apply';
	if (choice !== 'auto') {
		if (choice !== 'notApplied' && !actedOn) {
			throw new KubeError(
				'refused',
				`Refusing to record outcome ${choice} for a ${verdict.decision} verdict: nothing may act on it`,
				'Set Outcome to Auto or Not Applied for the Hold/Reject and Needs Approval branches (an approval becomes an apply verdict only by running the Policy Gate again with it).',
			);
		}
		return choice;
	}
	if (errorText(item) !== undefined) return 'failed';
	if (item.dryRun === true) return 'notApplied';
	return actedOn ? 'applied' : 'notApplied';
}

function verdictDecisionRecord(item: Record<string, unknown>, verdict: Verdict): DecisionRecord | undefined {
	const decision = item.decision;
	if (!isObject(decision) || typeof decision.id !== 'string' || !isObject(decision.verdict)) return undefined;
	return (decision.verdict as Partial<Verdict>).verdictHash === verdict.verdictHash ? (decision as unknown as DecisionRecord) : undefined;
}

function actionEntry(outcome: LoopOutcome, item: Record<string, unknown>, action: ProposalAction, at: Date): ActionResult[] {
	if (outcome === 'notApplied') return item.dryRun === true ? [{ action: operationOf(item, action), status: 'dry-run', at: at.toISOString() }] : [];
	const error = errorText(item);
	return [{ action: operationOf(item, action), status: outcome === 'applied' ? 'succeeded' : 'failed', ...(outcome === 'failed' ? { error: (error ?? 'failed').slice(0, 300) } : {}), at: at.toISOString() }];
}

function operationOf(item: Record<string, unknown>, action: ProposalAction): string {
	return typeof item.operation === 'string' && item.operation !== '' ? item.operation : action;
}

/** The gate's record with this run's ending: the action taken (or failed), and the approver when a person let it through. */
export function finalRecord(item: Record<string, unknown>, proposal: Record<string, unknown>, verdict: Verdict, loop: Loop, outcome: LoopOutcome, now: Date): DecisionRecord {
	const given = verdictDecisionRecord(item, verdict);
	const approval = approvedBy(verdict);
	const input = { ...(given?.input ?? {}) };
	if (approval) input.note = [approval, input.note].filter(Boolean).join('; ');
	return buildDecisionRecord({
		id: given?.id,
		time: given?.time ?? now,
		loop: given?.loop ?? loop,
		target: (given?.target ?? proposal.target) as DecisionRecord['target'],
		input,
		proposals: given ? given.proposals.map((p) => p.proposal) : [proposal],
		verdict,
		actions: [...(given?.actions ?? []), ...actionEntry(outcome, item, proposal.action as ProposalAction, now)],
	});
}

async function writeEvent(client: KubeClient, record: DecisionRecord, input: RecordInput): Promise<{ name: string; reason: string; namespace: string; written: boolean; warning?: string }> {
	const event = toKubernetesEvent(record, { reportingInstance: input.reportingInstance });
	const override = input.eventNamespace?.trim();
	const namespace = override || event.metadata.namespace;
	const involvedObject: JsonObject = { ...event.involvedObject, namespace };
	if (!override) {
		// With the object's uid, kubectl describe lists the Event under it; without (another cluster's object, no permission) it is still found by name.
		const res = typeof involvedObject.apiVersion === 'string' ? knownResource(involvedObject.apiVersion, String(involvedObject.kind)) : undefined;
		if (res) {
			const found = await client.get(res, namespace, record.target.name).catch(() => undefined);
			if (found?.metadata.uid) involvedObject.uid = found.metadata.uid;
		}
	}
	const out = { name: event.metadata.name, reason: event.reason, namespace };
	try {
		// The change steps of this decision wrote its Event already (in the target's namespace): the outcome is added to it.
		const written = await writeDecisionEvent(client, {
			record,
			namespace,
			involvedObject,
			// The API server requires an Event's namespace to be its involved object's; the target's stays findable.
			...(override ? { annotations: { 'kube-ops/target-namespace': record.target.namespace } } : {}),
			options: { reportingInstance: input.reportingInstance },
			now: input.now?.(),
		});
		return { ...out, name: written.name, reason: written.reason, written: true };
	} catch (error) {
		return { ...out, written: false, warning: `The decision's Event could not be written: ${(error as Error).message}` };
	}
}

/** What is asked about: the same alert can lead to another move (another receiving region), asked about on its own. */
function moveOf(proposal: Record<string, unknown>): string {
	const target = isObject(proposal.target) ? proposal.target : {};
	const from = typeof proposal.from === 'string' ? ` ${proposal.from} -> ${String(proposal.to)}` : '';
	return `${String(proposal.action)} ${String(target.namespace)}/${String(target.kind)}/${String(target.name)}${from}`;
}

interface AwaitingInput {
	item: Record<string, unknown>;
	verdict: Verdict;
	proposal: Record<string, unknown>;
	outcome: LoopOutcome;
	runKey: string | undefined;
	now: Date;
}

/** This run asks a person: a Needs Approval verdict, not acted on, for an alert (a dedupe key). */
function asksApproval({ verdict, outcome, runKey }: AwaitingInput): boolean {
	return verdict.decision === 'approve' && outcome === 'notApplied' && runKey !== undefined && verdict.approvalDeadline !== undefined;
}

function isLive(marker: AwaitingApproval | undefined, now: Date): marker is AwaitingApproval {
	return marker !== undefined && Date.parse(marker.until) > now.getTime();
}

/** The marker already waits, before its deadline, for this very alert and move: nobody is asked again. */
function askedAlready(current: AwaitingApproval | undefined, input: AwaitingInput): boolean {
	return asksApproval(input) && isLive(current, input.now) && current.dedupeKey === input.runKey && current.move === moveOf(input.proposal);
}

/**
 * The awaiting-approval marker after this run. A Needs Approval verdict for a
 * move already waiting keeps the marker (askedAlready); a new one sets it.
 * Only the run it concerns ends the wait: the same alert carried out, or the
 * approved run of that very verdict, whatever it found.
 */
function nextAwaiting(current: AwaitingApproval | undefined, input: AwaitingInput): AwaitingApproval | null | undefined {
	const { item, verdict, proposal, outcome, runKey, now } = input;
	if (asksApproval(input)) {
		if (askedAlready(current, input)) return undefined;
		return { dedupeKey: runKey as string, move: moveOf(proposal), verdictHash: verdict.verdictHash, until: verdict.approvalDeadline as string };
	}
	if (current === undefined) return undefined;
	const approval = isObject(item.approval) && isObject(item.approval.verdict) ? item.approval.verdict : undefined;
	const resumedThis = approval !== undefined && approval.verdictHash === current.verdictHash;
	const carriedOut = outcome === 'applied' && current.dedupeKey === runKey;
	return resumedThis || carriedOut || !isLive(current, now) ? null : undefined;
}

interface HeldLock {
	namespace: string;
	name: string;
	holder: string;
	dedupeKey?: string;
}

function heldLock(item: Record<string, unknown>): HeldLock | undefined {
	const lock = item.lock;
	if (!isObject(lock) || lock.acquired !== true) return undefined;
	const { namespace, name, holder } = lock;
	if (typeof namespace !== 'string' || typeof name !== 'string' || typeof holder !== 'string' || !namespace || !name || !holder) return undefined;
	return { namespace, name, holder, ...(typeof lock.dedupeKey === 'string' && lock.dedupeKey ? { dedupeKey: lock.dedupeKey } : {}) };
}

export async function recordLoopDecision(client: KubeClient, input: RecordInput): Promise<RecordResult> {
	const { item } = input;
	const now = input.now?.() ?? new Date();
	if (!isObject(item.proposal) || !isObject(item.verdict)) {
		throw invalid(
			'Nothing to record: the item carries no proposal and verdict',
			'Connect this node after the Policy Gate (any output) or after the nodes that acted on its verdict: they carry proposal, verdict and decision on.',
		);
	}
	const proposal = item.proposal;
	// The next state is derived from the verdict (a canary's counters): an edited verdict must not write it.
	const check = verifyVerdict(proposal, item.verdict);
	if (!check.ok) throw new KubeError('refused', `Refusing to record: ${check.reason}`, 'Do not change proposal or verdict between the Policy Gate and this node.');
	const verdict = item.verdict as unknown as Verdict;
	if (input.verifyWith) {
		const signed = checkSignature(verdict.signature, input.verifyWith, verdict.verdictHash, verdict.proposalHash);
		if (!signed.ok) throw new KubeError('refused', `Refusing to record: ${signed.reason}`, 'Give the Policy Gate and this node the same Kube-Ops Signing Key credential.');
	}
	const action = proposal.action as ProposalAction;
	const loop = LOOP_OF_ACTION[action];
	if (input.loop !== 'auto' && input.loop !== loop) {
		throw invalid(`The Loop parameter (${input.loop}) does not match the proposal's action (${action}, loop ${loop})`, 'Set Loop to Auto, or route the right proposal to this node.');
	}
	const outcome = resolveOutcome(input.outcome, item, verdict);
	const record = finalRecord(item, proposal, verdict, loop, outcome, now);
	const event = await writeEvent(client, record, input);
	const notes = event.warning ? [event.warning] : [];

	const lock = heldLock(item);
	const base = {
		decisionId: record.id,
		outcome,
		decisionOutcome: record.outcome,
		eventName: event.name,
		eventReason: event.reason,
		eventNamespace: event.namespace,
		eventWritten: event.written,
	};
	if (!lock) {
		notes.push('No Lease was acquired in this run (the item has no lock with acquired: true), so no state was saved; the Event was written.');
		return { ...base, state: null, saved: false, released: false, attempts: 0, lease: null, dedupeKeySaved: null, approvalAlreadyRequested: false, notes };
	}
	const runKey = typeof item.dedupeKey === 'string' && item.dedupeKey.trim() ? item.dedupeKey.trim() : lock.dedupeKey;
	// Only a handled alert is a duplicate later: a held or failed one must be able to act when Alertmanager sends it again.
	const dedupeKey = outcome === 'applied' ? runKey : undefined;
	const awaiting: AwaitingInput = { item, verdict, proposal, outcome, runKey, now };
	const saved = await saveStateAndRelease(client, {
		namespace: lock.namespace,
		name: lock.name,
		holder: lock.holder,
		dedupeKey,
		awaitingApproval: (current) => nextAwaiting(current, awaiting),
		maxAttempts: input.maxAttempts,
		now: input.now,
		sleep: input.sleep,
		next: (previous) => nextLoopState({ action, previous, verdict, outcome, now, proposal }),
	});
	return { ...base, state: saved.state, saved: true, released: saved.released, attempts: saved.attempts, lease: { namespace: lock.namespace, name: lock.name }, dedupeKeySaved: dedupeKey ?? null, approvalAlreadyRequested: askedAlready(saved.awaitingBefore, awaiting), notes };
}
