import { evaluate } from '../policy/gate';
import { type SigningKey, signVerdict } from '../policy/signature';
import type { Verdict } from '../policy/types';
import { type Target, TARGET_FIELDS, statedTarget } from '../shared/target';
import { loopOfAction } from './loop';
import { buildDecisionRecord } from './record';
import type { DecisionRecord, Loop } from './types';

/** Which of the Policy Gate node's three outputs a verdict leaves by. */
export type GateOutput = 'apply' | 'approve' | 'holdOrReject';

export interface GateRun {
	verdict: Verdict;
	output: GateOutput;
	/** The audit record of this run (no actions yet: the mutating node adds those). */
	record: DecisionRecord;
}

/**
 * One gate decision as the node and any other caller needs it: the verdict,
 * the output it routes to and the decision record. Never throws for bad
 * input (that is a reject); `now` is passed in so the run stays pure.
 */
export interface GateRunOptions {
	/** Signs the verdict; without it the verdict is advisory and no mutating node acts on it. */
	signingKey?: SigningKey;
	/** Keys an approved verdict may carry (the signing key and, while rotating, the previous one); default: the signing key. */
	verifyKeys?: readonly SigningKey[];
	/** A person's approval of an earlier approve verdict (the approved branch runs the gate again with it). */
	approval?: unknown;
}

export function runGate(proposal: unknown, policy: unknown, state: unknown, now: Date, options: GateRunOptions = {}): GateRun {
	const keys = options.verifyKeys ?? (options.signingKey ? [options.signingKey] : []);
	const verdict = signVerdict(evaluate(proposal, policy, state, now, { approval: options.approval, keys }), options.signingKey);
	const output: GateOutput = verdict.decision === 'apply' ? 'apply' : verdict.decision === 'approve' ? 'approve' : 'holdOrReject';
	const record = buildDecisionRecord({
		time: now,
		loop: loopOfAction(verdict.action) ?? guessLoop(proposal),
		target: targetOf(proposal),
		proposals: [proposal],
		verdict,
	});
	return { verdict, output, record };
}

function guessLoop(proposal: unknown): Loop {
	const action = typeof proposal === 'object' && proposal !== null ? (proposal as { action?: unknown }).action : undefined;
	return loopOfAction(action) ?? 'scaling';
}

/** The proposal's target when it has one, else placeholders that say so (a rejected proposal still gets a record). */
function targetOf(proposal: unknown): Target {
	const stated = statedTarget(proposal) ?? {};
	const field = (name: (typeof TARGET_FIELDS)[number]) => stated[name]?.slice(0, 253) ?? 'unknown';
	return { cluster: field('cluster'), namespace: field('namespace'), kind: field('kind'), name: field('name') };
}
