import { hashProposal, UNHASHABLE, verdictDigest } from '../shared/hash';
import { getOwn, isPlainObject, snapshot } from '../shared/snapshot';
import { instantToMillis, parseTimestamp } from '../shared/time';
import type { Decision, Instant, Verdict } from './types';

export interface VerifyOptions {
	// Decisions the caller is about to act on, e.g. ['apply'] for a mutating node.
	expectDecision?: Decision | readonly Decision[];
	// With now: refuse verdicts older than this, e.g. an approval that sat for hours
	// while the cluster moved on.
	maxAgeSeconds?: number;
	now?: Instant;
}

export interface VerdictVerification {
	ok: boolean;
	reason: string;
}

const DECISIONS: readonly Decision[] = ['apply', 'approve', 'hold', 'reject'];

// For the node that mutates the cluster: proves the verdict in hand was issued
// for exactly this proposal and has not been edited on the way (a Set node that
// bumps verdict.value breaks the verdict hash). It is an integrity check against
// mix-ups, not a signature against an attacker who can recompute hashes.
export function verifyVerdict(proposal: unknown, verdict: unknown, options: VerifyOptions = {}): VerdictVerification {
	try {
		const copy = snapshot(verdict);
		if (!copy.ok || !isPlainObject(copy.value)) return refuse('verdict is not a plain object');
		const body = copy.value;
		const decision = getOwn(body, 'decision');
		const proposalHash = getOwn(body, 'proposalHash');
		const verdictHash = getOwn(body, 'verdictHash');
		if (typeof decision !== 'string' || !(DECISIONS as readonly string[]).includes(decision)) return refuse('verdict has no valid decision');
		if (typeof proposalHash !== 'string' || typeof verdictHash !== 'string') return refuse('verdict carries no proposalHash/verdictHash');
		if (verdictDigest(body as unknown as Verdict) !== verdictHash) return refuse('verdict was modified after the gate issued it (verdictHash mismatch)');
		const actual = hashProposal(proposal);
		if (actual === UNHASHABLE || proposalHash === UNHASHABLE) return refuse('proposal cannot be hashed; nothing can be verified against it');
		if (actual !== proposalHash) return refuse(`verdict belongs to a different proposal (${proposalHash.slice(0, 19)}…, this one is ${actual.slice(0, 19)}…)`);
		const expected = options.expectDecision === undefined ? null : ([] as Decision[]).concat(options.expectDecision);
		if (expected !== null && !expected.includes(decision as Decision)) return refuse(`verdict decision is ${decision}, expected ${expected.join(' or ')}`);
		if (options.maxAgeSeconds !== undefined) {
			const age = ageSeconds(getOwn(body, 'evaluatedAt'), options.now);
			if (age === null) return refuse('maxAgeSeconds needs options.now and a verdict with evaluatedAt');
			if (age < 0) return refuse('verdict was issued in the future; check the clocks');
			if (age > options.maxAgeSeconds) return refuse(`verdict is ${Math.round(age)}s old, older than ${options.maxAgeSeconds}s; evaluate again`);
		}
		return { ok: true, reason: `verdict ${decision} matches the proposal` };
	} catch {
		return refuse('verdict could not be read');
	}
}

function refuse(reason: string): VerdictVerification {
	return { ok: false, reason };
}

function ageSeconds(evaluatedAt: unknown, now: Instant | undefined): number | null {
	if (typeof evaluatedAt !== 'string' || now === undefined) return null;
	const issued = parseTimestamp(evaluatedAt);
	const current = instantToMillis(now);
	return issued === null || current === null ? null : (current - issued) / 1000;
}
