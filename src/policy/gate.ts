import { APPROVAL_RULE, type ApprovalOutcome, judgeApproval } from './approval';
import { runCanary } from './canary';
import { check, decide, notEvaluated } from './checks';
import { runFailover } from './failover';
import type { FamilyResult } from './family';
import { hashPlain, hashProposal, UNHASHABLE, verdictDigest } from '../shared/hash';
import { parsePolicy } from './parse';
import { validatePolicy } from './policy';
import { validateProposal, type ProposalResult } from './proposal';
import { runScaling } from './scaling';
import type { SigningKey } from './signature';
import { snapshot, type Plain } from '../shared/snapshot';
import { instantToMillis, isoString } from '../shared/time';
import type { Check, Instant, PolicyResult, ResolvedPolicy, Verdict } from './types';
import { formatIssues } from './validate';

export type InputDocument = { ok: true; value: Plain | undefined } | { ok: false; message: string };

export interface GateInputs {
	proposal: InputDocument;
	policy: PolicyResult;
	state: InputDocument;
	now: unknown;
	/** A person's approval of an earlier approve verdict (src/policy/approval.ts); absent on the first run. */
	approval?: InputDocument;
	/** Keys an approved verdict may be signed with. */
	keys?: readonly SigningKey[];
}

export interface EvaluateExtras {
	approval?: unknown;
	keys?: readonly SigningKey[];
}

// The gate never throws: whatever arrives (NaN, getters that throw, cycles,
// "__proto__" keys) ends as a reject that says why, because an exception in a
// workflow is one more path where nobody looks at the checks.
export function evaluate(proposal: unknown, policy: unknown, state: unknown, now: Instant, extras: EvaluateExtras = {}): Verdict {
	try {
		return evaluateDocuments({
			proposal: toDocument(proposal),
			policy: typeof policy === 'string' ? parsePolicy(policy) : validatePolicy(policy),
			state: toDocument(state),
			now,
			...(extras.approval === undefined || extras.approval === null ? {} : { approval: toDocument(extras.approval) }),
			keys: extras.keys,
		});
	} catch (error) {
		return internalError(proposal, error);
	}
}

function toDocument(value: unknown): InputDocument {
	const copy = snapshot(value);
	return copy.ok ? { ok: true, value: copy.value } : { ok: false, message: `${copy.path.slice(1) || 'value'} ${copy.problem}`.trim() };
}

export function evaluateInputs(inputs: GateInputs): Verdict {
	try {
		return evaluateDocuments(inputs);
	} catch (error) {
		return internalError(inputs.proposal.ok ? inputs.proposal.value : undefined, error);
	}
}

function evaluateDocuments(inputs: GateInputs): Verdict {
	const nowMs = instantToMillis(inputs.now);
	const proposal: ProposalResult = inputs.proposal.ok
		? validateProposal(inputs.proposal.value)
		: { ok: false, action: null, issues: [{ path: 'proposal', message: inputs.proposal.message, fix: 'send the proposal as plain JSON data' }] };
	const action = proposal.ok ? proposal.input.action : proposal.action;
	const policy = inputs.policy.ok ? inputs.policy.policy : null;
	// Replica bounds are optional in a policy that only drives failover or canary
	// loops, so their absence is a policy problem only for a scale proposal.
	const scalingUnset = action === 'scale' && policy !== null && (policy.minReplicas === undefined || policy.maxReplicas === undefined);
	const family = runFamily(proposal, scalingUnset ? null : policy, inputs, nowMs);
	const checks: Check[] = [
		policyCheck(inputs.policy, scalingUnset),
		proposalCheck(proposal),
		family === null ? notEvaluated('input.state', 'reject', 'the proposal has no known action') : family.stateCheck,
		nowMs === null
			? check('input.now', false, typeof inputs.now === 'string' ? inputs.now : null, null, 'now must be a Date, epoch milliseconds or an RFC 3339 timestamp', 'reject')
			: check('input.now', true, isoString(nowMs), null, 'evaluation time', 'reject'),
		...(family?.checks ?? []),
	];
	const approval = inputs.approval === undefined ? undefined : approvalOf(inputs, nowMs);
	if (approval) checks.push(approval.check);
	// An accepted approval stands in for exactly the checks that ask for a human; every other check still decides.
	const deciding = approval?.record ? checks.filter((item) => item.passed || item.onFail !== 'approve') : checks;
	const { decision, decidedBy } = decide(deciding, family?.baseline ?? 'reject');
	const verdict: Omit<Verdict, 'verdictHash'> = {
		decision,
		action,
		value: family?.value(decision) ?? null,
		reason: decidedBy === null ? (family?.summary(decision) ?? decision) : `${decidedBy.rule}: ${decidedBy.detail}`,
		decidedBy: decidedBy?.rule ?? null,
		checks,
		proposalHash: inputs.proposal.ok && inputs.proposal.value !== undefined ? hashPlain(inputs.proposal.value) : UNHASHABLE,
		policyHash: inputs.policy.ok ? inputs.policy.policyHash : null,
		evaluatedAt: nowMs === null ? null : isoString(nowMs),
	};
	if (family?.deadline !== undefined && decision !== 'reject') verdict.deadline = family.deadline;
	if (family?.nextState !== undefined && decision !== 'reject') verdict.nextState = family.nextState;
	if (decision === 'approve' && nowMs !== null && policy !== null) verdict.approvalDeadline = isoString(nowMs + policy.approvalTimeoutSeconds * 1000);
	if (approval?.record && decision === 'apply') verdict.approvedBy = approval.record;
	const scope = family?.scope?.(decision);
	if (scope !== undefined) verdict.scope = scope;
	return seal(verdict);
}

function approvalOf(inputs: GateInputs, nowMs: number | null): ApprovalOutcome {
	const document = inputs.approval as InputDocument;
	if (!document.ok) return { check: check(APPROVAL_RULE, false, null, null, `approval is malformed: ${document.message}`, 'hold') };
	return judgeApproval(document.value ?? null, inputs.proposal.ok ? inputs.proposal.value : undefined, inputs.keys ?? [], nowMs);
}

function runFamily(proposal: ProposalResult, policy: ResolvedPolicy | null, inputs: GateInputs, nowMs: number | null): FamilyResult | null {
	const action = proposal.ok ? proposal.input.action : proposal.action;
	if (action === null) return null;
	// A state document that failed to parse still yields the family's rule list,
	// all marked not evaluated, so the output shape does not depend on the failure.
	const input = proposal.ok && inputs.state.ok ? proposal.input : null;
	const args = { policy, state: inputs.state.ok ? inputs.state.value : undefined, nowMs };
	let result: FamilyResult;
	if (action === 'scale') result = runScaling({ ...args, input: input?.action === 'scale' ? input : null });
	else if (action === 'rollback') result = runCanary({ ...args, input: input?.action === 'rollback' ? input : null });
	else result = runFailover({ ...args, input: input?.action === 'failover' || input?.action === 'failback' ? input : null }, action);
	if (!inputs.state.ok) result.stateCheck = check('input.state', false, null, null, `state is malformed: ${inputs.state.message}`, 'reject');
	return result;
}

function policyCheck(result: PolicyResult, scalingUnset: boolean): Check {
	if (!result.ok) return check('input.policy', false, null, null, `policy is invalid: ${formatIssues(result.issues)}`, 'reject');
	if (scalingUnset) {
		const detail = 'policy has no minReplicas/maxReplicas (fix: add both to allow scaling)';
		return check('input.policy', false, result.policyHash, null, detail, 'reject');
	}
	return check('input.policy', true, result.policyHash, null, 'policy is valid', 'reject');
}

function proposalCheck(result: ProposalResult): Check {
	if (result.ok) return check('input.proposal', true, result.input.action, null, 'proposal is well formed', 'reject');
	return check('input.proposal', false, result.action, null, `proposal is malformed: ${formatIssues(result.issues)}`, 'reject');
}

function seal(verdict: Omit<Verdict, 'verdictHash'>): Verdict {
	return { ...verdict, verdictHash: verdictDigest(verdict) };
}

function internalError(proposal: unknown, error: unknown): Verdict {
	let proposalHash = UNHASHABLE;
	try {
		proposalHash = hashProposal(proposal);
	} catch {
		// keep UNHASHABLE: a verdict about an unreadable proposal must match nothing
	}
	const detail = `internal error while evaluating: ${safeMessage(error)}`;
	return seal({
		decision: 'reject',
		action: null,
		value: null,
		reason: `internal: ${detail}`,
		decidedBy: 'internal',
		checks: [check('internal', false, null, null, detail, 'reject')],
		proposalHash,
		policyHash: null,
		evaluatedAt: null,
	});
}

function safeMessage(error: unknown): string {
	try {
		const text = error instanceof Error ? error.message : String(error);
		return text.slice(0, 500);
	} catch {
		return 'unreadable error';
	}
}
