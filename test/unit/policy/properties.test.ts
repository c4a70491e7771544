import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate, hashProposal, parsePolicy, regionHealth, validatePolicy, verifyVerdict, type ResolvedPolicy, type Verdict } from '../../../src/policy';
import { NOW_MS } from './helpers';

// Thousands of random and hostile proposals per property. Assertions use
// node:assert rather than expect() inside the properties: jest matchers cost
// more than evaluate() itself and would push the file past its time budget.
const RUNS = 2000;
// The two properties that guard the apply path of scaling get more runs.
const CORE_RUNS = 4000;
const DECISIONS = ['apply', 'approve', 'hold', 'reject'];
const NAMESPACES = ['shop', 'payments', 'kube-system'];
const SOURCES = ['forecast', 'alert', 'llm', 'manual'] as const;

const iso = (offsetSeconds: number): string => new Date(NOW_MS + offsetSeconds * 1000).toISOString();

const hostileScalar = fc.oneof(
	fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, -0, 0.5, 1.5, 2 ** 31, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, 1e308),
	fc.constantFrom('5', '', 'NaN', 'Infinity', '__proto__', 'true', null, undefined, true, false),
	fc.constantFrom([], {}, [1, 2], { replicas: 5 }, { valueOf: 5 }, JSON.parse('{"__proto__": {"replicas": 3}}') as unknown),
	fc.double(),
	fc.integer(),
	fc.string({ unit: 'binary', maxLength: 12 }),
);

const replicas = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 80 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });

const freezeArb = fc.record({
	start: fc.integer({ min: -7200, max: 7200 }).map(iso),
	end: fc.integer({ min: 7201, max: 14_400 }).map(iso),
	actions: fc.subarray(['scale', 'failover', 'failback', 'rollback'], { minLength: 1 }),
});

const scalePolicyArb = fc
	.record(
		{
			min: fc.integer({ min: 0, max: 40 }),
			span: fc.integer({ min: 0, max: 60 }),
			maxStepUpPercent: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 10_000, noNaN: true })),
			maxStepUpPods: fc.integer({ min: 0, max: 10 }),
			allowScaleIn: fc.boolean(),
			maxStepDownPercent: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true })),
			cooldownSeconds: fc.integer({ min: 0, max: 3600 }),
			approvalFactor: fc.double({ min: 1, max: 20, noNaN: true }),
			accuracyGate: fc.oneof(fc.record({ maxMape: fc.double({ min: 0, max: 1, noNaN: true }) }), fc.record({ maxWape: fc.double({ min: 0, max: 1, noNaN: true }) })),
			llmMaxDeviationPercent: fc.integer({ min: 0, max: 100 }),
			maxConsecutiveErrors: fc.integer({ min: 1, max: 5 }),
			allowedNamespaces: fc.subarray(NAMESPACES, { minLength: 1 }),
			changeFreezes: fc.array(freezeArb, { maxLength: 2 }),
		},
		{ requiredKeys: ['min', 'span'] },
	)
	.map(({ min, span, ...rest }) => ({ ...rest, minReplicas: min, maxReplicas: Math.max(1, min + span) }));

const targetArb = fc.record({
	cluster: fc.constantFrom('prod-eu-1', 'prod-us-1'),
	namespace: fc.constantFrom(...NAMESPACES),
	kind: fc.constantFrom('Deployment', 'StatefulSet'),
	name: fc.constantFrom('checkout', 'web', 'api.v2'),
});

const scaleProposalArb = fc.record(
	{
		action: fc.constant('scale'),
		source: fc.constantFrom(...SOURCES),
		target: targetArb,
		current: fc.record({ replicas }),
		proposed: fc.record({ replicas }),
		evidence: fc.record(
			{
				backtest: fc.record({ mape: fc.double({ min: 0, max: 0.5, noNaN: true }), wape: fc.double({ min: 0, max: 0.5, noNaN: true }) }),
				deterministic: fc.record({ replicas }),
				note: fc.string(),
			},
			{ requiredKeys: [] },
		),
	},
	{ requiredKeys: ['action', 'source', 'target', 'current', 'proposed'] },
);

const scaleStateArb = fc.record(
	{ lastActionAt: fc.option(fc.integer({ min: -7200, max: 600 }).map(iso)), consecutiveErrors: fc.integer({ min: 0, max: 6 }) },
	{ requiredKeys: [] },
);

const nowArb = fc.oneof(
	fc.constant(NOW_MS),
	fc.integer({ min: -3600, max: 20_000 }).map((offset) => NOW_MS + offset * 1000),
	fc.integer({ min: -3600, max: 3600 }).map(iso),
	fc.integer({ min: 0, max: 3600 }).map((offset) => new Date(NOW_MS + offset * 1000)),
);

function resolve(policy: unknown): ResolvedPolicy {
	const result = validatePolicy(policy);
	if (!result.ok) throw new Error(`generator produced an invalid policy: ${JSON.stringify(result.issues)}`);
	return result.policy;
}

function toMillis(now: number | string | Date): number {
	return typeof now === 'number' ? now : new Date(now).getTime();
}

function isJsonSafe(value: unknown): boolean {
	if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
	if (typeof value === 'number') return Number.isFinite(value);
	if (Array.isArray(value)) return value.every(isJsonSafe);
	if (typeof value === 'object') return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isJsonSafe);
	return false;
}

function assertWellFormed(verdict: Verdict): void {
	assert.ok(DECISIONS.includes(verdict.decision), 'decision');
	assert.equal(typeof verdict.proposalHash, 'string');
	assert.match(verdict.verdictHash, /^sha256:[0-9a-f]{64}$/);
	assert.equal(typeof verdict.reason, 'string');
	assert.ok(verdict.checks.length > 0, 'checks');
	for (const item of verdict.checks) assert.ok(typeof item.rule === 'string' && typeof item.passed === 'boolean' && typeof item.detail === 'string', 'check shape');
	// Every verdict survives JSON unchanged: no NaN, Infinity, undefined or functions.
	assert.ok(isJsonSafe(verdict), 'verdict is plain JSON');
	if (verdict.decision === 'reject') assert.equal(verdict.value, null);
	if (verdict.decision === 'apply') {
		for (const item of verdict.checks) if (item.onFail !== 'note' && item.onFail !== 'apply') assert.ok(item.passed, `apply with failed ${item.rule}`);
	}
}

// A reference model of the clamp written independently of planScale.
function expectedScale(current: number, proposed: number, policy: ResolvedPolicy, source: string): { value: number; floor: number; ceiling: number } {
	const min = policy.minReplicas as number;
	const max = policy.maxReplicas as number;
	const up = Math.max(Math.ceil((current * policy.maxStepUpPercent) / 100), policy.maxStepUpPods);
	const down = policy.allowScaleIn ? Math.floor((current * policy.maxStepDownPercent) / 100) : 0;
	let value = Math.min(Math.max(Math.min(proposed, current + up), current - down), max);
	value = Math.max(value, min);
	if (value === 0 && current > 0 && source !== 'manual') value = 1;
	return { value, floor: current - down, ceiling: Math.max(current + up, min) };
}

function inFreeze(policy: ResolvedPolicy, action: string, nowMs: number): boolean {
	return policy.changeFreezes.some((freeze) => freeze.actions.includes(action as never) && nowMs >= Date.parse(freeze.start) && nowMs < Date.parse(freeze.end));
}

describe('property: scaling invariants over random valid inputs', () => {
	it('never applies outside the policy bounds, below current without allowScaleIn, or past any gate', () => {
		fc.assert(
			fc.property(scaleProposalArb, scalePolicyArb, scaleStateArb, nowArb, (proposal, rawPolicy, state, now) => {
				const verdict = evaluate(proposal, rawPolicy, state, now);
				assertWellFormed(verdict);
				const policy = resolve(rawPolicy);
				const min = policy.minReplicas as number;
				const max = policy.maxReplicas as number;
				const current = proposal.current.replicas;
				const proposed = proposal.proposed.replicas;
				const nowMs = toMillis(now);
				const model = expectedScale(current, proposed, policy, proposal.source);
				const allowed = policy.allowedNamespaces === undefined || policy.allowedNamespaces.includes(proposal.target.namespace);
				if (!allowed) assert.equal(verdict.decision, 'reject');
				else assert.notEqual(verdict.decision, 'reject');
				if (verdict.decision === 'hold') assert.equal(verdict.value, current);
				if (verdict.decision === 'apply' || verdict.decision === 'approve') {
					const value = verdict.value as number;
					assert.ok(Number.isSafeInteger(value));
					assert.equal(value, model.value);
					assert.ok(value >= min);
					assert.ok(value <= max);
					assert.notEqual(value, current);
					if (proposal.source !== 'manual') assert.ok(value > 0);
				}
				if (verdict.decision === 'apply') {
					const value = verdict.value as number;
					assert.ok(value >= model.floor);
					if (!policy.allowScaleIn) assert.ok(value > current);
					assert.ok(value <= model.ceiling);
					assert.ok(value >= 1);
					assert.ok(!(inFreeze(policy, 'scale', nowMs)));
					if (state.lastActionAt) assert.ok(nowMs - Date.parse(state.lastActionAt) >= policy.cooldownSeconds * 1000);
					assert.ok((state.consecutiveErrors ?? 0) < policy.maxConsecutiveErrors);
					assert.ok(proposed < current * policy.approvalFactor);
					if (proposal.source === 'forecast') {
						const backtest = (proposal.evidence?.backtest ?? {}) as Record<string, number | undefined>;
						for (const [limit, field] of [['maxMape', 'mape'], ['maxWape', 'wape'], ['maxMase', 'mase']] as const) {
							const max = policy.accuracyGate[limit];
							if (max !== undefined) assert.ok((backtest[field] ?? Infinity) <= max);
						}
					}
					if (proposal.source === 'llm') {
						const recommended = proposal.evidence?.deterministic?.replicas;
						assert.notEqual(recommended, undefined);
						assert.ok(Math.abs(proposed - (recommended as number)) <= ((recommended as number) * policy.llmMaxDeviationPercent) / 100 + 1e-9);
					}
				}
			}),
			{ numRuns: CORE_RUNS },
		);
	});
});

type Mutation = { path: string[]; value: unknown } | { path: string[]; remove: true };

const PATHS = [
	['action'],
	['source'],
	['target'],
	['target', 'namespace'],
	['target', 'name'],
	['target', 'cluster'],
	['current'],
	['current', 'replicas'],
	['proposed'],
	['proposed', 'replicas'],
	['evidence'],
	['evidence', 'backtest', 'mape'],
	['evidence', 'deterministic', 'replicas'],
	['force'],
	['__proto__'],
	['current', '__proto__'],
	['constructor'],
];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({ path: fc.constantFrom(...PATHS), value: hostileScalar }),
	fc.record({ path: fc.constantFrom(...PATHS), remove: fc.constant(true as const) }),
);

function mutate(proposal: Record<string, unknown>, mutation: Mutation): Record<string, unknown> {
	const copy = JSON.parse(JSON.stringify(proposal)) as Record<string, unknown>;
	let node: Record<string, unknown> = copy;
	for (const key of mutation.path.slice(0, -1)) {
		const next = Object.hasOwn(node, key) ? node[key] : undefined;
		if (typeof next !== 'object' || next === null) {
			const created: Record<string, unknown> = {};
			Object.defineProperty(node, key, { value: created, enumerable: true, writable: true, configurable: true });
			node = created;
		} else node = next as Record<string, unknown>;
	}
	const last = mutation.path[mutation.path.length - 1] as string;
	if ('remove' in mutation) delete node[last];
	else Object.defineProperty(node, last, { value: mutation.value, enumerable: true, writable: true, configurable: true });
	return copy;
}

const isReplicaCount = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= 2 ** 31 - 1;

describe('property: hostile mutations of valid proposals', () => {
	it('never throws, and only a well-formed proposal can be applied, always within bounds', () => {
		fc.assert(
			fc.property(scaleProposalArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), scalePolicyArb, (proposal, mutations, rawPolicy) => {
				const hostile = mutations.reduce(mutate, proposal as unknown as Record<string, unknown>);
				const verdict = evaluate(hostile, rawPolicy, {}, NOW_MS + 86_400_000);
				assertWellFormed(verdict);
				assert.equal(verdict.proposalHash, hashProposal(hostile));
				if (verdict.decision !== 'apply' && verdict.decision !== 'approve') return;
				const current = (hostile.current as { replicas: unknown }).replicas;
				const proposed = (hostile.proposed as { replicas: unknown }).replicas;
				assert.ok(isReplicaCount(current) && isReplicaCount(proposed));
				// Keys holding undefined are absent, as in JSON; every other key must be known.
				const present = Object.keys(hostile).filter((key) => hostile[key] !== undefined);
				assert.ok(present.every((key) => ['action', 'source', 'target', 'current', 'proposed', 'evidence'].includes(key)));
				const policy = resolve(rawPolicy);
				const value = verdict.value as number;
				assert.ok(value >= (policy.minReplicas as number));
				assert.ok(value <= (policy.maxReplicas as number));
				if (verdict.decision === 'apply' && !policy.allowScaleIn) assert.ok(value > (current as number));
			}),
			{ numRuns: CORE_RUNS },
		);
	});
});

describe('property: arbitrary values everywhere', () => {
	const anything = fc.anything({
		withBoxedValues: true,
		withMap: true,
		withSet: true,
		withObjectString: true,
		withNullPrototype: true,
		withDate: true,
		withTypedArray: true,
		withSparseArray: true,
		withBigInt: true,
		stringUnit: 'binary',
		maxDepth: 4,
	});

	it('evaluate never throws and always returns a well-formed reject for garbage', () => {
		fc.assert(
			fc.property(anything, anything, anything, fc.oneof(anything, nowArb), (proposal, policy, state, now) => {
				const verdict = evaluate(proposal, policy, state, now as never);
				assertWellFormed(verdict);
				assert.equal(verdict.decision, 'reject');
			}),
			{ numRuns: RUNS },
		);
	});

	it('parsePolicy never throws on arbitrary text, and what it accepts is coherent', () => {
		const text = fc.oneof(
			fc.string({ unit: 'binary' }),
			anything.map((value) => {
				try {
					return JSON.stringify(value) ?? '';
				} catch {
					return '';
				}
			}),
			scalePolicyArb.map((policy) => JSON.stringify(policy)),
		);
		fc.assert(
			fc.property(text, (input) => {
				const result = parsePolicy(input);
				if (!result.ok) {
					assert.ok(result.issues.length > 0);
					return;
				}
				const { policy } = result;
				if (policy.minReplicas !== undefined) assert.ok(policy.minReplicas <= (policy.maxReplicas as number));
				assert.ok(policy.maxStepDownPercent >= 0);
				assert.ok(policy.maxStepDownPercent <= 100);
				assert.ok(policy.approvalFactor >= 1);
				assert.deepEqual(validatePolicy(policy), result);
			}),
			{ numRuns: RUNS },
		);
	});
});

describe('property: determinism and proposal identity', () => {
	it('gives the same verdict for the same inputs, for a structured clone, and for reordered keys', () => {
		fc.assert(
			fc.property(scaleProposalArb, scalePolicyArb, scaleStateArb, nowArb, (proposal, policy, state, now) => {
				const first = evaluate(proposal, policy, state, now);
				assert.deepEqual(evaluate(proposal, policy, state, now), first);
				assert.deepEqual(evaluate(structuredClone(proposal), structuredClone(policy), structuredClone(state), now), first);
				const reordered = Object.fromEntries(Object.entries(proposal).reverse());
				assert.deepEqual(evaluate(reordered, policy, state, now), first);
			}),
			{ numRuns: 1000 },
		);
	});

	it('verifyVerdict accepts the verdict for its proposal and refuses it for any other', () => {
		fc.assert(
			fc.property(scaleProposalArb, scalePolicyArb, replicas, (proposal, policy, other) => {
				const verdict = evaluate(proposal, policy, {}, NOW_MS);
				assert.ok(verifyVerdict(proposal, JSON.parse(JSON.stringify(verdict))).ok);
				const changed = { ...proposal, proposed: { replicas: other } };
				assert.equal(verifyVerdict(changed, verdict).ok, other === proposal.proposed.replicas);
				if (typeof verdict.value === 'number') assert.ok(!(verifyVerdict(proposal, { ...verdict, value: verdict.value + 1 }).ok));
			}),
			{ numRuns: RUNS },
		);
	});
});

const fraction = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 0.9, 0.99, 1));
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'];
const regionArb = fc.record(
	{
		readyFraction: fraction,
		errorRate: fc.oneof(fc.double({ min: 0, max: 0.05, noNaN: true }), fraction),
		capacityReplicas: fc.integer({ min: 0, max: 60 }),
		requiredReplicas: fc.double({ min: 0, max: 30, noNaN: true }),
		healthyPools: fc.integer({ min: 0, max: 3 }),
	},
	{ requiredKeys: [] },
);

const failoverArb = fc
	.record({
		action: fc.constantFrom('failover', 'failback'),
		source: fc.constantFrom(...SOURCES),
		pair: fc.shuffledSubarray(REGIONS, { minLength: 2, maxLength: 2 }),
		regions: fc.dictionary(fc.constantFrom(...REGIONS), regionArb),
		alert: fc.option(
			fc.record(
				{ status: fc.constantFrom('firing', 'resolved'), resolvedSince: fc.integer({ min: -3600, max: 600 }).map(iso), endsAt: fc.constantFrom('0001-01-01T00:00:00Z', iso(-50)) },
				{ requiredKeys: ['status'] },
			),
		),
	})
	.map(({ pair, regions, alert, ...rest }) => {
		const evidence: Record<string, unknown> = { regions };
		if (alert !== null) evidence.alert = alert;
		return { ...rest, target: { cluster: 'global', namespace: 'shop', kind: 'Service', name: 'checkout' }, from: pair[0] as string, to: pair[1] as string, evidence };
	});

const failoverStateArb = fc.record(
	{
		lastFlipAt: fc.option(fc.integer({ min: -7200, max: 300 }).map(iso)),
		flipTimes: fc.array(fc.integer({ min: -7200, max: 300 }).map(iso), { maxLength: 4 }),
		activeRegions: fc.subarray(REGIONS),
		consecutiveErrors: fc.integer({ min: 0, max: 4 }),
	},
	{ requiredKeys: [] },
);

const failoverPolicyArb = fc.record(
	{
		minDwellSeconds: fc.integer({ min: 0, max: 1800 }),
		maxFlipsPerHour: fc.integer({ min: 0, max: 4 }),
		resolveDwellSeconds: fc.integer({ min: 0, max: 1800 }),
		minReadyFraction: fraction,
		maxErrorRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
		capacityHeadroomPercent: fc.integer({ min: 0, max: 50 }),
	},
	{ requiredKeys: [] },
);

describe('property: failover invariants', () => {
	it('applies only toward a healthy region with capacity, outside dwell and flip limits, never draining the last healthy region', () => {
		fc.assert(
			fc.property(failoverArb, failoverPolicyArb, failoverStateArb, (proposal, failoverPolicy, state) => {
				const verdict = evaluate(proposal, { failover: failoverPolicy }, state, NOW_MS);
				assertWellFormed(verdict);
				if (verdict.decision === 'apply' || verdict.decision === 'approve') assert.equal(verdict.value, proposal.to);
				if (verdict.decision !== 'apply') return;
				const policy = resolve({ failover: failoverPolicy }).failover;
				const regions = proposal.evidence.regions as Record<string, Record<string, number>>;
				const to = regions[proposal.to] as Record<string, number>;
				const from = regions[proposal.from];
				assert.ok(['alert', 'manual'].includes(proposal.source));
				assert.equal(regionHealth(to, policy), 'healthy');
				assert.notEqual(to.healthyPools, 0);
				assert.ok(to.capacityReplicas >= Math.ceil(((to.requiredReplicas as number) + (from?.requiredReplicas as number)) * (1 + policy.capacityHeadroomPercent / 100)));
				const flips = [...(state.flipTimes ?? []), ...(state.lastFlipAt ? [state.lastFlipAt] : [])].map(Date.parse);
				for (const flip of flips) assert.ok(NOW_MS - flip >= policy.minDwellSeconds * 1000);
				assert.ok(new Set(flips.filter((flip) => flip > NOW_MS - 3_600_000)).size < policy.maxFlipsPerHour);
				assert.ok((state.consecutiveErrors ?? 0) < 3);
				if (state.activeRegions !== undefined) assert.ok(state.activeRegions.includes(proposal.from));
				if (proposal.action === 'failover') assert.notEqual(regionHealth(from ?? null, policy), 'healthy');
				if (proposal.action === 'failback') {
					const alert = proposal.evidence.alert as { status: string; resolvedSince?: string; endsAt?: string };
					assert.equal(alert.status, 'resolved');
					const since = Math.max(...[alert.resolvedSince, alert.endsAt].map((text) => (text ? Date.parse(text) : -Infinity)).filter((time) => time > 0));
					assert.ok(NOW_MS - since >= policy.resolveDwellSeconds * 1000);
				}
			}),
			{ numRuns: RUNS },
		);
	});
});

const metricValue = (max: number): fc.Arbitrary<number | null> => fc.oneof(fc.double({ min: 0, max, noNaN: true }), fc.constantFrom(null, Number.NaN, 0));
const metricsArb = fc.record(
	{ requests: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 5000, noNaN: true })), errorRate: metricValue(0.05), p99LatencyMs: metricValue(600) },
	{ requiredKeys: [] },
);

const canaryArb = fc
	.record({
		source: fc.constantFrom(...SOURCES),
		canary: fc.option(metricsArb),
		stable: fc.option(metricsArb),
		noData: fc.option(fc.boolean()),
		providerError: fc.option(fc.constantFrom('timeout', 'HTTP 503')),
	})
	.map(({ source, canary, stable, noData, providerError }) => {
		const evidence: Record<string, unknown> = {};
		if (canary !== null) evidence.canary = canary;
		if (stable !== null) evidence.stable = stable;
		if (noData !== null) evidence.noData = noData;
		if (providerError !== null) evidence.providerError = providerError;
		return { action: 'rollback', source, target: { cluster: 'c', namespace: 'shop', kind: 'Rollout', name: 'checkout' }, evidence };
	});

const canaryStateArb = fc.record(
	{
		consecutiveFailures: fc.integer({ min: 0, max: 6 }),
		cumulativeFailures: fc.integer({ min: 0, max: 8 }),
		noDataSince: fc.option(fc.integer({ min: -1200, max: 0 }).map(iso)),
	},
	{ requiredKeys: [] },
);

describe('property: canary invariants', () => {
	it('never rolls back on no data or provider errors alone, and only at the failure limits', () => {
		fc.assert(
			fc.property(canaryArb, canaryStateArb, (proposal, state) => {
				const verdict = evaluate(proposal, {}, state, NOW_MS);
				assertWellFormed(verdict);
				const { evidence, source } = proposal as { evidence: Record<string, unknown>; source: string };
				const dataless = evidence.providerError !== undefined || evidence.noData === true || evidence.canary === undefined;
				if (source === 'forecast') {
					assert.equal(verdict.decision, 'reject');
					return;
				}
				const next = verdict.nextState;
				assert.notEqual(next, undefined);
				if (next === undefined) return;
				const before = { consecutive: state.consecutiveFailures ?? 0, cumulative: state.cumulativeFailures ?? 0 };
				assert.ok([0, before.consecutive, before.consecutive + 1].includes(next.consecutiveFailures));
				assert.ok(next.cumulativeFailures - before.cumulative >= 0);
				assert.ok(next.cumulativeFailures - before.cumulative <= 1);
				if (dataless) assert.equal(next.cumulativeFailures, before.cumulative);
				if (verdict.decision === 'apply') {
					assert.equal(verdict.value, 'rollback');
					if (source !== 'manual') {
						assert.equal(source, 'alert');
						assert.ok(!(dataless));
						assert.ok(next.consecutiveFailures >= 3 || next.cumulativeFailures >= 5);
					}
				}
				if (dataless && source !== 'manual') assert.ok(['hold', 'approve'].includes(verdict.decision));
				if (verdict.decision === 'hold') assert.ok(verdict.value === 'continue' || verdict.value === 'pause');
			}),
			{ numRuns: RUNS },
		);
	});
});
