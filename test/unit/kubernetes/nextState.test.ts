import { type LoopOutcome, type LoopState, type NextStateInput, type ProposalAction, nextLoopState } from '../../../src/policy';
import { validateCanaryState, validateFailoverState, validateScaleState } from '../../../src/policy/state';

/*
 * The loop's next state after a run, for every action and outcome. Expected
 * states are written out by hand: this is what the next run's gate reads for
 * its cooldown, flap limits, circuit breaker and canary counters.
 */

const NOW = '2026-03-10T12:00:00.000Z';
const failoverProposal = {
	action: 'failover',
	from: 'eu-west-1',
	to: 'eu-central-1',
	evidence: { regions: { 'eu-west-1': {}, 'eu-central-1': {}, 'us-east-1': {} } },
};
const failbackProposal = { ...failoverProposal, action: 'failback', from: 'eu-central-1', to: 'eu-west-1' };
const canaryNext = { consecutiveFailures: 2, cumulativeFailures: 4, noDataSince: null };

interface Row {
	name: string;
	action: ProposalAction;
	outcome: LoopOutcome;
	previous: unknown;
	verdict?: NextStateInput['verdict'];
	proposal?: unknown;
	expected: LoopState;
}

const rows: Row[] = [
	// scaling
	{ name: 'scale applied on the first run', action: 'scale', outcome: 'applied', previous: undefined, expected: { lastActionAt: NOW, consecutiveErrors: 0 } },
	{ name: 'scale applied resets the breaker', action: 'scale', outcome: 'applied', previous: { lastActionAt: '2026-03-10T10:00:00Z', consecutiveErrors: 2 }, expected: { lastActionAt: NOW, consecutiveErrors: 0 } },
	{ name: 'scale failed counts an error, keeps the last action', action: 'scale', outcome: 'failed', previous: { lastActionAt: '2026-03-10T10:00:00Z', consecutiveErrors: 2 }, expected: { lastActionAt: '2026-03-10T10:00:00Z', consecutiveErrors: 3 } },
	{ name: 'scale failed on the first run', action: 'scale', outcome: 'failed', previous: null, expected: { consecutiveErrors: 1 } },
	{ name: 'scale held: unchanged', action: 'scale', outcome: 'notApplied', previous: { lastActionAt: '2026-03-10T11:58:00Z', consecutiveErrors: 1 }, expected: { lastActionAt: '2026-03-10T11:58:00Z', consecutiveErrors: 1 } },
	{ name: 'scale held on the first run: empty', action: 'scale', outcome: 'notApplied', previous: undefined, expected: {} },

	// failover / failback
	{
		name: 'failover applied: regions from the evidence minus from; flips older than an hour dropped',
		action: 'failover',
		outcome: 'applied',
		previous: { flipTimes: ['2026-03-10T10:30:00Z', '2026-03-10T11:15:00Z'], lastFlipAt: '2026-03-10T11:15:00Z', consecutiveErrors: 1 },
		proposal: failoverProposal,
		expected: { lastFlipAt: NOW, flipTimes: ['2026-03-10T11:15:00Z', NOW], activeRegions: ['eu-central-1', 'us-east-1'], consecutiveErrors: 0 },
	},
	{
		name: 'failover applied: the stored regions win over the evidence',
		action: 'failover',
		outcome: 'applied',
		previous: { activeRegions: ['eu-west-1', 'eu-central-1'] },
		proposal: failoverProposal,
		expected: { lastFlipAt: NOW, flipTimes: [NOW], activeRegions: ['eu-central-1'], consecutiveErrors: 0 },
	},
	{
		name: 'failover applied: the receiving region is listed even when the stored list lacked it',
		action: 'failover',
		outcome: 'applied',
		previous: { activeRegions: ['eu-west-1', 'us-east-1'] },
		proposal: failoverProposal,
		expected: { lastFlipAt: NOW, flipTimes: [NOW], activeRegions: ['us-east-1', 'eu-central-1'], consecutiveErrors: 0 },
	},
	{
		name: 'a flip at exactly an hour ago no longer counts; one in the future (skew) still does',
		action: 'failover',
		outcome: 'applied',
		previous: { flipTimes: ['2026-03-10T11:00:00Z', '2026-03-10T12:05:00Z'], activeRegions: ['eu-west-1', 'eu-central-1'] },
		proposal: failoverProposal,
		expected: { lastFlipAt: NOW, flipTimes: ['2026-03-10T12:05:00Z', NOW], activeRegions: ['eu-central-1'], consecutiveErrors: 0 },
	},
	{
		name: 'failback applied: the recovered region serves again',
		action: 'failback',
		outcome: 'applied',
		previous: { activeRegions: ['eu-central-1'], flipTimes: ['2026-03-10T11:40:00Z'], lastFlipAt: '2026-03-10T11:40:00Z', consecutiveErrors: 0 },
		proposal: failbackProposal,
		expected: { lastFlipAt: NOW, flipTimes: ['2026-03-10T11:40:00Z', NOW], activeRegions: ['eu-central-1', 'eu-west-1'], consecutiveErrors: 0 },
	},
	{
		name: 'failover failed: an error counted, flips and regions unchanged',
		action: 'failover',
		outcome: 'failed',
		previous: { activeRegions: ['eu-west-1', 'eu-central-1'], flipTimes: [], consecutiveErrors: 0 },
		proposal: failoverProposal,
		expected: { activeRegions: ['eu-west-1', 'eu-central-1'], flipTimes: [], consecutiveErrors: 1 },
	},
	{
		name: 'failover held (dwell): unchanged',
		action: 'failover',
		outcome: 'notApplied',
		previous: { activeRegions: ['eu-central-1'], lastFlipAt: '2026-03-10T11:55:00Z' },
		proposal: failoverProposal,
		expected: { activeRegions: ['eu-central-1'], lastFlipAt: '2026-03-10T11:55:00Z' },
	},

	// canary
	{
		name: 'canary held: the gate\'s nextState',
		action: 'rollback',
		outcome: 'notApplied',
		previous: { consecutiveFailures: 1, cumulativeFailures: 3, noDataSince: null },
		verdict: { decision: 'hold', nextState: canaryNext },
		expected: canaryNext,
	},
	{
		name: 'canary awaiting approval: the gate\'s nextState',
		action: 'rollback',
		outcome: 'notApplied',
		previous: {},
		verdict: { decision: 'approve', nextState: { consecutiveFailures: 0, cumulativeFailures: 0, noDataSince: '2026-03-10T11:50:00Z' } },
		expected: { consecutiveFailures: 0, cumulativeFailures: 0, noDataSince: '2026-03-10T11:50:00Z' },
	},
	{
		name: 'canary rejected: unchanged (a reject has no nextState)',
		action: 'rollback',
		outcome: 'notApplied',
		previous: { consecutiveFailures: 1, cumulativeFailures: 1, noDataSince: null },
		verdict: { decision: 'reject' },
		expected: { consecutiveFailures: 1, cumulativeFailures: 1, noDataSince: null },
	},
	{
		name: 'canary rolled back: counters reset for the next canary',
		action: 'rollback',
		outcome: 'applied',
		previous: { consecutiveFailures: 2, cumulativeFailures: 4, noDataSince: null, consecutiveErrors: 1 },
		verdict: { decision: 'apply', nextState: { consecutiveFailures: 3, cumulativeFailures: 5, noDataSince: null, consecutiveErrors: 1 } },
		expected: { consecutiveFailures: 0, cumulativeFailures: 0, noDataSince: null, consecutiveErrors: 0 },
	},
	{
		name: 'canary rollback failed: the gate\'s counters stay, an error counted',
		action: 'rollback',
		outcome: 'failed',
		previous: { consecutiveFailures: 2, cumulativeFailures: 4, noDataSince: null, consecutiveErrors: 1 },
		verdict: { decision: 'apply', nextState: { consecutiveFailures: 3, cumulativeFailures: 5, noDataSince: null, consecutiveErrors: 1 } },
		expected: { consecutiveFailures: 3, cumulativeFailures: 5, noDataSince: null, consecutiveErrors: 2 },
	},
];

describe('nextLoopState', () => {
	test.each(rows)('$name', ({ action, outcome, previous, verdict, proposal, expected }) => {
		const next = nextLoopState({ action, outcome, previous, verdict, proposal, now: NOW });
		expect(next).toEqual(expected);
		// What is written is always a state the gate accepts for this action.
		const check = action === 'scale' ? validateScaleState(next as never) : action === 'rollback' ? validateCanaryState(next as never) : validateFailoverState(next as never, action);
		expect(check).toMatchObject({ ok: true });
	});

	test('the previous state object is never modified', () => {
		const previous = { lastActionAt: '2026-03-10T10:00:00Z', consecutiveErrors: 2 };
		const copy = JSON.parse(JSON.stringify(previous));
		nextLoopState({ action: 'scale', outcome: 'applied', previous, now: NOW });
		expect(previous).toEqual(copy);
	});

	test('keys the gate does not know are left for a human to see, not dropped', () => {
		expect(nextLoopState({ action: 'scale', outcome: 'applied', previous: { consecutiveError: 5 }, now: NOW })).toEqual({ consecutiveError: 5, lastActionAt: NOW, consecutiveErrors: 0 });
	});

	test('now may be a Date or epoch milliseconds; anything else is a programming error', () => {
		const millis = Date.parse(NOW);
		expect(nextLoopState({ action: 'scale', outcome: 'applied', previous: {}, now: new Date(millis) })).toEqual({ lastActionAt: NOW, consecutiveErrors: 0 });
		expect(nextLoopState({ action: 'scale', outcome: 'applied', previous: {}, now: millis })).toEqual({ lastActionAt: NOW, consecutiveErrors: 0 });
		expect(() => nextLoopState({ action: 'scale', outcome: 'applied', previous: {}, now: 'yesterday' })).toThrow(/now must be/);
	});
});
