import { evaluate, parsePolicy } from '../../../src/policy';
import { buildFailoverProposal } from '../../../src/proposals';

// Attack review 8 (fresh eyes): the failover receiver choice and the region
// evidence it is built from, with Prometheus series as hostile data.
const NOW = new Date('2026-12-04T12:00:00Z');
const firing = { name: 'RegionDown', status: 'firing', labels: { region: 'us-east', service: 'checkout' }, startsAt: '2026-12-04T11:58:00Z' };
const settingsFor = (regions: string[]) => ({ regions: regions.join(', '), cluster: 'global', kind: 'Deployment', service: 'checkout', namespace: 'shop', perPodCapacity: 50 });
const runFor = (regions: string[], alert: unknown = firing) => ({ alert, ...settingsFor(regions), lock: { acquired: true }, state: {} });
const series = (region: string, signal: string, value: unknown) => ({ metric: { region, signal }, value: [1733313600, value] });
const policyFor = (regions: string[], failover: Record<string, unknown> = {}) => ({
	allowedNamespaces: ['shop'],
	failover: { trafficTargets: Object.fromEntries(regions.map((r) => [r, { backend: 'be_app', server: r }])), allowedRegions: regions, ...failover },
});
const trafficFor = (regions: string[], admin: Record<string, string> = {}) => ({ backend: 'be_app', servers: Object.fromEntries(regions.map((r) => [r, admin[r] ?? 'ready'])) });
const limitsOf = (policy: unknown) => {
	const parsed = parsePolicy(JSON.stringify(policy));
	if (!parsed.ok) throw new Error('policy');
	return parsed.policy.failover;
};
const two = ['us-east', 'us-west'];
const three = ['us-east', 'us-west', 'eu-west'];
const failingEast = [series('us-east', 'readyFraction', 0.2), series('us-east', 'errorRate', 0.4), series('us-east', 'load', 400)];
const healthy = (region: string, extra: Array<Record<string, unknown>> = [], set: Record<string, number> = {}) => [
	...Object.entries({ readyFraction: 1, errorRate: 0.001, load: 100, capacityReplicas: 40, ...set }).map(([signal, value]) => series(region, signal, value)),
	...extra,
];
const build = (regions: string[], signals: unknown[], traffic: unknown = trafficFor(regions), alert: unknown = firing) =>
	buildFailoverProposal({ run: runFor(regions, alert), signals, traffic, receiverLimits: limitsOf(policyFor(regions)) });
const regionsOf = (proposal: Record<string, unknown>) => (proposal.evidence as { regions: Record<string, Record<string, unknown>> }).regions;

describe('hostile series must not let the gate apply a move onto a region it would hold for', () => {
	it.each([
		['a second series with another pool count', [series('us-west', 'healthyPools', 0), series('us-west', 'healthyPools', 2)]],
		['the pool count as NaN beside the real one', [series('us-west', 'healthyPools', 0), series('us-west', 'healthyPools', 'NaN')]],
	])('a receiver with no healthy pool stays held (%s): doubt about its pools is not "no pool count"', (_label, pools) => {
		for (const regions of [two, three]) {
			const others = regions === three ? [series('eu-west', 'readyFraction', 0.5), series('eu-west', 'errorRate', 0.5)] : [];
			const honest = build(regions, [...failingEast, ...healthy('us-west', [series('us-west', 'healthyPools', 0)]), ...others]);
			expect(evaluate(honest, policyFor(regions), {}, NOW).decision).toBe('hold');
			const proposal = build(regions, [...failingEast, ...healthy('us-west', pools), ...others]);
			expect(proposal.to).toBe('us-west');
			expect(evaluate(proposal, policyFor(regions), {}, NOW).decision).not.toBe('apply');
		}
	});

	it('a load in doubt does not fall back to a stated requiredReplicas series that understates the need', () => {
		// us-west can run 10 replicas; it needs 9 of its own (450 rps) + 8 moved + 10 % = 19: hold.
		const west = [series('us-west', 'readyFraction', 1), series('us-west', 'errorRate', 0.001), series('us-west', 'capacityReplicas', 10)];
		const honest = build(two, [...failingEast, ...west, series('us-west', 'load', 450)]);
		expect(evaluate(honest, policyFor(two), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'target.capacity' });
		// An injected load (disagreement: unknown) plus a requiredReplicas of 1 must not become "needs 1".
		const forged = build(two, [...failingEast, ...west, series('us-west', 'load', 450), series('us-west', 'load', 1), series('us-west', 'requiredReplicas', 1)]);
		expect(regionsOf(forged)['us-west']).not.toHaveProperty('requiredReplicas');
		expect(evaluate(forged, policyFor(two), {}, NOW).decision).not.toBe('apply');
		// The same on the side being drained: its moved load in doubt is unknown, not a forged 0.
		const forgedFrom = build(two, [...failingEast, series('us-east', 'load', 0), series('us-east', 'requiredReplicas', 0), ...west, series('us-west', 'load', 450)]);
		expect(regionsOf(forgedFrom)['us-east']).not.toHaveProperty('requiredReplicas');
		expect(evaluate(forgedFrom, policyFor(two), {}, NOW).decision).not.toBe('apply');
	});
});

describe('with three regions the receiver is one the gate lets through when there is one', () => {
	it('not one too small to take the moved load while another has the room', () => {
		// us-west serves slightly better but can run only 5 replicas; eu-west can run 40.
		const signals = [...failingEast, ...healthy('us-west', [], { capacityReplicas: 5 }), ...healthy('eu-west', [], { errorRate: 0.002 })];
		const proposal = build(three, signals);
		expect(proposal.to).toBe('eu-west');
		expect(evaluate(proposal, policyFor(three), {}, NOW)).toMatchObject({ decision: 'apply', value: 'eu-west' });
	});

	it('not one the load balancer keeps out while another takes traffic', () => {
		const signals = [...failingEast, ...healthy('us-west'), ...healthy('eu-west', [], { errorRate: 0.002 })];
		const traffic = trafficFor(three, { 'us-west': 'maint' });
		const proposal = build(three, signals, traffic);
		expect(proposal.to).toBe('eu-west');
		expect(evaluate(proposal, policyFor(three), {}, NOW)).toMatchObject({ decision: 'apply', value: 'eu-west' });
	});

	it('not one outside the policy\'s allowed regions while an allowed one is healthy', () => {
		const signals = [...failingEast, ...healthy('us-west'), ...healthy('eu-west', [], { errorRate: 0.002 })];
		const policy = policyFor(three, { allowedRegions: ['us-east', 'eu-west'] });
		const proposal = buildFailoverProposal({ run: runFor(three), signals, traffic: trafficFor(three), receiverLimits: limitsOf(policy) });
		expect(proposal.to).toBe('eu-west');
		expect(evaluate(proposal, policy, {}, NOW)).toMatchObject({ decision: 'apply', value: 'eu-west' });
	});
});

describe('held: label and value games in the receiver choice', () => {
	it('a value outside 0..1 in any region is rejected by the gate whatever the receiver, never applied', () => {
		for (const regions of [two, three]) {
			for (const [signal, value] of [['readyFraction', 5], ['errorRate', -3], ['readyFraction', -1], ['errorRate', 2]] as const) {
				const last = regions[regions.length - 1];
				const signals = [...failingEast, ...regions.slice(1).flatMap((r) => healthy(r, [], r === last ? { [signal]: value } : {}))];
				expect(evaluate(build(regions, signals), policyFor(regions), {}, NOW).decision).toBe('reject');
			}
		}
	});

	it('the alert naming the healthy region, a region outside the list, or odd labels never drains without a person', () => {
		const signals = [...failingEast, ...healthy('us-west'), ...healthy('eu-west')];
		for (const regions of [two, three]) {
			for (const region of ['us-west', '__proto__', 'constructor', 'mars-1', 7, ['us-east'], { toString: 'us-east' }, '']) {
				const proposal = build(regions, signals, trafficFor(regions), { ...firing, labels: { region } });
				expect(['approve', 'reject', 'hold']).toContain(evaluate(proposal, policyFor(regions), {}, NOW).decision);
			}
		}
	});

	it('series for regions named after Object.prototype members, or not configured, change nothing about the choice', () => {
		const base = [...failingEast, ...healthy('us-west'), ...healthy('eu-west', [], { errorRate: 0.002 })];
		const noise = ['__proto__', 'constructor', 'hasOwnProperty', 'mars-1'].flatMap((r) => healthy(r));
		const proposal = build(three, [...noise, ...base]);
		expect(proposal.to).toBe(build(three, base).to);
		expect(Object.keys(regionsOf(proposal))).toEqual(three);
	});
});
