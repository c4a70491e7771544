import { evaluate } from '../../../src/policy';
import { at, canaryProposal, checkOf, failed, NOW } from './helpers';

const policy = (canary: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ canary, ...extra });
const healthy = { requests: 2000, errorRate: 0.001, p99LatencyMs: 130 };
const erroring = { requests: 2000, errorRate: 0.02, p99LatencyMs: 130 };

describe('canary: analysis outcomes', () => {
	it('continues a healthy canary and resets the consecutive counter', () => {
		const verdict = evaluate(canaryProposal(healthy), policy(), { consecutiveFailures: 2, cumulativeFailures: 2 }, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', value: 'continue', decidedBy: null });
		expect(verdict.nextState).toEqual({ consecutiveFailures: 0, cumulativeFailures: 2, noDataSince: null });
		expect(verdict.checks.map((item) => item.rule)).toEqual([
			'input.policy',
			'input.proposal',
			'input.state',
			'input.now',
			'namespace.allowed',
			'source.allowed',
			'changeFreeze',
			'circuitBreaker',
			'canary.providerError',
			'canary.data',
			'canary.minRequests',
			'canary.errorRate',
			'canary.p99Latency',
			'canary.attribution',
			'canary.consecutiveFailures',
			'canary.cumulativeFailures',
			'approval.manual',
			'approval.llm',
		]);
	});

	it('counts a failure below the limits and pauses the canary', () => {
		const verdict = evaluate(canaryProposal(erroring), policy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', value: 'pause' });
		expect(checkOf(verdict, 'canary.errorRate')).toMatchObject({ passed: false, measured: 0.02, limit: 0.005, onFail: 'note' });
		expect(verdict.nextState).toEqual({ consecutiveFailures: 1, cumulativeFailures: 1, noDataSince: null });
	});

	it('rolls back when consecutive failures reach the limit', () => {
		const verdict = evaluate(canaryProposal(erroring), policy(), { consecutiveFailures: 2, cumulativeFailures: 2 }, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', value: 'rollback', decidedBy: 'canary.consecutiveFailures' });
		expect(checkOf(verdict, 'canary.consecutiveFailures')).toMatchObject({ measured: 3, limit: 3 });
	});

	it('rolls back when cumulative failures reach the limit, even if not consecutive', () => {
		const verdict = evaluate(canaryProposal(erroring), policy(), { consecutiveFailures: 0, cumulativeFailures: 4 }, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', value: 'rollback', decidedBy: 'canary.cumulativeFailures' });
	});

	it('judges p99 latency against its absolute limit', () => {
		const slow = { requests: 2000, errorRate: 0, p99LatencyMs: 260 };
		const verdict = evaluate(canaryProposal(slow), policy({ consecutiveFailures: 1 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', decidedBy: 'canary.consecutiveFailures' });
		expect(checkOf(verdict, 'canary.p99Latency')).toMatchObject({ passed: false, measured: 260, limit: 200 });
	});
});

describe('canary: relative to stable', () => {
	const badStable = { requests: 50_000, errorRate: 0.02, p99LatencyMs: 400 };

	it('does not blame the canary when stable breaches the same limit as badly', () => {
		const verdict = evaluate(canaryProposal({ requests: 2000, errorRate: 0.021, p99LatencyMs: 420 }, badStable), policy({ consecutiveFailures: 1 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', value: 'pause', decidedBy: 'canary.attribution' });
		expect(verdict.nextState).toEqual({ consecutiveFailures: 0, cumulativeFailures: 0, noDataSince: null });
	});

	it('still blames the canary when it is worse than stable by more than the ratio', () => {
		const verdict = evaluate(canaryProposal({ requests: 2000, errorRate: 0.031, p99LatencyMs: 400 }, badStable), policy({ consecutiveFailures: 1 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', value: 'rollback' });
	});

	it('blames the canary when stable has too little traffic to compare', () => {
		const thinStable = { requests: 10, errorRate: 0.5, p99LatencyMs: 900 };
		expect(evaluate(canaryProposal(erroring, thinStable), policy({ consecutiveFailures: 1 }), {}, NOW).decision).toBe('apply');
		expect(evaluate(canaryProposal(erroring, null), policy({ consecutiveFailures: 1 }), {}, NOW).decision).toBe('apply');
	});
});

describe('canary: no data and provider errors are outcomes of their own', () => {
	it('holds on missing data with a deadline and records when data stopped', () => {
		const verdict = evaluate(canaryProposal(null), policy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', value: 'pause', decidedBy: 'canary.data', deadline: at(600) });
		expect(verdict.nextState).toEqual({ consecutiveFailures: 0, cumulativeFailures: 0, noDataSince: '2025-03-10T12:00:00.000Z' });
	});

	it('never rolls back on no data, even with failures at the limit; after the deadline a human decides', () => {
		const state = { consecutiveFailures: 5, cumulativeFailures: 9, noDataSince: at(-300) };
		const before = evaluate(canaryProposal(null, null, { noData: true }), policy(), state, NOW);
		expect(before).toMatchObject({ decision: 'hold', deadline: at(300) });
		const after = evaluate(canaryProposal(null, null, { noData: true }), policy(), { ...state, noDataSince: at(-600) }, NOW);
		expect(after).toMatchObject({ decision: 'approve', value: 'rollback', decidedBy: 'canary.data' });
	});

	it('treats NaN and null rates (0/0 in PromQL) as missing data, not a malformed proposal', () => {
		const verdict = evaluate(canaryProposal({ requests: 500, errorRate: Number.NaN, p99LatencyMs: null }), policy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', value: 'pause', decidedBy: 'canary.errorRate' });
		expect(verdict.deadline).toBe(at(600));
	});

	it('counts a conclusive failure even when another metric is missing', () => {
		const verdict = evaluate(canaryProposal({ requests: 500, errorRate: 0.3, p99LatencyMs: null }), policy({ consecutiveFailures: 1 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', value: 'rollback' });
	});

	it('holds on provider errors with a deadline, then asks a human', () => {
		const evidence = { providerError: 'prometheus: 503 Service Unavailable' };
		const verdict = evaluate(canaryProposal(erroring, null, evidence), policy(), { consecutiveFailures: 2 }, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'canary.providerError', deadline: at(600) });
		expect(verdict.nextState?.consecutiveFailures).toBe(2);
		const late = evaluate(canaryProposal(erroring, null, evidence), policy(), { noDataSince: at(-601) }, NOW);
		expect(late).toMatchObject({ decision: 'approve', decidedBy: 'canary.providerError' });
	});

	it('pauses without judging rates below minRequests', () => {
		const verdict = evaluate(canaryProposal({ requests: 40, errorRate: 0.5, p99LatencyMs: 900 }), policy({ consecutiveFailures: 1 }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', value: 'pause', decidedBy: 'canary.minRequests' });
		expect(checkOf(verdict, 'canary.errorRate').detail).toContain('not judged');
		expect(verdict.nextState?.consecutiveFailures).toBe(0);
		expect(verdict.deadline).toBeUndefined();
	});
});

describe('canary: sources, freezes and malformed input', () => {
	it('asks a human to confirm an llm-sourced rollback, continues a healthy llm-sourced run', () => {
		const due = evaluate(canaryProposal(erroring, undefined, {}, { source: 'llm' }), policy({ consecutiveFailures: 1 }), {}, NOW);
		expect(due).toMatchObject({ decision: 'approve', value: 'rollback', decidedBy: 'approval.llm' });
		expect(evaluate(canaryProposal(healthy, undefined, {}, { source: 'llm' }), policy(), {}, NOW).decision).toBe('hold');
	});

	it('sends a manual rollback without data to a person (source is only what the proposer wrote)', () => {
		const verdict = evaluate(canaryProposal(null, null, {}, { source: 'manual' }), policy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'approve', value: 'rollback', decidedBy: 'approval.manual' });
		expect(evaluate(canaryProposal(null, null, {}, { source: 'manual' }), policy(), { consecutiveErrors: 3 }, NOW).decision).toBe('hold');
	});

	it('is not frozen by default; a freeze listing rollback holds it', () => {
		const state = { consecutiveFailures: 2 };
		const open = { changeFreezes: [{ start: at(-60), end: at(60) }] };
		expect(evaluate(canaryProposal(erroring), policy({}, open), state, NOW).decision).toBe('apply');
		const frozen = { changeFreezes: [{ start: at(-60), end: at(60), actions: ['rollback'] }] };
		expect(evaluate(canaryProposal(erroring), policy({}, frozen), state, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'changeFreeze' });
	});

	it('rejects forecast sources, malformed metrics and malformed state', () => {
		expect(evaluate(canaryProposal(healthy, undefined, {}, { source: 'forecast' }), policy(), {}, NOW).decidedBy).toBe('source.allowed');
		for (const canary of [{ requests: -1 }, { requests: 10, errorRate: 2 }, { requests: 10, errorRate: '0.1' }, { requests: 10, p99LatencyMs: Infinity }]) {
			expect(evaluate(canaryProposal(canary), policy(), {}, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'input.proposal' });
		}
		expect(evaluate(canaryProposal(healthy, undefined, { noData: 'yes' }), policy(), {}, NOW).decision).toBe('reject');
		expect(evaluate(canaryProposal(healthy), policy(), { consecutiveFailures: -1 }, NOW).decidedBy).toBe('input.state');
		expect(failed(evaluate(canaryProposal(healthy), policy(), { consecutiveFailures: 1.5 }, NOW))[0]).toBe('input.state');
	});

	it('omits nextState and deadline from rejects', () => {
		const verdict = evaluate(canaryProposal(null), { canary: { minRequests: -5 } }, {}, NOW);
		expect(verdict.decision).toBe('reject');
		expect(verdict.nextState).toBeUndefined();
		expect(verdict.deadline).toBeUndefined();
	});
});
