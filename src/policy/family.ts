import { check } from './checks';
import type { Plain } from '../shared/snapshot';
import type { CanaryState, Check, Decision, Issue, ResolvedPolicy, VerdictScope, VerdictValue } from './types';
import { formatIssues } from './validate';

// The contract between the gate and a rule family (scaling, failover, canary).
// A family validates its own state shape, runs its rules in order and says what
// the verdict's value means for its action.

export interface FamilyArgs<Input> {
	input: Input | null;
	policy: ResolvedPolicy | null;
	state: Plain | undefined;
	nowMs: number | null;
}

export interface FamilyResult {
	stateCheck: Check;
	checks: Check[];
	// Decision when no check fails decisively: apply for scaling and failover,
	// hold ("keep the canary running") for canary analysis.
	baseline: Decision;
	value(decision: Decision): VerdictValue;
	summary(decision: Decision): string;
	deadline?: string;
	nextState?: CanaryState;
	scope?(decision: Decision): VerdictScope | undefined;
}

export function stateCheck(issues: Issue[] | null): Check {
	if (issues === null) return check('input.state', true, null, null, 'state is valid', 'reject');
	return check('input.state', false, null, null, `state is malformed: ${formatIssues(issues)}`, 'reject');
}

export const INVALID_INPUTS = 'an input is invalid (see the input.* checks)';
