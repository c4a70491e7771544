import { evaluate, planScale, SCALING_DEFAULTS } from '../../../src/policy';
import { at, checkOf, failed, NOW, scalePolicy, scaleProposal, TARGET } from './helpers';

const RULE_ORDER = [
	'input.policy',
	'input.proposal',
	'input.state',
	'input.now',
	'namespace.allowed',
	'changeFreeze',
	'cooldown',
	'accuracyGate',
	'circuitBreaker',
	'clamp.stepUp',
	'clamp.stepDown',
	'clamp.maxReplicas',
	'clamp.minReplicas',
	'clamp.zeroFloor',
	'change',
	'approval.factor',
	'approval.llmDeviation',
	'approval.scaleIn',
	'approval.scaleToZero',
];

describe('scaling: the verdict shape', () => {
	it('lists every check in a fixed order whatever the decision', () => {
		const applied = evaluate(scaleProposal(4, 6), scalePolicy(), {}, NOW);
		const rejected = evaluate(scaleProposal(4, Number.NaN), scalePolicy(), {}, NOW);
		expect(applied.decision).toBe('apply');
		expect(rejected.decision).toBe('reject');
		expect(applied.checks.map((item) => item.rule)).toEqual(RULE_ORDER);
		expect(rejected.checks.map((item) => item.rule)).toEqual(RULE_ORDER);
		expect(checkOf(rejected, 'clamp.stepUp').detail).toMatch(/^not evaluated/);
	});

	it('carries measured values and limits for every check', () => {
		const verdict = evaluate(scaleProposal(4, 30), scalePolicy(), { lastActionAt: at(-600) }, NOW);
		expect(checkOf(verdict, 'cooldown')).toMatchObject({ passed: true, measured: 600, limit: 300 });
		expect(checkOf(verdict, 'accuracyGate')).toMatchObject({ measured: 0.05, limit: 0.25 });
		expect(checkOf(verdict, 'clamp.stepUp')).toMatchObject({ passed: true, measured: 30, limit: 8, onFail: 'note' });
		expect(verdict).toMatchObject({ decision: 'apply', value: 8, action: 'scale', evaluatedAt: '2025-03-10T12:00:00.000Z' });
		expect(verdict.proposalHash).toMatch(/^sha256:[0-9a-f]{64}$/);
	});
});

describe('scaling: policy as text', () => {
	it('accepts the policy as YAML or JSON text and reports its parse errors as rejects', () => {
		expect(evaluate(scaleProposal(4, 6), 'minReplicas: 2\nmaxReplicas: 5\n', {}, NOW)).toMatchObject({ decision: 'apply', value: 5 });
		expect(evaluate(scaleProposal(4, 6), '{"minReplicas": 2, "maxReplicas": 50}', {}, NOW).value).toBe(6);
		expect(evaluate(scaleProposal(4, 6), 'minReplicas: [', {}, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'input.policy' });
	});
});

describe('scaling 1: malformed input and namespaces are rejected', () => {
	const cases: Array<[string, Record<string, unknown>]> = [
		['missing target', { target: undefined }],
		['target without namespace', { target: { cluster: 'c', kind: 'Deployment', name: 'x' } }],
		['negative replicas', { proposed: { replicas: -1 } }],
		['fractional replicas', { proposed: { replicas: 1.5 } }],
		['NaN replicas', { current: { replicas: Number.NaN } }],
		['Infinity replicas', { proposed: { replicas: Infinity } }],
		['string replicas', { proposed: { replicas: '5' } }],
		['replicas above int32', { proposed: { replicas: 2 ** 31 } }],
		['unknown top-level field', { force: true }],
		['extra field inside current', { current: { replicas: 3, ready: 3 } }],
		['mape of the wrong type', { evidence: { backtest: { mape: '0.1' } } }],
		['unknown source', { source: 'cron' }],
		['evidence that is not an object', { evidence: [1, 2] }],
	];
	it.each(cases)('%s', (_name, override) => {
		const verdict = evaluate(scaleProposal(4, 6, override), scalePolicy(), {}, NOW);
		expect(verdict.decision).toBe('reject');
		expect(verdict.value).toBeNull();
		expect(verdict.decidedBy).toBe('input.proposal');
	});

	it('names the field and the fix', () => {
		const verdict = evaluate(scaleProposal(4, 6, { proposed: { replicas: -3 } }), scalePolicy(), {}, NOW);
		expect(verdict.reason).toContain('proposal.proposed.replicas');
		expect(verdict.reason).toContain('fix:');
	});

	it('rejects an unknown action and non-object proposals', () => {
		for (const proposal of [null, undefined, 'scale', 42, [], { ...scaleProposal(1, 2), action: 'delete' }]) {
			expect(evaluate(proposal, scalePolicy(), {}, NOW).decision).toBe('reject');
		}
	});

	it('rejects a namespace outside allowedNamespaces', () => {
		const verdict = evaluate(scaleProposal(4, 6), scalePolicy({ allowedNamespaces: ['payments'] }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'reject', decidedBy: 'namespace.allowed' });
		expect(checkOf(verdict, 'namespace.allowed')).toMatchObject({ measured: 'shop', limit: ['payments'] });
		expect(evaluate(scaleProposal(4, 6), scalePolicy({ allowedNamespaces: ['shop'] }), {}, NOW).decision).toBe('apply');
	});

	it('rejects a policy without replica bounds, a malformed state and an invalid now', () => {
		expect(evaluate(scaleProposal(4, 6), { maxStepUpPods: 2 }, {}, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'input.policy' });
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), { lastActionAt: 'yesterday' }, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'input.state' });
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), { lastActonAt: at(-10) }, NOW).reason).toContain('did you mean lastActionAt?');
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), {}, 'now')).toMatchObject({ decision: 'reject', decidedBy: 'input.now' });
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), {}, Number.NaN).decision).toBe('reject');
	});
});

describe('scaling 2: change freezes and cooldown hold', () => {
	const freeze = { changeFreezes: [{ start: at(-3600), end: at(3600), reason: 'release train' }] };

	it('holds inside a freeze window', () => {
		const verdict = evaluate(scaleProposal(4, 6), scalePolicy(freeze), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'changeFreeze', value: 4 });
		expect(verdict.reason).toContain('release train');
	});

	it('treats windows as half-open: the end instant is no longer frozen', () => {
		const ending = { changeFreezes: [{ start: at(-3600), end: NOW }] };
		expect(evaluate(scaleProposal(4, 6), scalePolicy(ending), {}, NOW).decision).toBe('apply');
		const starting = { changeFreezes: [{ start: NOW, end: at(60) }] };
		expect(evaluate(scaleProposal(4, 6), scalePolicy(starting), {}, NOW).decision).toBe('hold');
	});

	it('ignores a freeze that does not list scale', () => {
		const failbackOnly = { changeFreezes: [{ start: at(-60), end: at(60), actions: ['failback'] }] };
		const verdict = evaluate(scaleProposal(4, 6), scalePolicy(failbackOnly), {}, NOW);
		expect(verdict.decision).toBe('apply');
		expect(checkOf(verdict, 'changeFreeze').detail).toContain('does not cover scale');
	});

	it('holds during cooldown and passes exactly at its end', () => {
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), { lastActionAt: at(-299) }, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'cooldown' });
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), { lastActionAt: at(-300) }, NOW).decision).toBe('apply');
		expect(evaluate(scaleProposal(4, 6), scalePolicy({ cooldownSeconds: 0 }), { lastActionAt: NOW }, NOW).decision).toBe('apply');
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), { lastActionAt: null }, NOW).decision).toBe('apply');
	});

	it('holds when the last action is in the future (clock skew)', () => {
		const verdict = evaluate(scaleProposal(4, 6), scalePolicy({ cooldownSeconds: 0 }), { lastActionAt: at(120) }, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'cooldown' });
		expect(verdict.reason).toContain('future');
	});
});

describe('scaling 3: accuracy gate and circuit breaker hold', () => {
	it('holds a forecast without a backtest MAPE', () => {
		const verdict = evaluate(scaleProposal(4, 6, { evidence: {} }), scalePolicy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'accuracyGate' });
		expect(evaluate(scaleProposal(4, 6, { evidence: undefined }), scalePolicy(), {}, NOW).decision).toBe('hold');
	});

	it('holds a forecast whose WAPE is above the default gate (0.25), passes at the gate, whatever its MAPE', () => {
		expect(evaluate(scaleProposal(4, 6, { evidence: { backtest: { wape: 0.251, mape: 0.05 } } }), scalePolicy(), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'accuracyGate' });
		expect(evaluate(scaleProposal(4, 6, { evidence: { backtest: { wape: 0.25, mape: 0.6 } } }), scalePolicy(), {}, NOW).decision).toBe('apply');
		expect(evaluate(scaleProposal(4, 6, { evidence: { backtest: { mape: 0.05 } } }), scalePolicy(), {}, NOW).reason).toContain('evidence.backtest.wape');
	});

	it('keeps MAPE and MASE gates available, and checks every limit named', () => {
		const mapeGate = scalePolicy({ accuracyGate: { maxMape: 0.15 } });
		expect(evaluate(scaleProposal(4, 6, { evidence: { backtest: { mape: 0.151 } } }), mapeGate, {}, NOW).decision).toBe('hold');
		expect(evaluate(scaleProposal(4, 6, { evidence: { backtest: { mape: 0.15 } } }), mapeGate, {}, NOW).decision).toBe('apply');
		const both = scalePolicy({ accuracyGate: { maxWape: 0.2, maxMase: 1 } });
		const held = evaluate(scaleProposal(4, 6, { evidence: { backtest: { wape: 0.1, mase: 1.2 } } }), both, {}, NOW);
		expect(held).toMatchObject({ decision: 'hold', decidedBy: 'accuracyGate' });
		expect(checkOf(held, 'accuracyGate')).toMatchObject({ measured: 1.2, limit: 1 });
		expect(evaluate(scaleProposal(4, 6, { evidence: { backtest: { wape: 0.1, mase: 0.8 } } }), both, {}, NOW).decision).toBe('apply');
		const strict = scalePolicy({ accuracyGate: { maxMape: 0.04 } });
		expect(evaluate(scaleProposal(4, 6), strict, {}, NOW).decision).toBe('hold');
	});

	it('does not require a backtest from other sources', () => {
		for (const source of ['alert', 'manual']) {
			expect(evaluate(scaleProposal(4, 6, { source, evidence: undefined }), scalePolicy(), {}, NOW).decision).toBe('apply');
		}
	});

	it('holds after maxConsecutiveErrors consecutive errors', () => {
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), { consecutiveErrors: 2 }, NOW).decision).toBe('apply');
		expect(evaluate(scaleProposal(4, 6), scalePolicy(), { consecutiveErrors: 3 }, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'circuitBreaker' });
		expect(evaluate(scaleProposal(4, 6), scalePolicy({ maxConsecutiveErrors: 1 }), { consecutiveErrors: 1 }, NOW).decision).toBe('hold');
	});
});

describe('scaling 4: clamping', () => {
	it('limits a step up to max(ceil(current × maxStepUpPercent / 100), maxStepUpPods)', () => {
		expect(evaluate(scaleProposal(4, 40), scalePolicy(), {}, NOW).value).toBe(8);
		expect(evaluate(scaleProposal(2, 19), scalePolicy(), {}, NOW).value).toBe(6);
		expect(evaluate(scaleProposal(10, 40), scalePolicy({ maxStepUpPercent: 25 }), {}, NOW).value).toBe(14);
		expect(evaluate(scaleProposal(10, 40), scalePolicy({ maxStepUpPercent: 50 }), {}, NOW).value).toBe(15);
		expect(evaluate(scaleProposal(3, 40), scalePolicy({ maxStepUpPercent: 10, maxStepUpPods: 0 }), {}, NOW).value).toBe(4);
	});

	it('reports a clamp as a passed check with a note, not a failure', () => {
		const verdict = evaluate(scaleProposal(4, 39), scalePolicy(), {}, NOW);
		expect(verdict.decision).toBe('apply');
		expect(checkOf(verdict, 'clamp.stepUp')).toMatchObject({ passed: true, measured: 39, limit: 8, onFail: 'note' });
		expect(checkOf(verdict, 'clamp.stepUp').detail).toContain('clamped 39 → 8');
	});

	it('clamps to maxReplicas', () => {
		const verdict = evaluate(scaleProposal(18, 30), scalePolicy({ maxReplicas: 20 }), {}, NOW);
		expect(verdict.value).toBe(20);
		expect(checkOf(verdict, 'clamp.maxReplicas').detail).toContain('lowered 30 → 20');
	});

	it('raises to minReplicas, even past the step limit', () => {
		const verdict = evaluate(scaleProposal(1, 1, { source: 'alert' }), scalePolicy({ minReplicas: 10 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', value: 10 });
		expect(checkOf(verdict, 'clamp.minReplicas').detail).toContain('raised 1 → 10');
	});

	it('never goes below current without allowScaleIn', () => {
		const verdict = evaluate(scaleProposal(10, 3), scalePolicy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'change', value: 10 });
		expect(checkOf(verdict, 'clamp.stepDown').detail).toContain('allowScaleIn: false');
	});

	it('brings a workload above maxReplicas down to it, but only with a human', () => {
		const verdict = evaluate(scaleProposal(30, 35), scalePolicy({ maxReplicas: 20 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'approve', decidedBy: 'approval.scaleIn', value: 20 });
	});
});

describe('scaling 4b: scale-in when allowed', () => {
	const scaleIn = scalePolicy({ allowScaleIn: true, minReplicas: 2, maxReplicas: 200 });

	it('steps down by at most floor(current × maxStepDownPercent / 100)', () => {
		expect(evaluate(scaleProposal(100, 10), scaleIn, {}, NOW)).toMatchObject({ decision: 'apply', value: 90 });
		expect(evaluate(scaleProposal(100, 95), scaleIn, {}, NOW).value).toBe(95);
		expect(evaluate(scaleProposal(40, 1), scalePolicy({ allowScaleIn: true, maxStepDownPercent: 50 }), {}, NOW).value).toBe(20);
	});

	it('removes nothing from a small workload when the step rounds to zero', () => {
		expect(evaluate(scaleProposal(9, 5), scaleIn, {}, NOW)).toMatchObject({ decision: 'hold', value: 9 });
		expect(evaluate(scaleProposal(10, 5), scaleIn, {}, NOW)).toMatchObject({ decision: 'apply', value: 9 });
	});

	it('never goes below minReplicas', () => {
		const policy = scalePolicy({ allowScaleIn: true, minReplicas: 5, maxStepDownPercent: 100 });
		expect(evaluate(scaleProposal(8, 0), policy, {}, NOW).value).toBe(5);
	});

	it('never lets an automated source scale a running workload to zero', () => {
		const policy = scalePolicy({ allowScaleIn: true, minReplicas: 0, maxStepDownPercent: 100 });
		for (const source of ['forecast', 'alert']) {
			const verdict = evaluate(scaleProposal(3, 0, { source }), policy, {}, NOW);
			expect(verdict).toMatchObject({ decision: 'apply', value: 1 });
			expect(checkOf(verdict, 'clamp.zeroFloor').detail).toContain('never scale a running workload to zero');
		}
	});

	it('lets a human propose zero, but needs a second human to approve it', () => {
		const policy = scalePolicy({ allowScaleIn: true, minReplicas: 0, maxStepDownPercent: 100 });
		const verdict = evaluate(scaleProposal(3, 0, { source: 'manual', evidence: undefined }), policy, {}, NOW);
		expect(verdict).toMatchObject({ decision: 'approve', decidedBy: 'approval.scaleToZero', value: 0 });
	});
});

describe('scaling 5: approval', () => {
	it('asks a human when proposed >= current × approvalFactor, acting on the clamped value', () => {
		const verdict = evaluate(scaleProposal(2, 20), scalePolicy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'approve', decidedBy: 'approval.factor', value: 6 });
		expect(checkOf(verdict, 'approval.factor')).toMatchObject({ measured: 20, limit: 20 });
		expect(evaluate(scaleProposal(2, 19), scalePolicy(), {}, NOW).decision).toBe('apply');
		expect(evaluate(scaleProposal(2, 4), scalePolicy({ approvalFactor: 2 }), {}, NOW).decision).toBe('approve');
	});

	it('sends a scale-up from zero to a human', () => {
		const verdict = evaluate(scaleProposal(0, 3), scalePolicy({ minReplicas: 0 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'approve', value: 3 });
	});

	it('asks a human when an llm deviates from the deterministic recommendation', () => {
		const llm = (proposed: number, deterministic?: unknown): Record<string, unknown> =>
			scaleProposal(10, proposed, { source: 'llm', evidence: deterministic === undefined ? {} : { deterministic: { replicas: deterministic } } });
		expect(evaluate(llm(12, 10), scalePolicy(), {}, NOW)).toMatchObject({ decision: 'apply', value: 12 });
		expect(evaluate(llm(8, 10), scalePolicy({ allowScaleIn: true, maxStepDownPercent: 50 }), {}, NOW).decision).toBe('apply');
		const far = evaluate(llm(13, 10), scalePolicy(), {}, NOW);
		expect(far).toMatchObject({ decision: 'approve', decidedBy: 'approval.llmDeviation', value: 13 });
		expect(checkOf(far, 'approval.llmDeviation')).toMatchObject({ measured: 30, limit: 25 });
		expect(evaluate(llm(12), scalePolicy(), {}, NOW)).toMatchObject({ decision: 'approve', decidedBy: 'approval.llmDeviation' });
		expect(evaluate(llm(12, 0), scalePolicy(), {}, NOW).decision).toBe('approve');
		expect(evaluate(llm(12, 'ten'), scalePolicy(), {}, NOW).decision).toBe('reject');
	});
});

describe('scaling 6: no change holds', () => {
	it('holds when the permitted value equals current, with value = current', () => {
		expect(evaluate(scaleProposal(6, 6), scalePolicy(), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'change', value: 6 });
		expect(evaluate(scaleProposal(50, 80), scalePolicy({ maxReplicas: 50 }), {}, NOW)).toMatchObject({ decision: 'hold', value: 50 });
	});
});

describe('scaling: rule order', () => {
	const freeze = { changeFreezes: [{ start: at(-60), end: at(60) }] };

	it('reject beats everything: malformed input during a freeze', () => {
		const verdict = evaluate(scaleProposal(4, -1), scalePolicy(freeze), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'reject', decidedBy: 'input.proposal' });
	});

	it('a wrong namespace is rejected even in a freeze and in cooldown', () => {
		const verdict = evaluate(scaleProposal(4, 6), scalePolicy({ ...freeze, allowedNamespaces: ['x'] }), { lastActionAt: NOW }, NOW);
		expect(verdict).toMatchObject({ decision: 'reject', decidedBy: 'namespace.allowed' });
		expect(failed(verdict)).toEqual(['namespace.allowed', 'changeFreeze', 'cooldown']);
	});

	it('the first hold in order is named: freeze before cooldown before accuracy', () => {
		const verdict = evaluate(scaleProposal(4, 6, { evidence: {} }), scalePolicy(freeze), { lastActionAt: NOW, consecutiveErrors: 9 }, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'changeFreeze' });
		expect(failed(verdict)).toEqual(['changeFreeze', 'cooldown', 'accuracyGate', 'circuitBreaker']);
	});

	it('holds beat approvals: a 10x jump in cooldown is held, not sent to a human', () => {
		const verdict = evaluate(scaleProposal(2, 40), scalePolicy(), { lastActionAt: NOW }, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'cooldown' });
		expect(checkOf(verdict, 'approval.factor').passed).toBe(false);
	});

	it('a no-op is held rather than sent for approval', () => {
		const verdict = evaluate(scaleProposal(50, 900), scalePolicy({ maxReplicas: 50 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'change', value: 50 });
		expect(checkOf(verdict, 'approval.factor').passed).toBe(false);
	});

	it('clamps happen before the change test: a clamp that lands on current is a hold', () => {
		expect(evaluate(scaleProposal(8, 2), scalePolicy(), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'change' });
	});
});

describe('planScale', () => {
	const bounds = { minReplicas: 2, maxReplicas: 20, maxStepUpPercent: 100, maxStepUpPods: 4, allowScaleIn: false, maxStepDownPercent: 10 };

	it('exposes every stage of the clamp', () => {
		expect(planScale(4, 100, bounds, 'forecast')).toEqual({
			current: 4,
			proposed: 100,
			maxUp: 4,
			maxDown: 0,
			stepCeiling: 8,
			stepFloor: 4,
			afterStepUp: 8,
			afterStepDown: 8,
			afterMax: 8,
			afterMin: 8,
			final: 8,
		});
	});

	it('uses the documented defaults', () => {
		expect(SCALING_DEFAULTS).toMatchObject({ maxStepUpPercent: 100, maxStepUpPods: 4, allowScaleIn: false, maxStepDownPercent: 10, cooldownSeconds: 300, approvalFactor: 10, maxWape: 0.25, llmMaxDeviationPercent: 25 });
		expect(TARGET.namespace).toBe('shop');
	});
});
