import { check, formatNumber, runRules, type Rule } from './checks';
import { INVALID_INPUTS, stateCheck, type FamilyArgs, type FamilyResult } from './family';
import type { RollbackInput } from './proposal';
import { baseContext, circuitBreakerRule, freezeRule, namespaceRule, sourceRule, type BaseContext } from './sharedRules';
import { canaryStateToJson, validateCanaryState, type ParsedCanaryState } from './state';
import { isoString } from '../shared/time';
import type { CanaryMetrics, CanaryPolicy, CanaryValue, Check, CheckEffect } from './types';

// One analysis run of a canary against its stable baseline.
//   pass                 every metric within its absolute limit
//   fail                 a metric breaches its absolute limit and the canary is to
//                        blame: stable is within the limit, unknown, or the canary
//                        is worse than stable by more than the allowed ratio
//   platform-degraded    canary breaches only where stable breaches as badly;
//                        rolling back would not help, so it is not counted
//   insufficient-traffic fewer than minRequests canary requests; rates not judged
//   no-data / provider-error  nothing to judge; never a rollback by themselves
export type CanaryOutcome = 'pass' | 'fail' | 'platform-degraded' | 'insufficient-traffic' | 'no-data' | 'provider-error';

export type MetricStatus = 'ok' | 'fail' | 'platform' | 'missing' | 'not-judged';

export interface MetricJudgement {
	status: MetricStatus;
	canary: number | null;
	stable: number | null;
	limit: number;
	ratioLimit: number;
}

export interface CanaryAnalysis {
	outcome: CanaryOutcome;
	errorRate: MetricJudgement;
	p99LatencyMs: MetricJudgement;
	consecutiveFailures: number;
	cumulativeFailures: number;
	noDataSince: number | null;
	deadline: number | null;
	deadlinePassed: boolean;
	rollbackDue: boolean;
}

type MetricKey = 'errorRate' | 'p99LatencyMs';

function judge(key: MetricKey, canary: CanaryMetrics, stable: CanaryMetrics | null, limit: number, ratioLimit: number, minRequests: number): MetricJudgement {
	const value = canary[key] ?? null;
	const stableUsable = stable !== null && (stable.requests ?? 0) >= minRequests;
	const baseline = stableUsable ? (stable[key] ?? null) : null;
	const base = { canary: value, stable: baseline, limit, ratioLimit };
	if (value === null) return { status: 'missing', ...base };
	if (value <= limit) return { status: 'ok', ...base };
	const blamed = baseline === null || baseline <= limit || value > baseline * ratioLimit;
	return { status: blamed ? 'fail' : 'platform', ...base };
}

export function analyzeCanary(input: RollbackInput, policy: CanaryPolicy, state: ParsedCanaryState, nowMs: number): CanaryAnalysis {
	const notJudged = (limit: number, ratioLimit: number): MetricJudgement => ({ status: 'not-judged', canary: null, stable: null, limit, ratioLimit });
	let errorRate = notJudged(policy.maxErrorRate, policy.maxErrorRateRatio);
	let p99LatencyMs = notJudged(policy.maxP99LatencyMs, policy.maxP99LatencyRatio);
	let outcome: CanaryOutcome;
	const canary = input.canary;
	if (input.providerError !== null) outcome = 'provider-error';
	else if (input.noData || canary === null || canary.requests === undefined) outcome = 'no-data';
	else if (canary.requests < policy.minRequests) outcome = 'insufficient-traffic';
	else {
		errorRate = judge('errorRate', canary, input.stable, policy.maxErrorRate, policy.maxErrorRateRatio, policy.minRequests);
		p99LatencyMs = judge('p99LatencyMs', canary, input.stable, policy.maxP99LatencyMs, policy.maxP99LatencyRatio, policy.minRequests);
		const statuses = [errorRate.status, p99LatencyMs.status];
		// A breach the canary is to blame for is conclusive even if another metric is missing.
		if (statuses.includes('fail')) outcome = 'fail';
		else if (statuses.includes('missing')) outcome = 'no-data';
		else if (statuses.includes('platform')) outcome = 'platform-degraded';
		else outcome = 'pass';
	}
	const failed = outcome === 'fail';
	const consecutiveFailures = failed ? state.consecutiveFailures + 1 : outcome === 'pass' ? 0 : state.consecutiveFailures;
	const cumulativeFailures = state.cumulativeFailures + (failed ? 1 : 0);
	const dataless = outcome === 'no-data' || outcome === 'provider-error';
	const judged = outcome === 'pass' || outcome === 'fail' || outcome === 'platform-degraded';
	const noDataSince = dataless ? (state.noDataSince ?? nowMs) : judged ? null : state.noDataSince;
	const deadline = dataless && noDataSince !== null ? noDataSince + policy.noDataTimeoutSeconds * 1000 : null;
	return {
		outcome,
		errorRate,
		p99LatencyMs,
		consecutiveFailures,
		cumulativeFailures,
		noDataSince,
		deadline,
		deadlinePassed: deadline !== null && nowMs >= deadline,
		rollbackDue: consecutiveFailures >= policy.consecutiveFailures || cumulativeFailures >= policy.cumulativeFailures,
	};
}

interface CanaryContext extends BaseContext {
	input: RollbackInput;
	state: ParsedCanaryState;
	canary: CanaryPolicy;
	analysis: CanaryAnalysis;
}

// Missing data holds the canary until the deadline, then asks a human; a manual
// rollback request is never blocked by it.
function dataEffect({ source, analysis }: CanaryContext): CheckEffect {
	if (source === 'manual') return 'note';
	return analysis.deadlinePassed ? 'approve' : 'hold';
}

function deadlineText({ analysis }: CanaryContext): string {
	if (analysis.deadline === null) return '';
	return analysis.deadlinePassed ? `; no data since ${isoString(analysis.noDataSince ?? 0)}, deadline ${isoString(analysis.deadline)} passed: a human decides` : `; holding until ${isoString(analysis.deadline)}`;
}

const providerErrorRule: Rule<CanaryContext> = {
	rule: 'canary.providerError',
	onFail: 'hold',
	evaluate(context) {
		const error = context.input.providerError;
		if (error === null) return check('canary.providerError', true, null, null, 'metrics provider answered', 'hold');
		return check('canary.providerError', false, error, null, `metrics provider error: ${error}${deadlineText(context)}`, dataEffect(context));
	},
};

const dataRule: Rule<CanaryContext> = {
	rule: 'canary.data',
	onFail: 'hold',
	evaluate(context) {
		const { input, analysis } = context;
		if (analysis.outcome === 'provider-error') return check('canary.data', false, null, null, 'no data: see canary.providerError', 'note');
		const requests = input.canary?.requests;
		const present = !input.noData && requests !== undefined;
		if (present) return check('canary.data', true, requests, null, 'canary metrics present', 'hold');
		const why = input.noData ? 'evidence.noData is set' : 'evidence.canary.requests is missing';
		return check('canary.data', false, null, null, `no canary data (${why})${deadlineText(context)}`, dataEffect(context));
	},
};

const minRequestsRule: Rule<CanaryContext> = {
	rule: 'canary.minRequests',
	onFail: 'hold',
	evaluate({ input, canary, source }) {
		const requests = input.canary?.requests;
		const effect: CheckEffect = source === 'manual' ? 'note' : 'hold';
		if (requests === undefined) return check('canary.minRequests', false, null, canary.minRequests, 'not evaluated: no request count', 'note');
		const passed = requests >= canary.minRequests;
		const detail = passed
			? `${formatNumber(requests)} canary requests, enough to judge rates`
			: `only ${formatNumber(requests)} canary requests (need ${canary.minRequests}) before rates are judged; the canary pauses`;
		return check('canary.minRequests', passed, requests, canary.minRequests, detail, effect);
	},
};

function metricRule(key: MetricKey, rule: string, unit: string): Rule<CanaryContext> {
	return {
		rule,
		onFail: 'note',
		evaluate(context): Check {
			const judgement = context.analysis[key];
			const { status, canary, stable, limit, ratioLimit } = judgement;
			const stableText = stable === null ? 'stable unknown' : `stable ${formatNumber(stable)}${unit}`;
			switch (status) {
				case 'not-judged':
					return check(rule, false, null, limit, `not judged: ${context.analysis.outcome}`, 'note');
				case 'missing': {
					// A conclusive failure on the other metric already decides the run.
					const effect = context.analysis.outcome === 'fail' ? 'note' : dataEffect(context);
					return check(rule, false, null, limit, `canary ${key} missing${deadlineText(context)}`, effect);
				}
				case 'ok':
					return check(rule, true, canary, limit, `canary ${formatNumber(canary ?? 0)}${unit} within ${limit}${unit} (${stableText})`, 'note');
				case 'fail':
					return check(rule, false, canary, limit, `canary ${formatNumber(canary ?? 0)}${unit} above ${limit}${unit} and to blame (${stableText}, allowed ratio ${ratioLimit}×)`, 'note');
				default:
					return check(rule, false, canary, limit, `canary ${formatNumber(canary ?? 0)}${unit} above ${limit}${unit} but ${stableText} is as bad (within ${ratioLimit}×)`, 'note');
			}
		},
	};
}

const attributionRule: Rule<CanaryContext> = {
	rule: 'canary.attribution',
	onFail: 'hold',
	evaluate({ analysis, source }) {
		const passed = analysis.outcome !== 'platform-degraded';
		const detail = passed
			? 'breaches, if any, are the canary’s own'
			: 'stable breaches the same limits; the problem is not the canary and a rollback would not help';
		return check('canary.attribution', passed, analysis.outcome, null, detail, source === 'manual' ? 'note' : 'hold');
	},
};

function failureLimitRule(rule: string, pick: (analysis: CanaryAnalysis) => number, limit: (policy: CanaryPolicy) => number, what: string): Rule<CanaryContext> {
	return {
		rule,
		onFail: 'apply',
		evaluate({ analysis, canary }) {
			const count = pick(analysis);
			const bound = limit(canary);
			const passed = count < bound;
			const detail = passed ? `${count} ${what} failures (rollback at ${bound})` : `${count} ${what} failures reached the limit of ${bound}: roll back`;
			return check(rule, passed, count, bound, detail, 'apply');
		},
	};
}

const llmRule: Rule<CanaryContext> = {
	rule: 'approval.llm',
	onFail: 'approve',
	evaluate({ source, analysis }) {
		const passed = !(source === 'llm' && analysis.rollbackDue);
		const detail = passed ? `${source} proposal` : 'the evidence came with an llm proposal; a human confirms the rollback';
		return check('approval.llm', passed, source, null, detail, 'approve');
	},
};

// `source` is whatever the proposer wrote, so "manual" proves nobody asked:
// a rollback without evidence goes to a person, who confirms it through the
// authenticated approval step (the gate run again with the approval).
const manualRule: Rule<CanaryContext> = {
	rule: 'approval.manual',
	onFail: 'approve',
	evaluate({ source }) {
		const passed = source !== 'manual';
		const detail = passed ? `${source} proposal` : 'a manual rollback is only as good as who asked: a person confirms it through the approval step';
		return check('approval.manual', passed, source, null, detail, 'approve');
	},
};

export const CANARY_RULES: readonly Rule<CanaryContext>[] = [
	namespaceRule,
	sourceRule(['alert', 'manual', 'llm']),
	freezeRule,
	circuitBreakerRule,
	providerErrorRule,
	dataRule,
	minRequestsRule,
	metricRule('errorRate', 'canary.errorRate', ''),
	metricRule('p99LatencyMs', 'canary.p99Latency', 'ms'),
	attributionRule,
	failureLimitRule('canary.consecutiveFailures', (a) => a.consecutiveFailures, (p) => p.consecutiveFailures, 'consecutive'),
	failureLimitRule('canary.cumulativeFailures', (a) => a.cumulativeFailures, (p) => p.cumulativeFailures, 'cumulative'),
	manualRule,
	llmRule,
];

export function runCanary({ input, policy, state, nowMs }: FamilyArgs<RollbackInput>): FamilyResult {
	const parsed = validateCanaryState(state);
	const context: CanaryContext | null =
		parsed.ok && input !== null && policy !== null && nowMs !== null
			? {
					...baseContext('rollback', input.proposal, policy, nowMs, parsed.state),
					input,
					state: parsed.state,
					canary: policy.canary,
					analysis: analyzeCanary(input, policy.canary, parsed.state, nowMs),
				}
			: null;
	const result: FamilyResult = {
		stateCheck: stateCheck(parsed.ok ? null : parsed.issues),
		checks: runRules(CANARY_RULES, context, INVALID_INPUTS),
		// A human asking for a rollback gets it unless a gate above holds or rejects it.
		baseline: context?.source === 'manual' ? 'apply' : 'hold',
		value: (decision): CanaryValue | null => {
			if (context === null || decision === 'reject') return null;
			if (decision === 'apply' || decision === 'approve') return 'rollback';
			return context.analysis.outcome === 'pass' ? 'continue' : 'pause';
		},
		summary: (decision) => {
			if (context === null) return decision;
			const { analysis, canary } = context;
			const name = `${context.target.kind}/${context.target.name}`;
			if (decision === 'apply') return `manual rollback of ${name} requested`;
			if (analysis.outcome === 'pass') return `canary ${name} is healthy: continue`;
			const counts = `${analysis.consecutiveFailures}/${canary.consecutiveFailures} consecutive, ${analysis.cumulativeFailures}/${canary.cumulativeFailures} cumulative`;
			return `canary ${name} ${analysis.outcome} this run (${counts} failures before rollback): pause`;
		},
	};
	if (context !== null) {
		const { analysis } = context;
		if (analysis.deadline !== null) result.deadline = isoString(analysis.deadline);
		result.nextState = canaryStateToJson(
			{
				consecutiveFailures: analysis.consecutiveFailures,
				cumulativeFailures: analysis.cumulativeFailures,
				noDataSince: analysis.noDataSince,
				consecutiveErrors: context.state.consecutiveErrors,
			},
			isoString,
		);
	}
	return result;
}
