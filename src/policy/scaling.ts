import { check, formatNumber, runRules, type Rule } from './checks';
import { INVALID_INPUTS, stateCheck, type FamilyArgs, type FamilyResult } from './family';
import type { ScaleInput } from './proposal';
import { baseContext, circuitBreakerRule, freezeRule, namespaceRule, type BaseContext } from './sharedRules';
import { validateScaleState, type ParsedScaleState } from './state';
import { isoString, secondsBetween } from '../shared/time';
import type { ProposalSource, ResolvedPolicy } from './types';

export interface ScaleBounds {
	minReplicas: number;
	maxReplicas: number;
	maxStepUpPercent: number;
	maxStepUpPods: number;
	allowScaleIn: boolean;
	maxStepDownPercent: number;
}

// Each stage of the clamp, kept so every check can show what it changed.
export interface ScalePlan {
	current: number;
	proposed: number;
	maxUp: number;
	maxDown: number;
	stepCeiling: number;
	stepFloor: number;
	afterStepUp: number;
	afterStepDown: number;
	afterMax: number;
	afterMin: number;
	final: number;
}

// The order matters: the step limits come first, then maxReplicas (which may pull
// a workload already above it down, the only decrease allowed without
// allowScaleIn), then minReplicas (a floor always wins), then the zero guard.
export function planScale(current: number, proposed: number, bounds: ScaleBounds, source: ProposalSource): ScalePlan {
	const maxUp = Math.max(Math.ceil((current * bounds.maxStepUpPercent) / 100), bounds.maxStepUpPods);
	// floor, not ceil: scale-in is the direction that causes outages, so a 10% step
	// on 5 replicas removes nothing rather than 20% of the capacity.
	const maxDown = bounds.allowScaleIn ? Math.floor((current * bounds.maxStepDownPercent) / 100) : 0;
	const stepCeiling = current + maxUp;
	const stepFloor = current - maxDown;
	const afterStepUp = Math.min(proposed, stepCeiling);
	const afterStepDown = Math.max(afterStepUp, stepFloor);
	const afterMax = Math.min(afterStepDown, bounds.maxReplicas);
	const afterMin = Math.max(afterMax, bounds.minReplicas);
	// Zero replicas is a full outage of the workload. A forecast of zero traffic is
	// far more often a broken query than a real lull, so only a human gets there.
	const final = afterMin === 0 && current > 0 && source !== 'manual' ? 1 : afterMin;
	return { current, proposed, maxUp, maxDown, stepCeiling, stepFloor, afterStepUp, afterStepDown, afterMax, afterMin, final };
}

interface ScalingContext extends BaseContext {
	input: ScaleInput;
	state: ParsedScaleState;
	bounds: ScaleBounds;
	plan: ScalePlan;
}

const cooldownRule: Rule<ScalingContext> = {
	rule: 'cooldown',
	onFail: 'hold',
	evaluate({ state, policy, nowMs }) {
		const limit = policy.cooldownSeconds;
		if (state.lastActionAt === null) return check('cooldown', true, null, limit, 'no previous action recorded', 'hold');
		const elapsed = secondsBetween(state.lastActionAt, nowMs);
		const passed = elapsed >= limit;
		let detail = `${formatNumber(elapsed)}s since the last action at ${isoString(state.lastActionAt)} (cooldown ${limit}s)`;
		if (elapsed < 0) detail = `last action at ${isoString(state.lastActionAt)} is in the future; holding until clocks agree`;
		else if (!passed) detail = `cooling down: ${formatNumber(limit - elapsed)}s left of ${limit}s`;
		return check('cooldown', passed, elapsed, limit, detail, 'hold');
	},
};

const GATE_READINGS = [
	{ limit: 'maxWape', field: 'wape', label: 'WAPE' },
	{ limit: 'maxMape', field: 'mape', label: 'MAPE' },
	{ limit: 'maxMase', field: 'mase', label: 'MASE' },
] as const;

// Every limit the policy names must hold; the check shows the first that fails (else the first named).
const accuracyGateRule: Rule<ScalingContext> = {
	rule: 'accuracyGate',
	onFail: 'hold',
	evaluate({ source, input, policy }) {
		const named = GATE_READINGS.filter((g) => policy.accuracyGate[g.limit] !== undefined);
		const readings = named.map((g) => ({ ...g, max: policy.accuracyGate[g.limit] as number, value: input[g.field] }));
		const first = readings[0];
		if (source !== 'forecast') return check('accuracyGate', true, first?.value ?? null, first?.max ?? null, `not a forecast (${source}); backtest not required`, 'hold');
		const missing = readings.find((r) => r.value === null);
		if (missing) {
			return check('accuracyGate', false, null, missing.max, `forecast has no evidence.backtest.${missing.field}; forecast-only mode until the model is backtested`, 'hold');
		}
		const failing = readings.find((r) => (r.value as number) > r.max);
		const shown = failing ?? first;
		const others = readings.filter((r) => r !== shown).map((r) => `${r.label} ${formatNumber(r.value as number)} (max ${r.max})`);
		const also = others.length > 0 ? `; ${others.join(', ')}` : '';
		const detail = failing
			? `backtest ${failing.label} ${formatNumber(failing.value as number)} above ${failing.max}; forecast-only mode until accuracy improves${also}`
			: `backtest ${shown.label} ${formatNumber(shown.value as number)} within ${shown.max}${also}`;
		return check('accuracyGate', !failing, shown.value, shown.max, detail, 'hold');
	},
};

function clampRule(
	rule: string,
	bound: string,
	stage: (context: ScalingContext) => { before: number; after: number; limit: number },
	explain: (context: ScalingContext, before: number, after: number) => string,
): Rule<ScalingContext> {
	return {
		rule,
		onFail: 'note',
		evaluate(context) {
			const { before, after, limit } = stage(context);
			const detail = before === after ? `${after} is within ${bound} (${limit})` : explain(context, before, after);
			return check(rule, true, before, limit, detail, 'note');
		},
	};
}

const stepUpRule = clampRule(
	'clamp.stepUp',
	'the step-up ceiling',
	({ plan }) => ({ before: plan.proposed, after: plan.afterStepUp, limit: plan.stepCeiling }),
	({ plan, bounds }, before, after) =>
		`clamped ${before} → ${after}: at most +${plan.maxUp} per run (max(ceil(${plan.current} × ${bounds.maxStepUpPercent}%), ${bounds.maxStepUpPods} pods))`,
);

const stepDownRule = clampRule(
	'clamp.stepDown',
	'the step-down floor',
	({ plan }) => ({ before: plan.afterStepUp, after: plan.afterStepDown, limit: plan.stepFloor }),
	({ plan, bounds }, before, after) =>
		bounds.allowScaleIn
			? `raised ${before} → ${after}: at most -${plan.maxDown} per run (floor(${plan.current} × ${bounds.maxStepDownPercent}%))`
			: `raised ${before} → ${after}: scale-in is disabled (allowScaleIn: false)`,
);

const maxReplicasRule = clampRule(
	'clamp.maxReplicas',
	'maxReplicas',
	({ plan, bounds }) => ({ before: plan.afterStepDown, after: plan.afterMax, limit: bounds.maxReplicas }),
	(_context, before, after) => `lowered ${before} → ${after}: maxReplicas`,
);

const minReplicasRule = clampRule(
	'clamp.minReplicas',
	'minReplicas',
	({ plan, bounds }) => ({ before: plan.afterMax, after: plan.afterMin, limit: bounds.minReplicas }),
	(_context, before, after) => `raised ${before} → ${after}: minReplicas`,
);

const zeroFloorRule = clampRule(
	'clamp.zeroFloor',
	'the zero guard',
	({ plan, source }) => ({ before: plan.afterMin, after: plan.final, limit: plan.current > 0 && source !== 'manual' ? 1 : 0 }),
	({ source }, before, after) => `raised ${before} → ${after}: ${source} proposals never scale a running workload to zero`,
);

const changeRule: Rule<ScalingContext> = {
	rule: 'change',
	onFail: 'hold',
	evaluate({ plan }) {
		const passed = plan.final !== plan.current;
		const detail = passed ? `${plan.current} → ${plan.final}` : `no change: the permitted value equals the current ${plan.current} replicas`;
		return check('change', passed, plan.final, plan.current, detail, 'hold');
	},
};

const approvalFactorRule: Rule<ScalingContext> = {
	rule: 'approval.factor',
	onFail: 'approve',
	evaluate({ plan, policy }) {
		const limit = plan.current * policy.approvalFactor;
		const passed = plan.proposed < limit;
		const detail = passed
			? `proposed ${plan.proposed} is below ${policy.approvalFactor}× current`
			: `proposed ${plan.proposed} is at least ${policy.approvalFactor}× current ${plan.current}; a jump this large needs a human`;
		return check('approval.factor', passed, plan.proposed, limit, detail, 'approve');
	},
};

const llmDeviationRule: Rule<ScalingContext> = {
	rule: 'approval.llmDeviation',
	onFail: 'approve',
	evaluate({ source, input, plan, policy }) {
		const limit = policy.llmMaxDeviationPercent;
		if (source !== 'llm') return check('approval.llmDeviation', true, null, limit, `not an llm proposal (${source})`, 'approve');
		const recommended = input.deterministicReplicas;
		if (recommended === null) {
			return check('approval.llmDeviation', false, null, limit, 'llm proposal carries no evidence.deterministic.replicas to compare against', 'approve');
		}
		const deviation = recommended === 0 ? (plan.proposed === 0 ? 0 : Infinity) : (Math.abs(plan.proposed - recommended) / recommended) * 100;
		const passed = deviation <= limit;
		const detail = `llm proposed ${plan.proposed}, deterministic recommendation ${recommended}: ${formatNumber(deviation)}% apart (limit ${limit}%)`;
		return check('approval.llmDeviation', passed, deviation, limit, detail, 'approve');
	},
};

const scaleInRule: Rule<ScalingContext> = {
	rule: 'approval.scaleIn',
	onFail: 'approve',
	evaluate({ plan, bounds }) {
		const passed = plan.final >= plan.stepFloor;
		const allowed = bounds.allowScaleIn ? `the step-down floor ${plan.stepFloor}` : `current ${plan.current} (allowScaleIn: false)`;
		const detail = passed
			? `${plan.final} is not below ${allowed}`
			: `current ${plan.current} is above maxReplicas ${bounds.maxReplicas}; bringing it down to ${plan.final} is below ${allowed} and needs a human`;
		return check('approval.scaleIn', passed, plan.final, plan.stepFloor, detail, 'approve');
	},
};

const scaleToZeroRule: Rule<ScalingContext> = {
	rule: 'approval.scaleToZero',
	onFail: 'approve',
	evaluate({ plan }) {
		const passed = !(plan.final === 0 && plan.current > 0);
		const detail = passed ? 'does not scale a running workload to zero' : 'scaling a running workload to zero needs a second human';
		return check('approval.scaleToZero', passed, plan.final, 1, detail, 'approve');
	},
};

export const SCALING_RULES: readonly Rule<ScalingContext>[] = [
	namespaceRule,
	freezeRule,
	cooldownRule,
	accuracyGateRule,
	circuitBreakerRule,
	stepUpRule,
	stepDownRule,
	maxReplicasRule,
	minReplicasRule,
	zeroFloorRule,
	changeRule,
	approvalFactorRule,
	llmDeviationRule,
	scaleInRule,
	scaleToZeroRule,
];

export function scaleBounds(policy: ResolvedPolicy): ScaleBounds | null {
	if (policy.minReplicas === undefined || policy.maxReplicas === undefined) return null;
	return {
		minReplicas: policy.minReplicas,
		maxReplicas: policy.maxReplicas,
		maxStepUpPercent: policy.maxStepUpPercent,
		maxStepUpPods: policy.maxStepUpPods,
		allowScaleIn: policy.allowScaleIn,
		maxStepDownPercent: policy.maxStepDownPercent,
	};
}

export function runScaling({ input, policy, state, nowMs }: FamilyArgs<ScaleInput>): FamilyResult {
	const parsed = validateScaleState(state);
	const bounds = policy === null ? null : scaleBounds(policy);
	const ready = parsed.ok && input !== null && policy !== null && bounds !== null && nowMs !== null;
	const context: ScalingContext | null = ready
		? {
				...baseContext('scale', input.proposal, policy, nowMs, parsed.state),
				input,
				state: parsed.state,
				bounds,
				plan: planScale(input.proposal.current.replicas, input.proposal.proposed.replicas, bounds, input.proposal.source),
			}
		: null;
	const current = input?.proposal.current.replicas ?? null;
	return {
		stateCheck: stateCheck(parsed.ok ? null : parsed.issues),
		checks: runRules(SCALING_RULES, context, INVALID_INPUTS),
		baseline: 'apply',
		value: (decision) => {
			if (decision === 'reject' || context === null) return null;
			return decision === 'hold' ? current : context.plan.final;
		},
		summary: (decision) =>
			context === null ? decision : `all checks passed: scale ${context.target.kind}/${context.target.name} ${context.plan.current} → ${context.plan.final}`,
	};
}
