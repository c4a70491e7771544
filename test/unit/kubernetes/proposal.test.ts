import { buildDecisionRecord } from '../../../src/decision';
import { type GatedItem, KubeError, checkCluster, checkExplicit, gateOf, valueFor } from '../../../src/kubernetes';
import { evaluate } from '../../../src/policy';

/** The gate rule as pure functions: which items may act, on what, with which value. */

const now = new Date('2026-03-10T12:00:00Z');
const target = { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Deployment', name: 'web' };
const scale = { action: 'scale', source: 'manual', target, current: { replicas: 3 }, proposed: { replicas: 12 } };
const policy = { minReplicas: 2, maxReplicas: 20 };

function item(proposal: Record<string, unknown> = scale, state: unknown = {}, at = now) {
	const verdict = evaluate(proposal, policy, state, at);
	const decision = buildDecisionRecord({ time: at, loop: 'scaling', target: proposal.target as never, proposals: [proposal], verdict });
	return JSON.parse(JSON.stringify({ proposal, verdict, decision, other: 'field' })) as Record<string, unknown>;
}

function refusedWith(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(KubeError);
		expect((error as KubeError).kind).toBe('refused');
		return (error as KubeError).message;
	}
	throw new Error('expected a refusal');
}

test('an item without proposal and verdict is a manual change', () => {
	expect(gateOf({ replicas: 5 }, { now })).toBeUndefined();
	expect(gateOf({ proposal: null, verdict: null }, { now })).toBeUndefined();
});

test('an apply verdict for the proposal gives its target and the decision that belongs to it', () => {
	const json = item();
	const gated = gateOf(json, { now, maxAgeSeconds: 60 }) as GatedItem;
	expect(gated).toMatchObject({ action: 'scale', target, proposalHash: (json.verdict as { proposalHash: string }).proposalHash, notes: [] });
	expect(gated.decision?.id).toBe((json.decision as { id: string }).id);
	expect(valueFor(gated, 'scale')).toEqual({ from: 'verdict', replicas: 7 });
});

test('a decision record of another verdict is left out, with a note', () => {
	const json = item();
	json.decision = item({ ...scale, proposed: { replicas: 5 } }).decision;
	const gated = gateOf(json, { now }) as GatedItem;
	expect(gated.decision).toBeUndefined();
	expect(gated.notes).toEqual(['The item\'s decision record does not belong to its verdict; the Event was written without it.']);
});

test('refusals, each with the gate\'s reason', () => {
	const json = item();
	expect(refusedWith(() => gateOf({ proposal: json.proposal }, { now }))).toBe('Refusing to act: the input item carries a proposal but no verdict');
	expect(refusedWith(() => gateOf({ ...json, verdict: { ...(json.verdict as object), value: 9 } }, { now }))).toMatch(/verdictHash mismatch/);
	expect(refusedWith(() => gateOf(json, { now: new Date(now.getTime() + 3601_000), maxAgeSeconds: 3600 }))).toBe('Refusing to act on the proposal: verdict is 3601s old, older than 3600s; evaluate again');
	expect(gateOf(json, { now: new Date(now.getTime() + 3601_000), maxAgeSeconds: 0 })).toBeDefined();
	const hold = item(scale, { lastActionAt: '2026-03-10T11:59:00Z' });
	expect(refusedWith(() => gateOf(hold, { now }))).toBe('Refusing to act on the proposal: verdict decision is hold, expected apply');
	const rejected = item({ ...scale, target: { ...target, namespace: 'Bad Namespace' } });
	expect(refusedWith(() => gateOf(rejected, { now }))).toBe('Refusing to act on the proposal: verdict decision is reject, expected apply');
});

test('the cluster that acts: the target\'s, or for failover the region receiving the traffic', () => {
	const gated = gateOf(item(), { now }) as GatedItem;
	expect(checkCluster(gated, 'prod-eu-1')).toBeUndefined();
	expect(refusedWith(() => checkCluster(gated, 'prod-us-1'))).toBe('Refusing to act: the proposal is for cluster "prod-eu-1", but this credential is for cluster "prod-us-1"');
	expect(checkCluster(gated, undefined)).toMatch(/does not name its cluster/);
	const failover = { ...gated, action: 'failover' as const, verdict: { ...gated.verdict, value: 'us-west' } };
	expect(checkCluster(failover, 'us-west')).toBeUndefined();
	expect(refusedWith(() => checkCluster(failover, 'prod-eu-1'))).toMatch(/proposal is for cluster "us-west"/);
});

test('explicit parameters may repeat the target, never contradict it; empty ones are ignored', () => {
	const gated = gateOf(item(), { now }) as GatedItem;
	expect(() => checkExplicit(gated, { namespace: 'shop', name: 'web', kind: 'Deployment', apiVersion: 'apps/v1' })).not.toThrow();
	expect(() => checkExplicit(gated, { namespace: '', name: ' ' })).not.toThrow();
	expect(refusedWith(() => checkExplicit(gated, { name: 'checkout' }, { name: 'Deployment Name' }))).toBe('Refusing to act: the Deployment Name parameter ("checkout") contradicts the proposal\'s target (Deployment "web" in namespace "shop")');
});

test('which operations each action drives, and where their value comes from', () => {
	const gated = gateOf(item(), { now }) as GatedItem;
	const as = (action: GatedItem['action'], value: unknown): GatedItem => ({ ...gated, action, verdict: { ...gated.verdict, value: value as never } });
	expect(valueFor(as('scale', 7), 'hpaBounds')).toEqual({ from: 'verdict', replicas: 7 });
	expect(valueFor(as('scale', 7), 'patch')).toEqual({ from: 'parameters' });
	expect(refusedWith(() => valueFor(as('scale', 7), 'canaryWeight'))).toBe('Refusing to act: a scale proposal cannot drive canaryWeight');
	expect(refusedWith(() => valueFor(as('scale', '7'), 'scale'))).toBe('Refusing to act: the scale verdict\'s value "7" is not a replica count');
	expect(valueFor(as('rollback', 'rollback'), 'rolloutUndo')).toEqual({ from: 'verdict', rollback: true });
	expect(valueFor(as('rollback', 'rollback'), 'scale')).toEqual({ from: 'parameters' });
	expect(refusedWith(() => valueFor(as('rollback', 'pause'), 'canaryWeight'))).toBe('Refusing to act: the canary verdict\'s value is "pause", not "rollback"');
	expect(refusedWith(() => valueFor(as('rollback', 'rollback'), 'kedaBounds'))).toMatch(/a rollback proposal cannot drive kedaBounds/);
	expect(valueFor(as('failover', 'us-west'), 'scale')).toEqual({ from: 'parameters' });
	expect(refusedWith(() => valueFor(as('failback', 'us-east'), 'rolloutUndo'))).toMatch(/a failback proposal cannot drive rolloutUndo/);
});
