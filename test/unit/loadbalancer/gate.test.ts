import { type TrafficGate, checkTrafficVerdict } from '../../../src/loadbalancer';
import { signingKey } from '../../../src/policy';
import { TEST_KEY } from '../../harness/signing';
import { failoverProposal, gatedItem } from './verdicts';

const now = new Date();
const east = { backend: 'be_app', server: 'us-east' };
const west = { backend: 'be_app', server: 'us-west' };

function gate(item: TrafficGate['item'], extra: Partial<TrafficGate> = {}): TrafficGate {
	return { item, requireVerdict: true, keys: [TEST_KEY], maxAgeSeconds: 300, now, ...extra };
}

test('the gate issues an apply verdict naming the exact server for the failover used in these tests', () => {
	expect(gatedItem(failoverProposal('us-east', 'us-west', now), now).verdict).toMatchObject({ decision: 'apply', scope: { drain: { server: 'us-east' } } });
	expect(gatedItem(failoverProposal('us-west', 'us-east', now, 'failback'), now).verdict).toMatchObject({ decision: 'apply', scope: { restore: { server: 'us-east' } } });
});

test('without a verdict: refused when the node requires one, a manual change when it does not', () => {
	expect(checkTrafficVerdict(gate({}), 'drain', east)).toMatchObject({ gated: true, ok: false, reason: expect.stringMatching(/no Policy Gate verdict, and this node requires one/) });
	expect(checkTrafficVerdict(gate({}, { requireVerdict: false }), 'drain', east)).toEqual({ gated: false });
	expect(checkTrafficVerdict(gate({ proposal: null, verdict: '' }, { requireVerdict: false }), 'drain', east)).toEqual({ gated: false });
});

test('half a gate is refused, in manual mode too', () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	expect(checkTrafficVerdict(gate({ proposal: item.proposal }, { requireVerdict: false }), 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/proposal but no verdict/) });
	expect(checkTrafficVerdict(gate({ verdict: item.verdict }, { requireVerdict: false }), 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/no proposal/) });
});

test('a signed apply verdict lets exactly the drain of the failing region through', () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	expect(checkTrafficVerdict(gate(item), 'drain', east)).toMatchObject({ gated: true, ok: true, admission: { action: 'failover', permit: { operation: 'drain', server: { server: 'us-east' } } } });
});

test('unsigned, re-signed with another key, edited or stale verdicts are refused', () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	const { signature: _s, ...unsigned } = item.verdict;
	expect(checkTrafficVerdict(gate({ ...item, verdict: unsigned }), 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed/) });
	const other = signingKey('another-key-another-key-another-key-0000');
	expect(checkTrafficVerdict(gate(item, { keys: [other] }), 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/signed with another key/) });
	expect(checkTrafficVerdict(gate({ ...item, proposal: { ...item.proposal, from: 'us-west' } }), 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/different proposal/) });
	expect(checkTrafficVerdict(gate({ ...item, verdict: { ...item.verdict, value: 'us-east' } }), 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/modified after the gate/) });
	expect(checkTrafficVerdict(gate(item, { now: new Date(now.getTime() + 301_000) }), 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/older than 300s/) });
	// A healthy source region needs a human: approve never acts (the approved branch re-runs the gate).
	const healthy = failoverProposal('us-east', 'us-west', now);
	(healthy.evidence as { regions: Record<string, unknown> }).regions['us-east'] = { readyFraction: 1, errorRate: 0, capacityReplicas: 40, requiredReplicas: 10 };
	const approve = gatedItem(healthy, now);
	expect(approve.verdict.decision).toBe('approve');
	expect(checkTrafficVerdict(gate(approve), 'drain', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/needs approval, and an approve verdict never acts/) });
});

test('the verdict decides the operation and the server, and nothing else moves under it', () => {
	const failover = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	expect(checkTrafficVerdict(gate(failover), 'restore', east)).toMatchObject({ ok: false, reason: expect.stringMatching(/a failover verdict does not authorise restore/) });
	expect(checkTrafficVerdict(gate(failover), 'setWeight', west)).toMatchObject({ ok: false, reason: expect.stringMatching(/a failover verdict does not authorise setWeight/) });
	expect(checkTrafficVerdict(gate(failover), 'drain', west)).toMatchObject({ ok: false, reason: expect.stringMatching(/authorises drain of us-east only, not be_app\/us-west/) });
	expect(checkTrafficVerdict(gate(failover), 'drain', { backend: 'be_app', server: 'eu-central' })).toMatchObject({ ok: false });
	const failback = gatedItem(failoverProposal('us-west', 'us-east', now, 'failback'), now);
	expect(checkTrafficVerdict(gate(failback), 'restore', east)).toMatchObject({ ok: true });
	expect(checkTrafficVerdict(gate(failback), 'drain', west)).toMatchObject({ ok: false, reason: expect.stringMatching(/a failback verdict does not authorise drain/) });
});
