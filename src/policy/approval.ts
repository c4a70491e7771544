import { check } from './checks';
import { hashPlain, hashProposal } from '../shared/hash';
import { checkSignature, type SigningKey } from './signature';
import { getOwn, isPlainObject, type Plain } from '../shared/snapshot';
import { isoString, parseTimestamp } from '../shared/time';
import type { ApprovalRecord, Check } from './types';
import { verifyVerdict } from './verify';

/**
 * A person's approval is an input to the gate, not a bypass around it: the
 * approved branch runs the gate again on the proposal rebuilt from the live
 * state, with the approval. The approval covers exactly the proposal that
 * was approved (same hash), so one made for "4 -> 40" cannot carry out
 * "12 -> 6" after the workload moved; it must be signed by this gate's key
 * and still be inside the deadline set when approval was requested.
 *
 * `by` is trusted as given: the workflow takes it from the authentication of
 * the approval webhook (never from the request body).
 */
export interface ApprovalInput {
	by: string;
	at: string;
	proposal: unknown;
	verdict: unknown;
}

export const APPROVAL_RULE = 'approval';
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A name that can stand in a decision record as who approved: not blank, at most 253 characters, no control characters (they would forge lines). */
export function isApproverName(by: unknown): by is string {
	return typeof by === 'string' && by.trim() !== '' && by.length <= 253 && !CONTROL.test(by);
}

// A clock a few seconds ahead on the approving side must not void an approval.
const CLOCK_SKEW_MS = 60_000;

export interface ApprovalOutcome {
	check: Check;
	record?: ApprovalRecord;
}

function fail(detail: string, measured: unknown = null): ApprovalOutcome {
	return { check: check(APPROVAL_RULE, false, measured, null, `approval not accepted: ${detail}; request approval again`, 'hold') };
}

// What a person approves is the change, not the evidence around it: the
// evidence is judged again by every other check on this run. A scale
// approval names the live count it started from, so a moved workload is not
// covered; a traffic move names its regions.
const DECIDING_FIELDS: Record<string, readonly string[]> = {
	scale: ['action', 'target', 'current', 'proposed'],
	failover: ['action', 'target', 'from', 'to'],
	failback: ['action', 'target', 'from', 'to'],
	rollback: ['action', 'target'],
};

function covers(approved: Plain, proposal: Plain): boolean {
	if (!isPlainObject(approved) || !isPlainObject(proposal)) return false;
	const action = getOwn(proposal, 'action');
	const fields = typeof action === 'string' ? DECIDING_FIELDS[action] : undefined;
	if (!fields || getOwn(approved, 'action') !== action) return false;
	return fields.every((field) => hashPlain(getOwn(approved, field) ?? null) === hashPlain(getOwn(proposal, field) ?? null));
}

export function judgeApproval(approval: Plain, proposal: Plain | undefined, keys: readonly SigningKey[], nowMs: number | null): ApprovalOutcome {
	if (!isPlainObject(approval)) return fail('the approval is not an object { by, at, proposal, verdict }');
	const by = getOwn(approval, 'by');
	const at = getOwn(approval, 'at');
	if (!isApproverName(by)) return fail('approval.by must name the approver (from the approval webhook\'s authentication)');
	const atMs = typeof at === 'string' ? parseTimestamp(at) : null;
	if (atMs === null) return fail('approval.at is not an RFC 3339 time');
	if (nowMs === null) return fail('the evaluation time is invalid');
	if (atMs > nowMs + CLOCK_SKEW_MS) return fail(`approval.at (${at}) is in the future`);
	const approvedProposal = getOwn(approval, 'proposal');
	const approvedVerdict = getOwn(approval, 'verdict');
	const integrity = verifyVerdict(approvedProposal, approvedVerdict, { expectDecision: 'approve' });
	if (!integrity.ok) return fail(`the approved verdict does not hold: ${integrity.reason}`);
	const verdict = approvedVerdict as Record<string, Plain>;
	const verdictHash = String(verdict.verdictHash);
	const signed = checkSignature(verdict.signature, keys, verdictHash, hashProposal(approvedProposal));
	if (!signed.ok) return fail(`the approved verdict is not signed by this gate's key: ${signed.reason}`);
	const deadline = typeof verdict.approvalDeadline === 'string' ? parseTimestamp(verdict.approvalDeadline) : null;
	if (deadline === null) return fail('the approved verdict carries no approvalDeadline');
	if (atMs > deadline + CLOCK_SKEW_MS || nowMs > deadline) return fail(`the approval deadline ${isoString(deadline)} has passed`, isoString(nowMs));
	if (proposal === undefined || !covers(approvedProposal as Plain, proposal)) {
		return fail('the proposal is not the one that was approved (the live state or the proposal changed since)');
	}
	const record: ApprovalRecord = { by: by.trim(), at: isoString(atMs), verdictHash };
	return { check: check(APPROVAL_RULE, true, record.by, isoString(deadline), `approved by ${record.by} at ${record.at} (deadline ${isoString(deadline)})`, 'hold'), record };
}
