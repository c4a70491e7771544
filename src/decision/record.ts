import { hashPlain, hashProposal } from '../shared/hash';
import { snapshot, type Plain } from '../shared/snapshot';
import { instantToMillis, isoString } from '../shared/time';
import { redact } from '../shared/redact';
import type { ActionResult, DecisionRecord, DecisionRecordInput, Outcome, ProposalEntry } from './types';

// One record per loop run. The id is derived from the run's content rather than
// a random number so the same run, replayed, names the same decision.
export function buildDecisionRecord(input: DecisionRecordInput): DecisionRecord {
	const millis = instantToMillis(input.time);
	if (millis === null) throw new TypeError('decision record time must be a Date, epoch milliseconds or an RFC 3339 timestamp');
	const time = isoString(millis);
	const proposals = (input.proposals ?? []).map(toEntry);
	const verdict = input.verdict ?? null;
	// An action's error text comes from anywhere (an API server, a proxy, a provider): redacted before it is kept.
	const actions = (input.actions ?? []).map((action) => (typeof action.error === 'string' ? { ...action, error: redact(action.error) } : { ...action }));
	const id = input.id ?? deriveId(input.loop, millis, input.target, proposals, verdict?.verdictHash ?? null);
	if (id.length === 0 || id.length > 253 || /[\u0000-\u001f\u007f]/.test(id)) {
		throw new TypeError('decision record id must be 1-253 printable characters');
	}
	return {
		id,
		time,
		loop: input.loop,
		target: { ...input.target },
		input: { ...(input.input ?? {}) },
		proposals,
		verdict,
		actions,
		outcome: deriveOutcome(verdict?.decision ?? null, proposals.length, actions),
	};
}

function toEntry(proposal: unknown): ProposalEntry {
	const copy = snapshot(proposal);
	const plain: Plain = copy.ok ? (copy.value ?? null) : { unreadable: `${copy.path} ${copy.problem}` };
	return { proposal: plain, proposalHash: hashProposal(proposal) };
}

function deriveId(loop: string, millis: number, target: DecisionRecordInput['target'], proposals: ProposalEntry[], verdictHash: string | null): string {
	const digest = hashPlain({
		loop,
		time: millis,
		target: { ...target },
		proposals: proposals.map((entry) => entry.proposalHash),
		verdict: verdictHash,
	}).slice('sha256:'.length, 'sha256:'.length + 10);
	// Lowercase and dash-only so the id is also a valid label value and name suffix.
	const stamp = isoString(millis).replace(/\.\d{3}Z$/, 'z').replace(/[^0-9A-Za-z]/g, '').toLowerCase();
	return `${loop}-${stamp}-${digest}`;
}

export function deriveOutcome(decision: string | null, proposalCount: number, actions: readonly ActionResult[]): Outcome {
	if (actions.some((action) => action.status === 'failed')) return 'failed';
	if (decision === null) return proposalCount === 0 ? 'no-proposal' : 'pending';
	if (decision === 'reject') return 'rejected';
	if (decision === 'hold') return 'held';
	const executed = actions.filter((action) => action.status !== 'skipped');
	if (executed.some((action) => action.status === 'succeeded')) return 'applied';
	if (executed.length > 0 && executed.every((action) => action.status === 'dry-run')) return 'dry-run';
	return decision === 'approve' ? 'awaiting-approval' : 'pending';
}
