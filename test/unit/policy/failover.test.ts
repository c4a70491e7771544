import { evaluate, regionHealth, FAILOVER_DEFAULTS } from '../../../src/policy';
import { at, checkOf, failed, failoverProposal, NOW } from './helpers';

const policy = (failover: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ failover, ...extra });

describe('failover: happy path and shape', () => {
	it('applies a failover from an unhealthy region to a healthy one with room', () => {
		const verdict = evaluate(failoverProposal(), policy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', action: 'failover', value: 'eu-central-1' });
		expect(verdict.checks.map((item) => item.rule)).toEqual([
			'input.policy',
			'input.proposal',
			'input.state',
			'input.now',
			'namespace.allowed',
			'source.allowed',
			'regions.allowed',
			'changeFreeze',
			'dwell',
			'flipRate',
			'circuitBreaker',
			'activeRegion',
			'traffic.state',
			'failback.resolved',
			'failover.fromUnhealthy',
			'lastHealthyRegion',
			'target.readyFraction',
			'target.errorRate',
			'target.healthyPools',
			'target.capacity',
			'approval.llm',
		]);
	});

	it('does not need scaling bounds in the policy', () => {
		expect(evaluate(failoverProposal(), {}, {}, NOW).decision).toBe('apply');
	});
});

describe('failover: rejects', () => {
	it('rejects malformed proposals', () => {
		const cases = [
			failoverProposal({ to: 'eu-west-1' }),
			failoverProposal({ from: undefined }),
			failoverProposal({ to: 'eu central' }),
			failoverProposal({}, { 'eu-central-1': { readyFraction: 1.5 } }),
			failoverProposal({}, { 'eu-central-1': { capacityReplicas: -1 } }),
			failoverProposal({ evidence: { alert: { status: 'burning' } } }),
			failoverProposal({ weight: 100 }),
		];
		for (const proposal of cases) expect(evaluate(proposal, policy(), {}, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'input.proposal' });
	});

	it('rejects forecast-sourced failovers and regions outside allowedRegions', () => {
		expect(evaluate(failoverProposal({ source: 'forecast' }), policy(), {}, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'source.allowed' });
		const verdict = evaluate(failoverProposal(), policy({ allowedRegions: ['eu-west-1', 'us-east-1'] }), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'reject', decidedBy: 'regions.allowed' });
		expect(verdict.reason).toContain('eu-central-1');
	});

	it('never drains the last healthy region', () => {
		const proposal = failoverProposal({ source: 'manual' }, {
			'eu-west-1': { readyFraction: 1, errorRate: 0, capacityReplicas: 20, requiredReplicas: 10 },
			'eu-central-1': { readyFraction: 0.5, errorRate: 0.2, capacityReplicas: 40, requiredReplicas: 10 },
		});
		const verdict = evaluate(proposal, policy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'reject', decidedBy: 'lastHealthyRegion' });
	});

	it('counts a target without evidence as not healthy when judging the last healthy region', () => {
		const proposal = failoverProposal({ to: 'us-east-1' }, { 'eu-west-1': { readyFraction: 1, errorRate: 0 }, 'eu-central-1': { readyFraction: 0.1, errorRate: 0.5 } });
		expect(evaluate(proposal, policy(), {}, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'lastHealthyRegion' });
	});
});

describe('failover: flap protection holds', () => {
	it('holds within minDwellSeconds of the last flip', () => {
		expect(evaluate(failoverProposal(), policy(), { lastFlipAt: at(-599) }, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'dwell' });
		expect(evaluate(failoverProposal(), policy(), { lastFlipAt: at(-600) }, NOW).decision).toBe('apply');
		expect(evaluate(failoverProposal(), policy(), { flipTimes: [at(-30)] }, NOW).decision).toBe('hold');
	});

	it('holds once maxFlipsPerHour flips happened in the last hour', () => {
		const twoRecent = { flipTimes: [at(-3000), at(-1200)] };
		expect(evaluate(failoverProposal(), policy(), twoRecent, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'flipRate' });
		const oneOld = { flipTimes: [at(-3600), at(-1200)] };
		expect(evaluate(failoverProposal(), policy(), oneOld, NOW).decision).toBe('apply');
		expect(evaluate(failoverProposal(), policy({ maxFlipsPerHour: 3 }), twoRecent, NOW).decision).toBe('apply');
	});

	it('counts flips stamped in the future as recent', () => {
		const verdict = evaluate(failoverProposal(), policy({ minDwellSeconds: 0 }), { flipTimes: [at(7200), at(9000)] }, NOW);
		expect(checkOf(verdict, 'flipRate')).toMatchObject({ passed: false, measured: 2 });
	});

	it('does not freeze failover by default but does freeze failback', () => {
		const freeze = { changeFreezes: [{ start: at(-60), end: at(60) }] };
		expect(evaluate(failoverProposal(), policy({}, freeze), {}, NOW).decision).toBe('apply');
		const frozenFailover = { changeFreezes: [{ start: at(-60), end: at(60), actions: ['failover'] }] };
		expect(evaluate(failoverProposal(), policy({}, frozenFailover), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'changeFreeze' });
	});

	it('holds after consecutive errors and when the source region no longer serves', () => {
		expect(evaluate(failoverProposal(), policy(), { consecutiveErrors: 3 }, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'circuitBreaker' });
		expect(evaluate(failoverProposal(), policy(), { activeRegions: ['eu-central-1'] }, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'activeRegion' });
		expect(evaluate(failoverProposal(), policy(), { activeRegions: ['eu-west-1', 'eu-central-1'] }, NOW).decision).toBe('apply');
	});

	it('rejects malformed state', () => {
		expect(evaluate(failoverProposal(), policy(), { flipTimes: ['soon'] }, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'input.state' });
		expect(evaluate(failoverProposal(), policy(), { lastActionAt: NOW }, NOW)).toMatchObject({ decision: 'reject', decidedBy: 'input.state' });
	});
});

describe('failover: target region', () => {
	it('holds when the target is unhealthy', () => {
		const notReady = failoverProposal({}, { 'eu-central-1': { readyFraction: 0.8, errorRate: 0, capacityReplicas: 40, requiredReplicas: 1 } });
		expect(evaluate(notReady, policy(), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'target.readyFraction' });
		const erroring = failoverProposal({}, { 'eu-central-1': { readyFraction: 1, errorRate: 0.02, capacityReplicas: 40, requiredReplicas: 1 } });
		expect(evaluate(erroring, policy(), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'target.errorRate' });
		const noPools = failoverProposal({}, { 'eu-central-1': { readyFraction: 1, errorRate: 0, capacityReplicas: 40, requiredReplicas: 1, healthyPools: 0 } });
		expect(evaluate(noPools, policy(), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'target.healthyPools' });
	});

	it('holds when the target lacks capacity for its own plus the moved load with headroom', () => {
		// (10 own + 10 moved) × 1.1 = 22
		const tight = (capacity: number): Record<string, unknown> =>
			failoverProposal({}, { 'eu-central-1': { readyFraction: 1, errorRate: 0, capacityReplicas: capacity, requiredReplicas: 10 } });
		expect(evaluate(tight(21), policy(), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'target.capacity' });
		expect(checkOf(evaluate(tight(21), policy(), {}, NOW), 'target.capacity')).toMatchObject({ measured: 21, limit: 22 });
		expect(evaluate(tight(22), policy(), {}, NOW).decision).toBe('apply');
		expect(evaluate(tight(20), policy({ capacityHeadroomPercent: 0 }), {}, NOW).decision).toBe('apply');
	});

	it('asks a human when target evidence is missing rather than guessing', () => {
		const unknown = failoverProposal({}, { 'eu-central-1': {} });
		const verdict = evaluate(unknown, policy(), {}, NOW);
		expect(verdict.decision).toBe('approve');
		expect(failed(verdict)).toEqual(['target.readyFraction', 'target.errorRate', 'target.capacity']);
		const noLoad = failoverProposal({}, { 'eu-west-1': { readyFraction: 0, errorRate: 1 } });
		expect(evaluate(noLoad, policy(), {}, NOW)).toMatchObject({ decision: 'approve', decidedBy: 'target.capacity' });
	});

	it('does not resolve a region named like an Object.prototype member', () => {
		const verdict = evaluate(failoverProposal({ to: 'constructor' }, { constructor: undefined }), policy(), {}, NOW);
		expect(verdict.decision).not.toBe('apply');
		expect(checkOf(verdict, 'target.readyFraction').detail).toContain('no ready fraction');
	});
});

describe('failover: draining a healthy region and llm proposals need a human', () => {
	it('approves a failover away from a region that looks healthy', () => {
		const healthySource = failoverProposal({}, { 'eu-west-1': { readyFraction: 1, errorRate: 0, requiredReplicas: 10 } });
		expect(evaluate(healthySource, policy(), {}, NOW)).toMatchObject({ decision: 'approve', decidedBy: 'failover.fromUnhealthy', value: 'eu-central-1' });
	});

	it('approves every llm-proposed traffic move', () => {
		expect(evaluate(failoverProposal({ source: 'llm' }), policy(), {}, NOW)).toMatchObject({ decision: 'approve', decidedBy: 'approval.llm' });
	});
});

describe('failback', () => {
	const failback = (alert: Record<string, unknown> | null): Record<string, unknown> => {
		const regions = {
			'eu-central-1': { readyFraction: 1, errorRate: 0, capacityReplicas: 40, requiredReplicas: 20 },
			'eu-west-1': { readyFraction: 0.99, errorRate: 0.001, capacityReplicas: 30, requiredReplicas: 0 },
		};
		const evidence: Record<string, unknown> = { regions };
		if (alert !== null) evidence.alert = alert;
		return failoverProposal({ action: 'failback', from: 'eu-central-1', to: 'eu-west-1', evidence });
	};

	it('waits until the alert stayed resolved for resolveDwellSeconds', () => {
		expect(evaluate(failback({ status: 'resolved', resolvedSince: at(-899) }), policy(), {}, NOW)).toMatchObject({ decision: 'hold', decidedBy: 'failback.resolved' });
		expect(evaluate(failback({ status: 'resolved', resolvedSince: at(-900) }), policy(), {}, NOW)).toMatchObject({ decision: 'apply', value: 'eu-west-1' });
		expect(evaluate(failback({ status: 'resolved', endsAt: at(-1000) }), policy(), {}, NOW).decision).toBe('apply');
	});

	it('holds while the alert fires, without alert evidence, or with a resolved time it cannot read', () => {
		expect(evaluate(failback({ status: 'firing' }), policy(), {}, NOW).decision).toBe('hold');
		expect(evaluate(failback(null), policy(), {}, NOW).decision).toBe('hold');
		expect(evaluate(failback({ status: 'resolved' }), policy(), {}, NOW).decision).toBe('hold');
	});

	it("ignores Alertmanager's zero endsAt", () => {
		const verdict = evaluate(failback({ status: 'resolved', endsAt: '0001-01-01T00:00:00Z' }), policy(), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'failback.resolved' });
	});

	it('is frozen by a default change freeze', () => {
		const freeze = { changeFreezes: [{ start: at(-60), end: at(60) }] };
		const verdict = evaluate(failback({ status: 'resolved', resolvedSince: at(-3600) }), policy({}, freeze), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'hold', decidedBy: 'changeFreeze' });
	});
});

describe('regionHealth', () => {
	it('judges from raw evidence with the policy thresholds', () => {
		expect(regionHealth({ readyFraction: 0.95, errorRate: 0.005 }, FAILOVER_DEFAULTS)).toBe('healthy');
		expect(regionHealth({ readyFraction: 0.89, errorRate: 0 }, FAILOVER_DEFAULTS)).toBe('unhealthy');
		expect(regionHealth({ errorRate: 0.5 }, FAILOVER_DEFAULTS)).toBe('unhealthy');
		expect(regionHealth({ readyFraction: 1 }, FAILOVER_DEFAULTS)).toBe('unknown');
		expect(regionHealth(null, FAILOVER_DEFAULTS)).toBe('unknown');
	});
});

describe('failover scope: the load-balancer server a verdict names', () => {
	it('takes only own entries of failover.trafficTargets: a region named like an Object.prototype member maps to itself', () => {
		const now = new Date('2026-12-04T12:00:00Z');
		const proposal = {
			action: 'failover',
			source: 'alert',
			target: { cluster: 'global', namespace: 'shop', kind: 'Deployment', name: 'web' },
			from: 'constructor',
			to: 'us-west',
			evidence: {
				alert: { status: 'firing', name: 'RegionDown' },
				regions: { constructor: { readyFraction: 0.1, errorRate: 0.5, requiredReplicas: 2 }, 'us-west': { readyFraction: 1, errorRate: 0, capacityReplicas: 20, requiredReplicas: 2, healthyPools: 1 } },
			},
		};
		const verdict = evaluate(proposal, { allowedNamespaces: ['shop'], failover: { trafficTargets: { 'us-west': { server: 'west-1' } } } }, {}, now);
		expect(verdict).toMatchObject({ decision: 'apply', scope: { drain: { server: 'constructor' } } });
		expect(JSON.parse(JSON.stringify(verdict.scope))).toEqual(verdict.scope);
	});
});

describe('traffic.state: the load balancer the proposal read', () => {
	const targets = { trafficTargets: { 'eu-west-1': { backend: 'be_app', server: 'euw1' }, 'eu-central-1': { backend: 'be_app', server: 'euc1' } } };
	const stating = (servers: Record<string, unknown>, extra: Record<string, unknown> = {}) => failoverProposal({ current: { traffic: { backend: 'be_app', servers } }, ...extra });

	it('passes when both regions take traffic, and the verdict carries the state for the live compare', () => {
		const verdict = evaluate(stating({ euw1: 'ready', euc1: 'ready', spare: 'maint' }), policy(targets), {}, NOW);
		expect(verdict).toMatchObject({ decision: 'apply', scope: { drain: { backend: 'be_app', server: 'euw1' }, traffic: { backend: 'be_app', servers: { euw1: 'ready', euc1: 'ready', spare: 'maint' } } } });
		expect(checkOf(verdict, 'traffic.state')).toMatchObject({ passed: true, measured: ['euw1=ready', 'euc1=ready'] });
	});

	it('holds a failover to a region the load balancer keeps out, and one from a region already out', () => {
		const drainedTarget = evaluate(stating({ euw1: 'ready', euc1: 'drain' }), policy(targets), {}, NOW);
		expect(drainedTarget).toMatchObject({ decision: 'hold', decidedBy: 'traffic.state' });
		expect(checkOf(drainedTarget, 'traffic.state').detail).toMatch(/euc1 \(eu-central-1\) is drained at the load balancer: failing over to it would send the traffic nowhere/);
		const alreadyOut = evaluate(stating({ euw1: 'maint', euc1: 'ready' }), policy(targets), {}, NOW);
		expect(checkOf(alreadyOut, 'traffic.state')).toMatchObject({ passed: false, detail: expect.stringMatching(/euw1 \(eu-west-1\) is in maintenance already: there is no traffic of it to move/) });
		expect(alreadyOut.scope).toBeUndefined();
	});

	it('rejects a state that does not know a region\'s server or is of another backend', () => {
		const missing = evaluate(stating({ euw1: 'ready', 'eu-central-1': 'ready' }), policy(targets), {}, NOW);
		expect(missing).toMatchObject({ decision: 'reject', decidedBy: 'traffic.state' });
		expect(checkOf(missing, 'traffic.state').detail).toMatch(/no server euc1 \(eu-central-1\); map each region to its server in failover\.trafficTargets/);
		const other = evaluate(failoverProposal({ current: { traffic: { backend: 'be_other', servers: { euw1: 'ready', euc1: 'ready' } } } }), policy(targets), {}, NOW);
		expect(other).toMatchObject({ decision: 'reject', decidedBy: 'traffic.state' });
	});

	it('a failback restores a region the load balancer keeps out, not one already serving', () => {
		const failback = (servers: Record<string, unknown>) =>
			failoverProposal({
				action: 'failback',
				from: 'eu-central-1',
				to: 'eu-west-1',
				current: { traffic: { servers } },
				evidence: { alert: { name: 'RegionDown', status: 'resolved', startsAt: at(-7200), resolvedSince: at(-3600) }, regions: { 'eu-west-1': { readyFraction: 1, errorRate: 0, capacityReplicas: 20, requiredReplicas: 5, healthyPools: 1 }, 'eu-central-1': { readyFraction: 1, errorRate: 0, capacityReplicas: 20, requiredReplicas: 5 } } },
			});
		expect(evaluate(failback({ euw1: 'drain', euc1: 'ready' }), policy(targets), {}, NOW)).toMatchObject({ decision: 'apply', scope: { restore: { server: 'euw1' }, traffic: { servers: { euw1: 'drain' } } } });
		const serving = evaluate(failback({ euw1: 'ready', euc1: 'ready' }), policy(targets), {}, NOW);
		expect(checkOf(serving, 'traffic.state')).toMatchObject({ passed: false, detail: expect.stringMatching(/euw1 \(eu-west-1\) takes traffic already: nothing to restore/) });
	});

	it('hostile forms of current.traffic are rejected with the field named', () => {
		const reject = (current: unknown) => evaluate(failoverProposal({ current }), policy(targets), {}, NOW);
		for (const [current, path] of [
			[{ traffic: { servers: { euw1: 'up', euc1: 'ready' } } }, 'proposal.current.traffic.servers.euw1'],
			[{ traffic: { servers: { euw1: true, euc1: 'ready' } } }, 'proposal.current.traffic.servers.euw1'],
			[{ traffic: { servers: {} } }, 'proposal.current.traffic.servers'],
			[{ traffic: { servers: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`s${i}`, 'ready'])) } }, 'proposal.current.traffic.servers'],
			[{ traffic: { servers: { euw1: 'ready', euc1: 'ready' }, force: true } }, 'proposal.current.traffic.force'],
			[{ replicas: 3 }, 'proposal.current.replicas'],
			[{ traffic: [] }, 'proposal.current.traffic'],
			['ready', 'proposal.current'],
		] as const) {
			const verdict = reject(current);
			expect(verdict.decision).toBe('reject');
			expect(checkOf(verdict, 'input.proposal').detail).toContain(path);
		}
		// A server called like an Object.prototype member is just a name.
		const proto = evaluate(stating(JSON.parse('{"euw1": "ready", "euc1": "ready", "constructor": "drain", "__proto__": "maint"}')), policy(targets), {}, NOW);
		expect(proto.decision).toBe('apply');
		const servers = proto.scope?.traffic?.servers as Record<string, string>;
		expect(Object.getPrototypeOf(servers)).toBe(Object.prototype);
		expect([Object.hasOwn(servers, '__proto__'), servers.constructor]).toEqual([true, 'drain']);
	});
});
