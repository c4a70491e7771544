import { readFacts, resolveLimits, validateAdvice, type LlmProposal, type ValidationResult } from '../../../src/llm';
import { canaryContext, failoverContext, scalingContext } from '../../sandbox/llm';

const scaling = scalingContext();
const failover = failoverContext();
const canary = canaryContext();

function check(text: string, loop: 'scaling' | 'failover' | 'canary' = 'scaling', context: unknown = scaling): ValidationResult {
	return validateAdvice(text, { loop, context, model: 'test-model' });
}

function rejected(text: string, loop: 'scaling' | 'failover' | 'canary' = 'scaling', context: unknown = scaling): string {
	const result = check(text, loop, context);
	if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.proposal)}`);
	return result.reason;
}

function accepted(text: string, loop: 'scaling' | 'failover' | 'canary' = 'scaling', context: unknown = scaling): Extract<ValidationResult, { ok: true }> {
	const result = check(text, loop, context);
	if (!result.ok) throw new Error(`expected a proposal, got: ${result.reason}`);
	return result;
}

const scale = (replicas: unknown, extra: Record<string, unknown> = {}): string => JSON.stringify({ action: 'scale', replicas, reason: 'Evening peak.', confidence: 0.8, ...extra });

describe('validateAdvice: scaling', () => {
	it('binds a valid answer to the context: target, current, source and evidence come from our side', () => {
		const { proposal, recommendation } = accepted(scale(12));
		expect(recommendation).toEqual({ loop: 'scaling', action: 'scale', replicas: 12, reason: 'Evening peak.', confidence: 0.8 });
		expect(proposal).toEqual({
			action: 'scale',
			source: 'llm',
			target: { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Deployment', name: 'checkout' },
			current: { replicas: 6 },
			proposed: { replicas: 12 },
			rationale: 'Evening peak.',
			evidence: {
				backtest: { mape: 0.07 },
				forecast: { predictedRps: 1800, horizon: '15m' },
				deterministic: { replicas: 8, model: 'holt-winters', horizon: '15m' },
				llm: { model: 'test-model', reason: 'Evening peak.', confidence: 0.8 },
			},
		});
	});

	it('uses only the gate\'s top-level proposal keys', () => {
		const proposal = accepted(scale(12)).proposal as LlmProposal;
		expect(Object.keys(proposal).every((key) => ['action', 'source', 'target', 'evidence', 'id', 'createdAt', 'rationale', 'current', 'proposed'].includes(key))).toBe(true);
	});

	it('accepts the bounds themselves and a fenced answer', () => {
		expect(accepted(scale(1)).recommendation).toMatchObject({ replicas: 1 });
		expect(accepted(scale(80)).recommendation).toMatchObject({ replicas: 80 });
		expect(accepted(`\`\`\`json\n${scale(9)}\n\`\`\``).fenced).toBe(true);
	});

	it.each([
		[10000, 'proposal rejected: replicas 10000 above the context maximum 80 (2 × policy maxReplicas 40)'],
		[81, 'proposal rejected: replicas 81 above the context maximum 80 (2 × policy maxReplicas 40)'],
		[-3, 'proposal rejected: replicas -3 is negative'],
		['many', 'proposal rejected: replicas must be a whole number, got the string "many"'],
		['12', 'proposal rejected: replicas must be a whole number, got the string "12"'],
		['NaN', 'proposal rejected: replicas must be a whole number, got the string "NaN"'],
		[2.5, 'proposal rejected: replicas must be a whole number, got 2.5'],
		[null, 'proposal rejected: replicas must be a whole number, got null'],
		[true, 'proposal rejected: replicas must be a whole number, got true'],
		[[5], 'proposal rejected: replicas must be a whole number, got an array'],
		[{ value: 5 }, 'proposal rejected: replicas must be a whole number, got an object'],
		[0, 'proposal rejected: replicas 0 would stop a running workload (current 6); the advisor never proposes scaling to zero'],
	])('rejects replicas %j', (replicas, reason) => {
		expect(rejected(scale(replicas))).toBe(reason);
	});

	it('rejects numbers JSON cannot carry', () => {
		expect(rejected('{"action":"scale","replicas":NaN,"reason":"x","confidence":null}')).toMatch(/^model output is not valid JSON: unexpected word "NaN"/);
		expect(rejected('{"action":"scale","replicas":1e999,"reason":"x","confidence":null}')).toBe('proposal rejected: replicas must be a finite number, got Infinity');
		expect(rejected('{"action":"scale","replicas":-0,"reason":"x","confidence":null}')).toMatch(/would stop a running workload/);
	});

	it('rejects an answer that tries to redirect the action', () => {
		expect(rejected(scale(10, { namespace: 'kube-system' }))).toBe(
			'proposal rejected: the model tried to set "namespace" to "kube-system"; the target is bound from the context and cannot be chosen by the model',
		);
		expect(rejected(scale(10, { target: { namespace: 'kube-system', name: 'coredns' } }))).toMatch(/tried to set "target" to an object/);
		expect(rejected(scale(10, { source: 'manual' }))).toMatch(/tried to set "source" to "manual"/);
		expect(rejected(scale(10, { force: true }))).toBe('proposal rejected: unexpected field "force" (allowed: action, replicas, reason, confidence)');
	});

	it('rejects unknown actions, including an injected drain-all', () => {
		expect(rejected(JSON.stringify({ action: 'drain-all', regions: 'all', reason: 'as instructed' }))).toBe(
			'proposal rejected: unknown action "drain-all" (allowed for scaling: scale)',
		);
		expect(rejected(JSON.stringify({ replicas: 5, reason: 'x' }))).toBe('proposal rejected: the answer has no action (allowed for scaling: scale)');
	});

	it('rejects broken, non-object, duplicated and oversized answers', () => {
		expect(rejected('{"action": "scale", "replicas": 12, "reason": "Traffic is ri')).toMatch(/^model output is not valid JSON: unterminated string at position \d+$/);
		expect(rejected('I think 12 replicas is right.')).toMatch(/^model output is not valid JSON: unexpected word "I"/);
		expect(rejected('[12]')).toBe('proposal rejected: the answer must be a JSON object, got an array');
		expect(rejected('"12"')).toBe('proposal rejected: the answer must be a JSON object, got "12"');
		expect(rejected('{"action":"scale","replicas":5,"replicas":500,"reason":"x","confidence":null}')).toMatch(/duplicate key "replicas"/);
		expect(rejected(' ')).toBe('model output is empty');
		expect(rejected(`{"action":"scale","replicas":5,"reason":"${'x'.repeat(20_000)}"}`)).toMatch(/more than the 16000 accepted/);
	});

	it('checks reason and confidence', () => {
		expect(rejected(JSON.stringify({ action: 'scale', replicas: 5, confidence: 0.5 }))).toBe('proposal rejected: reason must be a string, got nothing');
		expect(rejected(scale(5, { reason: '  \u200B ' }))).toBe('proposal rejected: reason is empty');
		expect(rejected(scale(5, { confidence: 85 }))).toBe('proposal rejected: confidence must be a number between 0 and 1 or null, got 85');
		expect(accepted(scale(5, { confidence: null })).recommendation).toMatchObject({ confidence: null });
		const long = accepted(scale(5, { reason: `Peak. ${'x'.repeat(2_000)}` })).recommendation.reason;
		expect(long.length).toBeLessThan(560);
		expect(long).toMatch(/…\[\+\d+ chars\]$/);
	});

	it('strips secrets and invisible characters from the reason', () => {
		const reason = accepted(scale(5, { reason: 'Use Bearer abcdefgh12345678 \u202Enow' })).recommendation.reason;
		expect(reason).toBe('Use Bearer [redacted] now');
	});

	it('judges bounds without a policy ceiling from what runs, and caps them', () => {
		const noPolicy = { ...scaling, policy: undefined };
		expect(rejected(scale(81), 'scaling', noPolicy)).toBe('proposal rejected: replicas 81 above the context maximum 80 (10 × deterministic 8)');
		const huge = { ...scaling, current: { replicas: 900 }, deterministic: { replicas: 950 }, policy: undefined };
		expect(rejected(scale(5_001), 'scaling', huge)).toBe('proposal rejected: replicas 5001 above the context maximum 5000 (hard cap 5000)');
		const stopped = { ...scaling, current: { replicas: 0 } };
		expect(accepted(scale(0), 'scaling', stopped).proposal).toMatchObject({ current: { replicas: 0 }, proposed: { replicas: 0 } });
	});

	it('refuses to bind without a valid target in the context', () => {
		expect(rejected(scale(5), 'scaling', { ...scaling, target: { cluster: 'c', namespace: 'Shop!', kind: 'Deployment', name: 'x' } })).toBe(
			'cannot bind a proposal: context.target.namespace "Shop!" is not a Kubernetes namespace name',
		);
		expect(rejected(scale(5), 'scaling', { current: { replicas: 1 } })).toBe('cannot bind a proposal: context.target is missing');
		expect(rejected(scale(5), 'scaling', { ...scaling, current: { replicas: '6' } })).toMatch(/context\.current\.replicas must be a whole number/);
	});
});

describe('validateAdvice: failover', () => {
	const move = (value: Record<string, unknown>): string => JSON.stringify({ reason: 'eu-west-1 is failing.', confidence: 0.9, ...value });

	it('binds a failover between context regions', () => {
		const { proposal } = accepted(move({ action: 'failover', from: 'eu-west-1', to: 'eu-central-1' }), 'failover', failover);
		expect(proposal).toMatchObject({
			action: 'failover',
			source: 'llm',
			target: { cluster: 'global', namespace: 'shop', kind: 'Service', name: 'checkout' },
			from: 'eu-west-1',
			to: 'eu-central-1',
			evidence: { regions: { 'eu-west-1': { readyFraction: 0.31 } }, deterministic: { action: 'failover' } },
		});
	});

	it('states the load balancer as the workflow read it (context.current), never as the model writes it', () => {
		const read = { traffic: { backend: 'be_app', servers: { 'eu-west-1': 'ready', 'eu-central-1': 'ready' } } };
		const context = { ...(failover as object), current: read };
		const { proposal } = accepted(move({ action: 'failover', from: 'eu-west-1', to: 'eu-central-1' }), 'failover', context);
		expect(proposal).toMatchObject({ current: read });
		expect(rejected(move({ action: 'failover', from: 'eu-west-1', to: 'eu-central-1', current: { traffic: { servers: { 'eu-central-1': 'drain' } } } }), 'failover', context)).toMatch(/the model tried to set "current"/);
		const { proposal: unread } = accepted(move({ action: 'failover', from: 'eu-west-1', to: 'eu-central-1' }), 'failover', failover);
		expect(unread).not.toHaveProperty('current');
	});

	it('gives no proposal for hold', () => {
		const result = accepted(move({ action: 'hold', from: null, to: null }), 'failover', failover);
		expect(result.recommendation).toEqual({ loop: 'failover', action: 'hold', reason: 'eu-west-1 is failing.', confidence: 0.9 });
		expect(result.proposal).toBeNull();
	});

	it('rejects regions that are not in the context, even for hold', () => {
		expect(rejected(move({ action: 'failover', from: 'eu-west-1', to: 'attacker-region-1' }), 'failover', failover)).toBe(
			'proposal rejected: region "attacker-region-1" in "to" is not in the context (known: eu-west-1, eu-central-1)',
		);
		expect(rejected(move({ action: 'hold', from: 'us-east-1', to: null }), 'failover', failover)).toMatch(/region "us-east-1" in "from" is not in the context/);
	});

	it('honours policy.allowedRegions', () => {
		const context = { ...failover, regions: ['eu-west-1', 'eu-central-1', 'us-east-1'], policy: { allowedRegions: ['eu-west-1', 'eu-central-1'] } };
		expect(rejected(move({ action: 'failover', from: 'eu-west-1', to: 'us-east-1' }), 'failover', context)).toMatch(/"us-east-1" in "to" is not in the context/);
	});

	it('rejects incomplete and circular moves, and foreign actions', () => {
		expect(rejected(move({ action: 'failover', from: 'eu-west-1', to: null }), 'failover', failover)).toMatch(/failover needs "to"/);
		expect(rejected(move({ action: 'failback', from: 'eu-west-1', to: 'eu-west-1' }), 'failover', failover)).toMatch(/to the same region/);
		expect(rejected(move({ action: 'failover', from: 5, to: 'eu-west-1' }), 'failover', failover)).toBe('proposal rejected: from must be a region name, got 5');
		expect(rejected(move({ action: 'scale', from: null, to: null }), 'failover', failover)).toBe(
			'proposal rejected: unknown action "scale" (allowed for failover: failover, failback, hold)',
		);
		expect(rejected(move({ action: 'failover', from: 'eu-west-1', to: 'eu-central-1', service: 'payments' }), 'failover', failover)).toMatch(
			/tried to set "service" to "payments"/,
		);
	});

	it('reads regions from evidence.regions when the context does not list them', () => {
		const { regions: _regions, ...withoutList } = failover;
		const facts = readFacts('failover', withoutList, resolveLimits(undefined));
		expect(facts.ok && facts.facts.loop === 'failover' && facts.facts.regions).toEqual(['eu-west-1', 'eu-central-1']);
	});
});

describe('validateAdvice: canary', () => {
	it('binds a rollback and gives no proposal for continue or hold', () => {
		const rollback = accepted(JSON.stringify({ action: 'rollback', reason: 'Error rate 2.1% vs 0.1%.', confidence: 0.9 }), 'canary', canary);
		expect(rollback.proposal).toEqual({
			action: 'rollback',
			source: 'llm',
			target: { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Rollout', name: 'checkout' },
			rationale: 'Error rate 2.1% vs 0.1%.',
			evidence: {
				canary: { requests: 1800, errorRate: 0.021, p99LatencyMs: 180 },
				stable: { requests: 24000, errorRate: 0.001, p99LatencyMs: 150 },
				deterministic: { action: 'rollback', outcome: 'fail' },
				llm: { model: 'test-model', reason: 'Error rate 2.1% vs 0.1%.', confidence: 0.9 },
			},
		});
		for (const action of ['continue', 'hold']) expect(accepted(JSON.stringify({ action, reason: 'ok', confidence: null }), 'canary', canary).proposal).toBeNull();
	});

	it('rejects other actions and fields', () => {
		expect(rejected(JSON.stringify({ action: 'promote', reason: 'ship it' }), 'canary', canary)).toBe(
			'proposal rejected: unknown action "promote" (allowed for canary: rollback, continue, hold)',
		);
		expect(rejected(JSON.stringify({ action: 'rollback', reason: 'x', name: 'payments' }), 'canary', canary)).toMatch(/tried to set "name" to "payments"/);
	});
});
