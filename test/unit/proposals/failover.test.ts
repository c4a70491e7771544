import { evaluate } from '../../../src/policy';
import { buildFailoverProposal, readFailoverSettings, SettingsError } from '../../../src/proposals';

const NOW = new Date('2026-12-04T12:00:00Z');

const settings = { regions: 'us-east, us-west', cluster: 'global', kind: 'Deployment', service: 'checkout', namespace: 'shop', perPodCapacity: 50 };
const firing = { name: 'RegionDown', status: 'firing', labels: { region: 'us-east', service: 'checkout' }, startsAt: '2026-12-04T11:58:00Z' };
const resolved = { ...firing, status: 'resolved', endsAt: '2026-12-04T11:30:00Z' };
const run = (extra: Record<string, unknown> = {}) => ({ alert: firing, ...settings, lock: { acquired: true }, state: {}, ...extra });

function series(region: string, signal: string, value: unknown): Record<string, unknown> {
	return { metric: { region, signal }, value: [1733313600, value] };
}

const healthyWest = [
	series('us-east', 'readyFraction', 0.2),
	series('us-east', 'errorRate', 0.4),
	series('us-east', 'load', 400),
	series('us-west', 'readyFraction', 1),
	series('us-west', 'errorRate', 0.001),
	series('us-west', 'load', 210),
	series('us-west', 'capacityReplicas', 40),
];
const traffic = { backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' } };
const policy = {
	allowedNamespaces: ['shop'],
	failover: { trafficTargets: { 'us-east': { backend: 'be_app', server: 'us-east' }, 'us-west': { backend: 'be_app', server: 'us-west' } }, allowedRegions: ['us-east', 'us-west'] },
};

describe('failover proposal from region signals', () => {
	it('fails over from the alerting region to the healthiest other one, with the load turned into replicas', () => {
		const proposal = buildFailoverProposal({ run: run(), signals: healthyWest, traffic });
		expect(proposal).toEqual({
			action: 'failover',
			source: 'alert',
			target: { cluster: 'global', namespace: 'shop', kind: 'Deployment', name: 'checkout' },
			from: 'us-east',
			to: 'us-west',
			current: { traffic },
			evidence: {
				alert: { name: 'RegionDown', status: 'firing', startsAt: '2026-12-04T11:58:00Z' },
				regions: {
					'us-east': { readyFraction: 0.2, errorRate: 0.4, requiredReplicas: 8 },
					'us-west': { readyFraction: 1, errorRate: 0.001, capacityReplicas: 40, requiredReplicas: 5 },
				},
			},
		});
		// What it builds is what the gate judges: here a move it lets through, sized 8 + 5 plus 10 % headroom.
		const verdict = evaluate(proposal, policy, {}, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', action: 'failover', value: 'us-west' });
		expect(verdict.scope?.scaleTo).toBe(Math.ceil(13 * 1.1));
	});

	it('fails back to the recovered region once the alert resolved, naming when', () => {
		const proposal = buildFailoverProposal({ run: run({ alert: resolved }), signals: healthyWest, traffic });
		expect(proposal).toMatchObject({ action: 'failback', from: 'us-west', to: 'us-east' });
		expect((proposal.evidence as { alert: unknown }).alert).toEqual({ name: 'RegionDown', status: 'resolved', startsAt: firing.startsAt, endsAt: resolved.endsAt, resolvedSince: resolved.endsAt });
	});

	it('picks the most ready of several other regions, the first listed on a tie, and an unreporting one last', () => {
		const three = { regions: 'us-east, eu-west, us-west' };
		const signals = [series('us-west', 'readyFraction', 0.9), series('eu-west', 'readyFraction', 0.95)];
		expect(buildFailoverProposal({ run: run(three), signals, traffic }).to).toBe('eu-west');
		const tie = [series('us-west', 'readyFraction', 0.9), series('eu-west', 'readyFraction', 0.9)];
		expect(buildFailoverProposal({ run: run(three), signals: tie, traffic }).to).toBe('eu-west');
		expect(buildFailoverProposal({ run: run(three), signals: [series('us-west', 'readyFraction', 0)], traffic }).to).toBe('us-west');
	});

	it('with three regions, proposes the one the gate can let through: not a fully ready one failing half its requests', () => {
		const three = { regions: 'us-east, us-west, eu-west' };
		const threePolicy = {
			allowedNamespaces: ['shop'],
			failover: {
				trafficTargets: Object.fromEntries(['us-east', 'us-west', 'eu-west'].map((r) => [r, { backend: 'be_app', server: r }])),
				allowedRegions: ['us-east', 'us-west', 'eu-west'],
			},
		};
		const signals = [
			...healthyWest.filter((s) => (s.metric as { region: string }).region === 'us-east'),
			series('us-west', 'readyFraction', 1),
			series('us-west', 'errorRate', 0.5),
			series('us-west', 'load', 100),
			series('eu-west', 'readyFraction', 0.95),
			series('eu-west', 'errorRate', 0.001),
			series('eu-west', 'load', 100),
			series('eu-west', 'capacityReplicas', 40),
		];
		const threeTraffic = { backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready', 'eu-west': 'ready' } };
		const limits = { minReadyFraction: 0.9, maxErrorRate: 0.01 };
		const proposal = buildFailoverProposal({ run: run(three), signals, traffic: threeTraffic, receiverLimits: limits });
		expect(proposal.to).toBe('eu-west');
		expect(evaluate(proposal, threePolicy, {}, NOW)).toMatchObject({ decision: 'apply', value: 'eu-west' });
		// Without the gate's limits the requests served well still rank: 0.95 x 0.999 over 1 x 0.5.
		expect(buildFailoverProposal({ run: run(three), signals, traffic: threeTraffic }).to).toBe('eu-west');
		// A region with no healthy pool, or one whose error rate is unknown, comes after one the gate passes.
		const noPool = [...signals.filter((s) => (s.metric as { region: string }).region !== 'us-west'), series('us-west', 'readyFraction', 1), series('us-west', 'errorRate', 0), series('us-west', 'healthyPools', 0)];
		expect(buildFailoverProposal({ run: run(three), signals: noPool, traffic: threeTraffic, receiverLimits: limits }).to).toBe('eu-west');
		const unknownErrors = [...signals.filter((s) => (s.metric as { region: string }).region !== 'us-west'), series('us-west', 'readyFraction', 1)];
		expect(buildFailoverProposal({ run: run(three), signals: unknownErrors, traffic: threeTraffic, receiverLimits: limits }).to).toBe('eu-west');
		// Unknown beats known to be past a limit: a person decides rather than the gate holding.
		const pastLimit = [...signals.filter((s) => (s.metric as { region: string }).region !== 'eu-west'), series('eu-west', 'readyFraction', 0.95)];
		expect(buildFailoverProposal({ run: run(three), signals: pastLimit, traffic: threeTraffic, receiverLimits: limits }).to).toBe('eu-west');
	});

	it('leaves out current when no load-balancer state was read, and the gate then has nothing to compare', () => {
		expect(buildFailoverProposal({ run: run(), signals: healthyWest, traffic: undefined })).not.toHaveProperty('current');
	});
});

describe('failover proposal: hostile signals (Prometheus data is untrusted)', () => {
	it('reads NaN, Inf, strings, missing values and unlabelled series as unknown: the gate does not act, it asks a person', () => {
		const signals = [
			series('us-west', 'readyFraction', 'NaN'),
			series('us-west', 'errorRate', Number.NaN),
			series('us-west', 'load', Number.POSITIVE_INFINITY),
			{ metric: { region: 'us-west' }, value: [0, 1] },
			{ metric: { signal: 'readyFraction' }, value: [0, 1] },
			{ metric: 'us-west', value: [0, 1] },
			{ metric: { region: 'us-west', signal: 'healthyPools' } },
			null,
			7,
		];
		const proposal = buildFailoverProposal({ run: run(), signals, traffic });
		expect((proposal.evidence as { regions: unknown }).regions).toEqual({ 'us-east': {}, 'us-west': {} });
		const verdict = evaluate(proposal, policy, {}, NOW);
		expect(verdict).toMatchObject({ decision: 'approve', decidedBy: 'target.readyFraction' });
	});

	it('treats two series that disagree about one signal as unknown rather than picking one (a person decides)', () => {
		const signals = [...healthyWest, series('us-west', 'readyFraction', 0.1), series('us-west', 'readyFraction', 1)];
		const proposal = buildFailoverProposal({ run: run(), signals, traffic });
		expect((proposal.evidence as { regions: Record<string, Record<string, unknown>> }).regions['us-west']).not.toHaveProperty('readyFraction');
		expect(evaluate(proposal, policy, {}, NOW)).toMatchObject({ decision: 'approve', decidedBy: 'target.readyFraction' });
		// The same value twice (an HA pair of exporters) is no disagreement.
		const twice = buildFailoverProposal({ run: run(), signals: [...healthyWest, series('us-west', 'readyFraction', 1)], traffic });
		expect((twice.evidence as { regions: Record<string, Record<string, unknown>> }).regions['us-west'].readyFraction).toBe(1);
	});

	it('keeps regions and signals named after Object.prototype members as plain data, and only the configured regions', () => {
		const signals = [
			...healthyWest,
			series('__proto__', 'readyFraction', 1),
			series('constructor', 'readyFraction', 1),
			series('us-west', '__proto__', 1),
			series('us-west', 'toString', 1),
			series('us-west', 'weight', 100),
		];
		const proposal = buildFailoverProposal({ run: run(), signals, traffic });
		const regions = (proposal.evidence as { regions: Record<string, unknown> }).regions;
		expect(Object.keys(regions)).toEqual(['us-east', 'us-west']);
		expect(regions['us-west']).toEqual({ readyFraction: 1, errorRate: 0.001, capacityReplicas: 40, requiredReplicas: 5 });
		expect(({} as Record<string, unknown>).readyFraction).toBeUndefined();
	});

	it('takes a series list that is not a list as no signals, and a huge one in one pass', () => {
		for (const signals of [undefined, null, 'series', { series: [] }, 42]) {
			const proposal = buildFailoverProposal({ run: run(), signals, traffic });
			expect((proposal.evidence as { regions: unknown }).regions).toEqual({ 'us-east': {}, 'us-west': {} });
		}
		const many = Array.from({ length: 100_000 }, (_, i) => series(`r${i}`, 'readyFraction', 1));
		const proposal = buildFailoverProposal({ run: run(), signals: [...many, ...healthyWest], traffic });
		expect(Object.keys((proposal.evidence as { regions: object }).regions)).toEqual(['us-east', 'us-west']);
	});

	it('passes an alert it cannot place to the gate as it is, which rejects it with the reason', () => {
		const elsewhere = buildFailoverProposal({ run: run({ alert: { ...firing, labels: { region: 'mars-1' } } }), signals: healthyWest, traffic });
		expect(elsewhere).toMatchObject({ from: 'mars-1', to: 'us-west' });
		expect(evaluate(elsewhere, policy, {}, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'regions.allowed' });
		const odd = buildFailoverProposal({ run: run({ alert: { ...firing, status: 'burning' } }), signals: healthyWest, traffic });
		expect(evaluate(odd, policy, {}, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'input.proposal' });
		const none = buildFailoverProposal({ run: run({ alert: 'RegionDown' }), signals: healthyWest, traffic });
		expect(evaluate(none, policy, {}, NOW).decision).toBe('reject');
	});
});

describe('failover settings (the editor\'s, checked before anything is built)', () => {
	it('reads a comma list or a list of regions and a number typed as text', () => {
		expect(readFailoverSettings({ ...settings, regions: ['us-east', ' us-west '], perPodCapacity: '50' })).toEqual({ ...settings, regions: ['us-east', 'us-west'], perPodCapacity: 50 });
	});

	it.each([
		[{ regions: '' }, /regions is empty/],
		[{ regions: 'us-east, us-east' }, /names us-east twice/],
		[{ regions: 5 }, /regions is number 5, not a comma-separated list/],
		[{ perPodCapacity: 0 }, /perPodCapacity is number 0, not a positive number/],
		[{ perPodCapacity: 'fifty' }, /perPodCapacity is "fifty"/],
		[{ perPodCapacity: Number.NaN }, /perPodCapacity/],
		[{ service: '' }, /service is empty.*\$json\.alert\.labels\.service/],
		[{ namespace: undefined }, /namespace is missing/],
		[{ cluster: { name: 'x' } }, /cluster is an object/],
	])('refuses %j with the field, where it is set and the fix', (wrong, message) => {
		expect(() => buildFailoverProposal({ run: run(wrong), signals: healthyWest, traffic })).toThrow(SettingsError);
		expect(() => buildFailoverProposal({ run: run(wrong), signals: healthyWest, traffic })).toThrow(message);
	});

	it('refuses a Run that is not an object', () => {
		for (const bad of [undefined, null, 'run', [run()]]) expect(() => buildFailoverProposal({ run: bad, signals: healthyWest, traffic })).toThrow(/Run is .*not an object.*Lock service/);
	});
});
