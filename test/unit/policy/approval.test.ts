import { runGate } from '../../../src/decision';
import { signingKey } from '../../../src/policy';
import { TEST_KEY } from '../../harness/signing';
import { failoverProposal } from '../loadbalancer/verdicts';

/** The approval as an input to the gate: what it covers, and what it can never do. */

const now = new Date('2026-12-04T12:00:00Z');
const later = new Date(now.getTime() + 120_000);
const scalePolicy = { minReplicas: 1, maxReplicas: 40, allowedNamespaces: ['shop'], approvalFactor: 3, maxStepUpPods: 20, maxStepUpPercent: 1000 };
const target = { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web' };
const scale = (current: number, proposed: number, evidence: Record<string, unknown> = {}) => ({ action: 'scale', source: 'manual', target, current: { replicas: current }, proposed: { replicas: proposed }, evidence });

function asked(proposal: Record<string, unknown>, policy: unknown) {
	const { verdict } = runGate(proposal, policy, {}, now, { signingKey: TEST_KEY });
	expect(verdict.decision).toBe('approve');
	return { by: 'alice', at: later.toISOString(), proposal, verdict };
}

test('an approval of a scale covers that exact change from that live count; new evidence is judged again, not a reason to ask again', () => {
	const approval = asked(scale(2, 12), scalePolicy);
	const again = runGate(scale(2, 12, { note: 'read again' }), scalePolicy, {}, later, { signingKey: TEST_KEY, approval });
	expect(again.verdict).toMatchObject({ decision: 'apply', value: 12, approvedBy: { by: 'alice', verdictHash: approval.verdict.verdictHash } });
	expect(again.verdict.checks.find((c) => c.rule === 'approval')).toMatchObject({ passed: true });
	// Every check that does not ask for a human still decides: a cooldown in the state holds it.
	const cooling = runGate(scale(2, 12), scalePolicy, { lastActionAt: new Date(later.getTime() - 10_000).toISOString() }, later, { signingKey: TEST_KEY, approval });
	expect(cooling.verdict).toMatchObject({ decision: 'hold', decidedBy: 'cooldown' });
	for (const moved of [scale(3, 12), scale(2, 13), { ...scale(2, 12), target: { ...target, name: 'api' } }]) {
		expect(runGate(moved, scalePolicy, {}, later, { signingKey: TEST_KEY, approval }).verdict).toMatchObject({ decision: 'hold', decidedBy: 'approval' });
	}
});

test('a failover approval covers its regions and target; the regions\' evidence is judged afresh', () => {
	const llm = { ...failoverProposal('us-east', 'us-west', now), source: 'llm' };
	const approval = asked(llm, { allowedNamespaces: ['shop'] });
	const fresh = { ...failoverProposal('us-east', 'us-west', later), source: 'llm' };
	expect(runGate(fresh, { allowedNamespaces: ['shop'] }, {}, later, { signingKey: TEST_KEY, approval }).verdict).toMatchObject({ decision: 'apply', value: 'us-west', scope: { drain: { server: 'us-east' } }, approvedBy: { by: 'alice' } });
	const otherWay = { ...failoverProposal('us-west', 'us-east', later), source: 'llm' };
	expect(runGate(otherWay, { allowedNamespaces: ['shop'] }, {}, later, { signingKey: TEST_KEY, approval }).verdict).toMatchObject({ decision: 'hold', decidedBy: 'approval' });
});

test('an approval is never a way around the gate: unsigned, foreign, expired or self-written ones hold, and a gate without a key cannot accept any', () => {
	const approval = asked(scale(2, 12), scalePolicy);
	const gate = (a: unknown, key = TEST_KEY, at = later) => runGate(scale(2, 12), scalePolicy, {}, at, { signingKey: key, approval: a }).verdict;
	const { signature: _signature, ...unsigned } = approval.verdict;
	expect(gate({ ...approval, verdict: unsigned })).toMatchObject({ decision: 'hold', decidedBy: 'approval' });
	expect(gate(approval, signingKey('a-different-teams-key-a-different-teams-key'))).toMatchObject({ decision: 'hold', reason: expect.stringMatching(/signed with another key/) });
	expect(gate(approval, TEST_KEY, new Date(now.getTime() + 3601_000))).toMatchObject({ decision: 'hold', reason: expect.stringMatching(/deadline .* has passed/) });
	expect(gate({ approved: true, by: 'mallory', at: later.toISOString() })).toMatchObject({ decision: 'hold' });
	expect(gate('yes')).toMatchObject({ decision: 'hold' });
	expect(runGate(scale(2, 12), scalePolicy, {}, later, { approval }).verdict).toMatchObject({ decision: 'hold', reason: expect.stringMatching(/no signing key is configured/) });
});
