import { checkTrafficVerdict } from '../../../src/loadbalancer';
import { failoverProposal, gatedItem } from './verdicts';

const now = new Date();
const east = { backend: 'be_app', server: 'us-east' };
const west = { backend: 'be_app', server: 'us-west' };

test('the gate issues an apply verdict for the failover used in these tests', () => {
	expect(gatedItem(failoverProposal('us-east', 'us-west', now), now).verdict.decision).toBe('apply');
	expect(gatedItem(failoverProposal('us-west', 'us-east', now, 'failback'), now).verdict.decision).toBe('apply');
});

test('an item with neither proposal nor verdict is a manual operation', () => {
	expect(checkTrafficVerdict({}, 'drain', east)).toEqual({ gated: false });
	expect(checkTrafficVerdict({ proposal: null, verdict: '' }, 'drain', east)).toEqual({ gated: false });
});

test('half a gate is refused', () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	expect(checkTrafficVerdict({ proposal: item.proposal }, 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/no verdict; route it through the Policy Gate/) });
	expect(checkTrafficVerdict({ verdict: item.verdict }, 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/not the proposal/) });
});

test('a matching apply verdict lets the drain of the failing region through', () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	expect(checkTrafficVerdict(item, 'drain', east, { maxAgeSeconds: 300, now })).toEqual({ gated: true, ok: true, reason: 'verdict apply matches the proposal', warnings: [] });
});

test('an edited proposal or verdict, another decision, or a stale verdict is refused', () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	expect(checkTrafficVerdict({ ...item, proposal: { ...item.proposal, from: 'us-west' } }, 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/different proposal/) });
	expect(checkTrafficVerdict({ ...item, verdict: { ...item.verdict, value: 'us-east' } }, 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/modified after the gate/) });
	const later = new Date(now.getTime() + 3600_000);
	expect(checkTrafficVerdict(item, 'drain', east, { maxAgeSeconds: 300, now: later })).toMatchObject({ ok: false, reason: expect.stringMatching(/older than 300s/) });
	// A healthy source region needs a human: approve is not apply.
	const healthy = failoverProposal('us-east', 'us-west', now);
	(healthy.evidence as { regions: Record<string, unknown> }).regions['us-east'] = { readyFraction: 1, errorRate: 0, capacityReplicas: 40, requiredReplicas: 10 };
	const approve = gatedItem(healthy, now);
	expect(approve.verdict.decision).toBe('approve');
	expect(checkTrafficVerdict(approve, 'drain', east)).toMatchObject({ ok: false, reason: 'verdict decision is approve, expected apply' });
});

test('the verdict decides which way traffic may move', () => {
	const failover = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	expect(checkTrafficVerdict(failover, 'restore', east)).toMatchObject({ ok: false, reason: 'a failover verdict authorises drain or setWeight, not restore' });
	expect(checkTrafficVerdict(failover, 'drain', west)).toMatchObject({ ok: false, reason: 'the verdict moves traffic to us-west; draining us-west would take traffic away from it' });
	const failback = gatedItem(failoverProposal('us-west', 'us-east', now, 'failback'), now);
	expect(checkTrafficVerdict(failback, 'restore', east)).toMatchObject({ ok: true, warnings: [] });
	expect(checkTrafficVerdict(failback, 'drain', west)).toMatchObject({ ok: false, reason: 'a failback verdict authorises restore or setWeight, not drain' });
});

test('a verdict about another region than the server acted on is let through with a warning', () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	expect(checkTrafficVerdict(item, 'drain', { backend: 'be_app', server: 'eu-central' })).toMatchObject({
		ok: true,
		warnings: ['the verdict is about region us-east, and the server acted on is be_app/eu-central; check that they are the same'],
	});
});
