import { check, plural, type Rule } from './checks';
import { isoString, parseTimestamp } from '../shared/time';
import type { ChangeFreeze, ProposalAction, ProposalSource, ResolvedPolicy, Target } from './types';

// Context every rule family shares. Rules read it; they never read the clock.
export interface BaseContext {
	action: ProposalAction;
	source: ProposalSource;
	target: Target;
	policy: ResolvedPolicy;
	nowMs: number;
	consecutiveErrors: number;
}

/** What every family's context takes straight from the proposal, the policy, the clock and the loop's state. */
export function baseContext(action: ProposalAction, proposal: { source: ProposalSource; target: Target }, policy: ResolvedPolicy, nowMs: number, state: { consecutiveErrors: number }): BaseContext {
	return { action, source: proposal.source, target: proposal.target, policy, nowMs, consecutiveErrors: state.consecutiveErrors };
}

export const namespaceRule: Rule<BaseContext> = {
	rule: 'namespace.allowed',
	onFail: 'reject',
	evaluate({ target, policy }) {
		const allowed = policy.allowedNamespaces;
		if (allowed === undefined) {
			return check('namespace.allowed', true, target.namespace, null, 'policy sets no allowedNamespaces; every namespace is allowed', 'reject');
		}
		const passed = allowed.includes(target.namespace);
		const detail = passed
			? `namespace ${target.namespace} is in allowedNamespaces`
			: `namespace ${target.namespace} is not in allowedNamespaces; add it to the policy if this loop may act there`;
		return check('namespace.allowed', passed, target.namespace, allowed, detail, 'reject');
	},
};

export const freezeRule: Rule<BaseContext> = {
	rule: 'changeFreeze',
	onFail: 'hold',
	evaluate({ action, policy, nowMs }) {
		const open = policy.changeFreezes.filter((freeze) => isOpen(freeze, nowMs));
		const active = open.find((freeze) => freeze.actions.includes(action));
		if (active === undefined) {
			const detail = open.length > 0 ? `a change freeze is active but does not cover ${action}` : 'no change freeze is active';
			return check('changeFreeze', true, isoString(nowMs), null, detail, 'hold');
		}
		const why = active.reason === undefined ? '' : ` (${active.reason})`;
		return check('changeFreeze', false, isoString(nowMs), `${active.start}/${active.end}`, `change freeze until ${active.end}${why} covers ${action}`, 'hold');
	},
};

// Windows are half-open, [start, end), so back-to-back freezes leave no gap.
function isOpen(freeze: ChangeFreeze, nowMs: number): boolean {
	const start = parseTimestamp(freeze.start);
	const end = parseTimestamp(freeze.end);
	return start !== null && end !== null && nowMs >= start && nowMs < end;
}

export const circuitBreakerRule: Rule<BaseContext> = {
	rule: 'circuitBreaker',
	onFail: 'hold',
	evaluate({ consecutiveErrors, policy }) {
		const limit = policy.maxConsecutiveErrors;
		const passed = consecutiveErrors < limit;
		const detail = passed
			? `${plural(consecutiveErrors, 'consecutive error')} (breaker opens at ${limit})`
			: `circuit breaker open after ${plural(consecutiveErrors, 'consecutive error')}; a human must investigate and reset state.consecutiveErrors`;
		return check('circuitBreaker', passed, consecutiveErrors, limit, detail, 'hold');
	},
};

export function sourceRule(allowed: readonly ProposalSource[]): Rule<BaseContext> {
	return {
		rule: 'source.allowed',
		onFail: 'reject',
		evaluate({ source, action }) {
			const passed = allowed.includes(source);
			const detail = passed ? `${source} may propose ${action}` : `${source} proposals cannot ${action}; allowed sources: ${allowed.join(', ')}`;
			return check('source.allowed', passed, source, [...allowed], detail, 'reject');
		},
	};
}
