import { admit, type AdmissionOptions, AdmissionError, maxVerdictAge } from '../../../src/admission';
import { runGate } from '../../../src/decision';
import { type Verdict, evaluate, hashProposal, signingKey, verdictDigest } from '../../../src/policy';
import { TEST_KEY, signed } from '../../harness/signing';

/** The attacks on the path from verdict to cluster, at the one admission rule every mutating path uses. */

const now = new Date('2026-12-04T12:00:00Z');
const policy = { minReplicas: 2, maxReplicas: 40, allowedNamespaces: ['shop'], allowScaleIn: false };
const target = { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web' };
const scale = (current: number, proposed: number, source = 'manual') => ({ action: 'scale', source, target, current: { replicas: current }, proposed: { replicas: proposed } });
const options = (extra: Partial<AdmissionOptions> = {}): AdmissionOptions => ({ operation: 'scale', requireVerdict: true, keys: [TEST_KEY], now, ...extra });
const item = (proposal: Record<string, unknown>, at = now) => ({ proposal, verdict: signed(evaluate(proposal, policy, {}, at)) });
const refused = (json: Record<string, unknown>, pattern: RegExp, extra: Partial<AdmissionOptions> = {}) => {
	expect(() => admit(json, options(extra))).toThrow(AdmissionError);
	expect(() => admit(json, options(extra))).toThrow(pattern);
};

test('a fresh signed apply verdict admits exactly its operation and value, bound to the stated state', () => {
	const admission = admit(item(scale(4, 8)), options());
	expect(admission).toMatchObject({ mode: 'gated', action: 'scale', target, permit: { operation: 'scale', replicas: 8, expectReplicas: 4 } });
	expect(admit(item(scale(4, 8)), options({ operation: 'hpaBounds' }))).toMatchObject({ permit: { operation: 'hpaBounds', min: 8, expectReplicas: 4 } });
});

test('stated state is what the live compare checks: a proposer claiming 36 -> 40 gets a permit that only acts on 36', () => {
	const admission = admit(item(scale(36, 40)), options());
	expect(admission).toMatchObject({ permit: { replicas: 40, expectReplicas: 36 } });
});

test('unsigned, mis-signed, re-signed with another key and recomputed-hash verdicts are refused', () => {
	const proposal = scale(4, 8);
	const unsigned = { proposal, verdict: evaluate(proposal, policy, {}, now) };
	refused(unsigned, /not signed/);
	const other = signingKey('someone-elses-key-someone-elses-key-0000');
	refused({ proposal, verdict: runGate(proposal, policy, {}, now, { signingKey: other }).verdict }, /signed with another key/);
	// A lax policy and a recomputed hash: integrity holds, the signature does not.
	const lax = evaluate(scale(4, 404), { minReplicas: 0, maxReplicas: 1000, maxStepUpPods: 1000, approvalFactor: 1000, allowedNamespaces: ['shop'] }, {}, now);
	refused({ proposal: scale(4, 404), verdict: lax }, /not signed/);
	const good = item(proposal);
	const forged = { ...(good.verdict as Verdict), value: 1000 } as Omit<Verdict, 'verdictHash'>;
	const rehashed = { ...forged, verdictHash: verdictDigest(forged) };
	refused({ proposal, verdict: rehashed }, /does not match its content/);
	refused({ proposal, verdict: { ...good.verdict, signature: { ...(good.verdict as Verdict).signature, value: '0'.repeat(64) } } }, /does not match its content/);
});

test('approve verdicts never act, whatever approval the item carries', () => {
	const proposal = scale(2, 30);
	const json = { ...item(proposal), approval: { approved: true, by: 'mallory' } };
	expect(json.verdict.decision).toBe('approve');
	refused(json, /approve verdict never acts/);
});

test('stale and future verdicts are refused; the age limit is capped at an hour', () => {
	refused(item(scale(4, 8), new Date(now.getTime() - 301_000)), /older than 300s/);
	refused(item(scale(4, 8), new Date(now.getTime() + 120_000)), /future/);
	expect(() => maxVerdictAge(0)).toThrow(/outside 1-3600/);
	expect(() => maxVerdictAge(86400)).toThrow(/outside 1-3600/);
	expect(maxVerdictAge(undefined)).toBe(300);
});

test('a verdict cannot be spent on another operation', () => {
	const json = item(scale(4, 8));
	for (const operation of ['patch', 'annotate', 'rolloutUndo', 'canaryWeight', 'drain', 'restore', 'setWeight'] as const) refused(json, /does not authorise/, { operation });
});

test('an item without a verdict is manual only when the node says so; half a gate never is', () => {
	refused({}, /no Policy Gate verdict, and this node requires one/);
	expect(admit({}, options({ requireVerdict: false }))).toEqual({ mode: 'manual' });
	const json = item(scale(4, 8));
	refused({ proposal: json.proposal }, /proposal but no verdict/, { requireVerdict: false });
	refused({ verdict: json.verdict }, /no proposal/, { requireVerdict: false });
});

test('a proposal edited after the gate, or a verdict for another proposal, is refused', () => {
	const json = item(scale(4, 8));
	refused({ ...json, proposal: scale(4, 9) }, /different proposal/);
	refused({ ...json, proposal: { ...json.proposal, source: 'forecast' } }, /different proposal/);
	expect((json.verdict as Verdict).proposalHash).toBe(hashProposal(json.proposal));
});
