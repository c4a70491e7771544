import { instantToMillis, isoString, parseTimestamp } from '../shared/time';
import type { Instant, ProposalAction, Verdict } from './types';
import { isRecord } from '../shared/records';

/**
 * The loop's memory after a run: what the gate reads as `state` next time
 * (cooldown, flap limits, circuit breaker, canary counters). Pure: the same
 * inputs always give the same state, and it never reads the clock itself.
 *
 * Keys are only ever written from the action's own set (see state.ts), so a
 * state written here is always one the gate accepts. Keys already in
 * `previous` are left alone, also unknown ones: the gate refuses those
 * loudly, and quietly dropping them would undo what a human wrote there.
 */

/** What happened to the verdict in this run: carried out, tried and failed, or not acted on (hold, approve, reject). */
export type LoopOutcome = 'applied' | 'failed' | 'notApplied';

export const LOOP_OUTCOMES: readonly LoopOutcome[] = ['applied', 'failed', 'notApplied'];

export type LoopState = Record<string, unknown>;

export interface NextStateInput {
	action: ProposalAction;
	/** The state read at the start of the run (null or undefined on the first run). */
	previous: unknown;
	verdict?: Pick<Verdict, 'decision' | 'nextState'> | null;
	outcome: LoopOutcome;
	now: Instant;
	/** Failover/failback: `from`, `to` and `evidence.regions` name the regions. */
	proposal?: unknown;
}

// The flip-rate rule counts flips in the last hour; older ones are never read again.
const FLIP_WINDOW_MS = 3600_000;

function errorsOf(state: LoopState): number {
	const value = state.consecutiveErrors;
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

function regionsOf(proposal: unknown): { from?: string; to?: string; evidence: string[] } {
	if (!isRecord(proposal)) return { evidence: [] };
	const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
	const regions = isRecord(proposal.evidence) && isRecord(proposal.evidence.regions) ? Object.keys(proposal.evidence.regions) : [];
	return { from: text(proposal.from), to: text(proposal.to), evidence: regions };
}

function recentFlips(previous: LoopState, now: number): string[] {
	const flips = Array.isArray(previous.flipTimes) ? previous.flipTimes : [];
	// Future timestamps (clock skew) stay: the gate counts them too, which errs towards fewer flips.
	return flips.filter((flip): flip is string => {
		const time = typeof flip === 'string' ? parseTimestamp(flip) : null;
		return time !== null && time > now - FLIP_WINDOW_MS;
	});
}

function failoverApplied(action: 'failover' | 'failback', previous: LoopState, proposal: unknown, now: number): LoopState {
	const { from, to, evidence } = regionsOf(proposal);
	const known = Array.isArray(previous.activeRegions) ? previous.activeRegions.filter((r): r is string => typeof r === 'string') : evidence;
	let active = action === 'failover' ? known.filter((region) => region !== from) : [...known];
	// The region receiving the traffic serves after either move, listed or not.
	if (to !== undefined && !active.includes(to)) active = [...active, to];
	const stamp = isoString(now);
	return { ...previous, lastFlipAt: stamp, flipTimes: [...recentFlips(previous, now), stamp], activeRegions: active, consecutiveErrors: 0 };
}

function canaryNext(previous: LoopState, verdict: NextStateInput['verdict']): LoopState {
	// The gate's nextState already counts this run's measurement; a reject has none and changes nothing.
	if (verdict && verdict.decision !== 'reject' && isRecord(verdict.nextState)) return { ...previous, ...verdict.nextState };
	return { ...previous };
}

export function nextLoopState(input: NextStateInput): LoopState {
	const now = instantToMillis(input.now);
	if (now === null) throw new TypeError('nextLoopState: now must be a Date, epoch milliseconds or an RFC 3339 timestamp');
	const previous: LoopState = isRecord(input.previous) ? { ...input.previous } : {};
	const { action, outcome } = input;

	if (outcome === 'failed') {
		// A failed action opens the circuit breaker step by step; for a canary the counters the gate computed still stand.
		const base = action === 'rollback' ? canaryNext(previous, input.verdict) : previous;
		return { ...base, consecutiveErrors: errorsOf(previous) + 1 };
	}
	if (action === 'rollback') {
		const next = canaryNext(previous, input.verdict);
		// The canary is gone after a rollback: the next one starts with clean counters.
		return outcome === 'applied' ? { ...next, consecutiveFailures: 0, cumulativeFailures: 0, noDataSince: null, consecutiveErrors: 0 } : next;
	}
	if (outcome === 'notApplied') return previous;
	if (action === 'scale') return { ...previous, lastActionAt: isoString(now), consecutiveErrors: 0 };
	return failoverApplied(action, previous, input.proposal, now);
}
