import { evaluate } from '../../../src/policy';
import { buildCanaryProposal, buildFailoverProposal, groupSignals } from '../../../src/proposals';

// Attack review 7: a series that names a signal but carries no usable value.
const NOW = new Date('2026-12-04T12:00:00Z');
const canary = { cluster: 'us-east', region: 'us-east', namespace: 'shop', service: 'checkout', canaryDeployment: 'checkout-canary', canaryIngress: 'checkout-canary' };
const policy = { allowedNamespaces: ['shop'], canary: {} };
const series = (track: string, signal: string, value: unknown) => ({ metric: { track, signal }, value: [1733313600, value] });
const stable = [series('stable', 'requests', 6000), series('stable', 'errorRate', 0.001), series('stable', 'p99LatencyMs', 120)];

describe('a series naming a signal without a usable value', () => {
	it.each([
		['no value', { metric: { track: 'canary', signal: 'errorRate' } }],
		['a value without a sample', { metric: { track: 'canary', signal: 'errorRate' }, value: [1733313600] }],
		['a value that is not a pair', { metric: { track: 'canary', signal: 'errorRate' }, value: '0.3' }],
		['range values instead of a value', { metric: { track: 'canary', signal: 'errorRate' }, values: [[1733313600, 0.3]] }],
	])('is an unknown canary error rate (%s), never "no 5xx series" = 0, which would pass the canary and reset its failures', (_label, errorRate) => {
		const proposal = buildCanaryProposal({ canary, signals: [series('canary', 'requests', 600), errorRate, series('canary', 'p99LatencyMs', 110), ...stable] });
		expect((proposal.evidence as { canary: Record<string, unknown> }).canary).toEqual({ requests: 600, errorRate: null, p99LatencyMs: 110 });
		// Two failures already counted: an unknown error rate pauses and keeps them; a pass would wipe them.
		const verdict = evaluate(proposal, policy, { consecutiveFailures: 2, cumulativeFailures: 2 }, NOW);
		expect(verdict.value).toBe('pause');
		expect(verdict.nextState).toMatchObject({ consecutiveFailures: 2 });
	});

	it('disagrees with a series that has a value for the same signal: unknown either way round', () => {
		const bare = { metric: { region: 'us-west', signal: 'readyFraction' } };
		const valued = { metric: { region: 'us-west', signal: 'readyFraction' }, value: [0, 1] };
		expect(groupSignals([bare, valued], 'region').groups['us-west'].readyFraction).toBeNull();
		expect(groupSignals([valued, bare], 'region').groups['us-west'].readyFraction).toBeNull();
	});
});

describe('disagreeing series about the region being drained', () => {
	const settings = { regions: 'us-east, us-west', cluster: 'global', kind: 'Deployment', service: 'checkout', namespace: 'shop', perPodCapacity: 50 };
	const firing = { name: 'RegionDown', status: 'firing', labels: { region: 'us-east', service: 'checkout' }, startsAt: '2026-12-04T11:58:00Z' };
	const run = { alert: firing, ...settings, lock: { acquired: true }, state: {} };
	const traffic = { backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' } };
	const failoverPolicy = {
		allowedNamespaces: ['shop'],
		failover: { trafficTargets: { 'us-east': { backend: 'be_app', server: 'us-east' }, 'us-west': { backend: 'be_app', server: 'us-west' } }, allowedRegions: ['us-east', 'us-west'] },
	};
	const region = (name: string, signal: string, value: unknown) => ({ metric: { region: name, signal }, value: [1733313600, value] });
	const west = [region('us-west', 'readyFraction', 1), region('us-west', 'errorRate', 0.001), region('us-west', 'load', 210), region('us-west', 'capacityReplicas', 40)];
	const decide = (east: unknown[]) => evaluate(buildFailoverProposal({ run, signals: [...east, ...west], traffic }), failoverPolicy, {}, NOW);

	it('asks a person when one of them says the failing region is healthy (unknown would drain it without asking)', () => {
		const healthyEast = [region('us-east', 'errorRate', 0.001), region('us-east', 'load', 400)];
		// Without disagreement: a region that looks healthy is drained only by a person.
		expect(decide([region('us-east', 'readyFraction', 1), ...healthyEast])).toMatchObject({ decision: 'approve', decidedBy: 'failover.fromUnhealthy' });
		// An HA pair of exporters a hair apart, a pushed series saying 0.1, a NaN next to a number: still a person.
		for (const readings of [[1, 0.99], [0.1, 1], [1, 0.1], ['NaN', 1]]) {
			expect(decide([...readings.map((v) => region('us-east', 'readyFraction', v)), ...healthyEast])).toMatchObject({ decision: 'approve', decidedBy: 'failover.fromUnhealthy' });
		}
		expect(decide([region('us-east', 'readyFraction', 1), region('us-east', 'errorRate', 0.5), ...healthyEast])).toMatchObject({ decision: 'approve', decidedBy: 'failover.fromUnhealthy' });
	});

	it('still fails over on its own when every series says the failing region is unhealthy', () => {
		const sick = [region('us-east', 'readyFraction', 0.2), region('us-east', 'readyFraction', 0.3), region('us-east', 'errorRate', 0.4), region('us-east', 'load', 400)];
		expect(decide(sick)).toMatchObject({ decision: 'apply', value: 'us-west' });
	});
});

it('reads a million disagreeing series about the failing region in one pass', () => {
	const settings = { regions: 'us-east, us-west', cluster: 'global', kind: 'Deployment', service: 'checkout', namespace: 'shop', perPodCapacity: 50 };
	const alert = { name: 'RegionDown', status: 'firing', labels: { region: 'us-east', service: 'checkout' } };
	const many = Array.from({ length: 1_000_000 }, (_, i) => ({ metric: { region: 'us-east', signal: 'readyFraction' }, value: [0, i === 0 ? 0.95 : 0.1] }));
	const proposal = buildFailoverProposal({ run: { alert, ...settings }, signals: many, traffic: undefined });
	expect((proposal.evidence as { regions: Record<string, Record<string, unknown>> }).regions['us-east']).toEqual({ readyFraction: 0.95 });
});
