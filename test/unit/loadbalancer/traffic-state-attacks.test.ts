import type { GatedAdmission } from '../../../src/admission';
import { evaluate } from '../../../src/policy';
import { gatedDrain, memoryLb, server } from './memoryLb';
import { POLICY, failoverProposal, gatedItem } from './verdicts';

/*
 * Attacks on current.traffic (proposal -> traffic.state -> scope.traffic ->
 * the drift check before the claim). An in-memory load balancer counts reads,
 * claims and writes, so "refused without spending, nothing moved" is checked
 * as calls, not as messages.
 */

const now = new Date();




const policy = { ...POLICY, failover: { trafficTargets: { 'us-east': { backend: 'be_app', server: 'us-east' }, 'us-west': { backend: 'be_app', server: 'us-west' } } } };

function judged(traffic: Record<string, unknown> | null, action: 'failover' | 'failback' = 'failover') {
	const [from, to] = action === 'failover' ? ['us-east', 'us-west'] : ['us-west', 'us-east'];
	return evaluate(failoverProposal(from, to, now, action, traffic), policy, {}, now);
}

test('a drift refusal reads the load balancer, claims nothing and writes nothing; the same verdict then acts once live matches', async () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now, 'failover', { backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' } }), now);
	const lb = memoryLb([server('us-east', 'ready'), server('us-west', 'maint')]);
	const claims: GatedAdmission[] = [];
	await expect(gatedDrain(lb.provider, item, claims, now)).rejects.toThrow(/us-west was ready and is maint now/);
	expect(claims).toHaveLength(0);
	expect(lb.calls).toEqual(['status be_app']);
	// A new server appearing, or one leaving, is drift too.
	const extra = memoryLb([server('us-east', 'ready'), server('us-west', 'ready'), server('us-central', 'ready')]);
	await expect(gatedDrain(extra.provider, item, claims, now)).rejects.toThrow(/us-central \(ready\) was not there/);
	const gone = memoryLb([server('us-east', 'ready')]);
	await expect(gatedDrain(gone.provider, item, claims, now)).rejects.toThrow(/us-west was ready and is no longer in be_app/);
	expect(claims).toHaveLength(0);
	// The live backend must be the stated one, whatever the drain node names.
	const other = memoryLb([server('us-east', 'ready'), server('us-west', 'ready')], 'be_other');
	await expect(gatedDrain(other.provider, item, claims, now)).rejects.toThrow(/judged on backend be_app, not be_other/);
	const ok = memoryLb([server('us-east', 'ready'), server('us-west', 'ready')]);
	await expect(gatedDrain(ok.provider, item, claims, now)).resolves.toMatchObject({ changed: true, gate: { verified: true } });
	expect(claims).toHaveLength(1);
	// Read before the claim and again after it.
	expect(ok.calls).toEqual(['status be_app', 'status be_app', 'drain us-east']);
});

test('hostile server names and shapes in current.traffic are refused by the proposal reader, never judged', () => {
	const bad: unknown[] = [
		{ servers: {} },
		{ servers: [] },
		{ servers: 'us-east=ready' },
		{ servers: { 'us-east': 'READY', 'us-west': 'ready' } },
		{ servers: { 'us-east': 1, 'us-west': 'ready' } },
		{ servers: { 'us-east': null, 'us-west': 'ready' } },
		{ servers: { 'us-east': ['ready'], 'us-west': 'ready' } },
		{ servers: { '': 'ready', 'us-east': 'ready', 'us-west': 'ready' } },
		{ servers: { 'us-east\u0000': 'ready', 'us-east': 'ready', 'us-west': 'ready' } },
		{ servers: { ['x'.repeat(254)]: 'ready', 'us-east': 'ready', 'us-west': 'ready' } },
		{ servers: Object.fromEntries([...Array(101).keys()].map((i) => [`s${i}`, 'ready'])) },
		{ backend: 7, servers: { 'us-east': 'ready', 'us-west': 'ready' } },
		{ backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' }, health: { 'us-east': 'down' } },
	];
	for (const traffic of bad) expect([traffic, judged(traffic as Record<string, unknown>).decision]).toEqual([traffic, 'reject']);
	// JSON text: "__proto__" and "constructor" are own keys, judged as server names, and the regions' servers must still be there.
	const proto = JSON.parse('{"servers":{"__proto__":"ready","constructor":"drain","us-west":"ready"}}');
	expect(judged(proto)).toMatchObject({ decision: 'reject', decidedBy: 'traffic.state' });
	// Duplicate keys in JSON text: the last wins, for the gate and the verdict alike (one parse).
	const dup = JSON.parse('{"servers":{"us-east":"drain","us-west":"ready","us-east":"ready"}}');
	expect(judged(dup)).toMatchObject({ decision: 'apply', scope: { traffic: { servers: { 'us-east': 'ready', 'us-west': 'ready' } } } });
	// Look-alike names: the region's server is missing, so reject.
	expect(judged({ servers: { 'us-\u0435ast': 'ready', 'us-west': 'ready' } })).toMatchObject({ decision: 'reject', decidedBy: 'traffic.state' });
});

test('moves that make no sense on the stated load balancer are held; a stated backend other than trafficTargets names is rejected', () => {
	expect(judged({ servers: { 'us-east': 'drain', 'us-west': 'ready' } })).toMatchObject({ decision: 'hold', decidedBy: 'traffic.state' });
	expect(judged({ servers: { 'us-east': 'ready', 'us-west': 'maint' } })).toMatchObject({ decision: 'hold', decidedBy: 'traffic.state' });
	expect(judged({ servers: { 'us-east': 'ready', 'us-west': 'drain' } }, 'failback')).toMatchObject({ decision: 'hold', decidedBy: 'traffic.state' });
	expect(judged({ servers: { 'us-east': 'ready', 'us-west': 'ready' } }, 'failback')).toMatchObject({ decision: 'hold', decidedBy: 'traffic.state' });
	expect(judged({ backend: 'be_other', servers: { 'us-east': 'ready', 'us-west': 'ready' } })).toMatchObject({ decision: 'reject', decidedBy: 'traffic.state' });
	// No stated backend: the gate cannot compare, but the drain still refuses another live backend (the verdict names be_app).
	expect(judged({ servers: { 'us-east': 'ready', 'us-west': 'ready' } })).toMatchObject({ decision: 'apply', scope: { drain: { backend: 'be_app', server: 'us-east' } } });
});

test('a verdict with scope.traffic edited after signing is refused before the load balancer is read', async () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now, 'failover', { backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' } }), now);
	const verdict = JSON.parse(JSON.stringify(item.verdict));
	verdict.scope.traffic.servers['us-west'] = 'maint';
	const lb = memoryLb([server('us-east', 'ready'), server('us-west', 'maint')]);
	const claims: GatedAdmission[] = [];
	await expect(gatedDrain(lb.provider, { ...item, verdict }, claims, now)).rejects.toThrow(/modified after the gate/);
	expect(lb.calls).toEqual([]);
	expect(claims).toHaveLength(0);
});
