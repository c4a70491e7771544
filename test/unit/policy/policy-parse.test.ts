import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANARY_DEFAULTS, FAILOVER_DEFAULTS, parseDocument, parsePolicy, validatePolicy, type PolicyResult, type ResolvedPolicy } from '../../../src/policy';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../fixtures/policy', name), 'utf8');

function ok(result: PolicyResult): ResolvedPolicy {
	if (!result.ok) throw new Error(JSON.stringify(result.issues));
	return result.policy;
}

function issuePaths(result: PolicyResult): string[] {
	return result.ok ? [] : result.issues.map((issue) => issue.path);
}

describe('parsePolicy: JSON and YAML', () => {
	it('reads the YAML and JSON fixtures to the same policy and hash', () => {
		const yaml = parsePolicy(fixture('scaling-policy.yaml'));
		const json = parsePolicy(fixture('scaling-policy.json'));
		expect(ok(yaml)).toEqual(ok(json));
		expect(yaml.ok && json.ok && yaml.policyHash === json.policyHash).toBe(true);
		expect(ok(yaml).changeFreezes[0]).toEqual({
			start: '2025-11-27T00:00:00.000Z',
			end: '2025-12-02T00:00:00.000Z',
			reason: 'Black Friday / Cyber Monday',
			actions: ['scale', 'failback'],
		});
	});

	it('fills defaults and keeps a resolved policy valid and stable', () => {
		const policy = ok(parsePolicy('minReplicas: 1\nmaxReplicas: 4\n'));
		expect(policy).toMatchObject({
			minReplicas: 1,
			maxReplicas: 4,
			maxStepUpPercent: 100,
			maxStepUpPods: 4,
			allowScaleIn: false,
			maxStepDownPercent: 10,
			cooldownSeconds: 300,
			approvalFactor: 10,
			accuracyGate: { maxWape: 0.25 },
			llmMaxDeviationPercent: 25,
			maxConsecutiveErrors: 3,
			changeFreezes: [],
			failover: FAILOVER_DEFAULTS,
			canary: CANARY_DEFAULTS,
		});
		expect(ok(validatePolicy(policy))).toEqual(policy);
	});

	it('reads the full multi-loop fixture', () => {
		const policy = ok(parsePolicy(fixture('full-policy.yaml')));
		expect(policy.failover.allowedRegions).toEqual(['eu-west-1', 'eu-central-1', 'us-east-1']);
		expect(policy.canary.maxErrorRate).toBe(0.005);
	});

	it('accepts YAML flow style and a UTF-8 BOM', () => {
		expect(ok(parsePolicy('{minReplicas: 1, maxReplicas: 3}')).maxReplicas).toBe(3);
		expect(ok(parsePolicy('\uFEFF{"minReplicas": 1, "maxReplicas": 3}')).maxReplicas).toBe(3);
	});

	it('refuses duplicate keys in JSON and YAML', () => {
		const json = parsePolicy('{"minReplicas": 1, "maxReplicas": 3, "maxReplicas": 300}');
		expect(json.ok).toBe(false);
		expect(JSON.stringify(json)).toContain('maxReplicas');
		expect(parsePolicy('minReplicas: 1\nmaxReplicas: 3\nmaxReplicas: 300\n').ok).toBe(false);
		// The same key in sibling objects, or in list items, is not a duplicate.
		expect(parseDocument('{"a": {"x": 1}, "b": {"x": 2, "s": "x\\":"}}').ok).toBe(true);
		expect(parseDocument('[{"x": 1}, {"x": 2}]').ok).toBe(true);
	});

	it('reports unparsable, empty and non-object documents', () => {
		for (const text of ['', '   ', '~', 'null', '- 1\n- 2', 'just text', 'a: [1', '---\na: 1\n---\nb: 2', 'a: !!binary aGVsbG8=', 'a: !!js/function f']) {
			const result = parsePolicy(text);
			expect(result.ok).toBe(false);
			if (!result.ok) expect(result.issues[0]?.path).toBe('policy');
		}
		expect(parsePolicy(42 as unknown as string).ok).toBe(false);
		expect(parsePolicy('x'.repeat(1_048_577)).ok).toBe(false);
	});
});

describe('validatePolicy: malformed policies name the field and the fix', () => {
	it('reports every problem in the invalid fixture', () => {
		const result = parsePolicy(fixture('invalid-policy.yaml'));
		expect(issuePaths(result).sort()).toEqual(['accuracyGate.maxMape', 'allowScaleIn', 'cooldownSecond', 'maxReplicas', 'maxStepUpPercent']);
		const text = JSON.stringify(result);
		expect(text).toContain('did you mean cooldownSeconds?');
		expect(text).toContain('raise maxReplicas to at least 10');
		expect(text).toContain('write 0.15 for 15%');
	});

	const invalid: Array<[string, Record<string, unknown>, string]> = [
		['max below min', { minReplicas: 5, maxReplicas: 4 }, 'maxReplicas'],
		['negative min', { minReplicas: -1, maxReplicas: 4 }, 'minReplicas'],
		['zero max', { minReplicas: 0, maxReplicas: 0 }, 'maxReplicas'],
		['only min', { minReplicas: 1 }, 'maxReplicas'],
		['fractional pods', { maxStepUpPods: 1.5 }, 'maxStepUpPods'],
		['step-down above 100%', { maxStepDownPercent: 150 }, 'maxStepDownPercent'],
		['NaN cooldown', { cooldownSeconds: Number.NaN }, 'cooldownSeconds'],
		['Infinity cooldown', { cooldownSeconds: Infinity }, 'cooldownSeconds'],
		['approval factor below 1', { approvalFactor: 0.5 }, 'approvalFactor'],
		['string number', { maxReplicas: '10', minReplicas: 1 }, 'maxReplicas'],
		['unknown key', { maxReplica: 10 }, 'maxReplica'],
		['__proto__ key', JSON.parse('{"__proto__": {"minReplicas": 1}}') as Record<string, unknown>, '__proto__'],
		['empty allowedNamespaces', { allowedNamespaces: [] }, 'allowedNamespaces'],
		['bad namespace', { allowedNamespaces: ['Shop!'] }, 'allowedNamespaces[0]'],
		['freeze ending before it starts', { changeFreezes: [{ start: '2025-01-02T00:00:00Z', end: '2025-01-01T00:00:00Z' }] }, 'changeFreezes[0].end'],
		['freeze without timezone', { changeFreezes: [{ start: '2025-01-01T00:00:00', end: '2025-01-02T00:00:00Z' }] }, 'changeFreezes[0].start'],
		['freeze on 30 February', { changeFreezes: [{ start: '2025-02-30T00:00:00Z', end: '2025-03-02T00:00:00Z' }] }, 'changeFreezes[0].start'],
		['freeze missing end', { changeFreezes: [{ start: '2025-01-01T00:00:00Z' }] }, 'changeFreezes[0].end'],
		['freeze with unknown action', { changeFreezes: [{ start: '2025-01-01T00:00:00Z', end: '2025-01-02T00:00:00Z', actions: ['deploy'] }] }, 'changeFreezes[0].actions[0]'],
		['failover rate as percent', { failover: { maxErrorRate: 5 } }, 'failover.maxErrorRate'],
		['failover unknown key', { failover: { minDwell: 5 } }, 'failover.minDwell'],
		['canary zero latency', { canary: { maxP99LatencyMs: 0 } }, 'canary.maxP99LatencyMs'],
		['canary ratio below 1', { canary: { maxErrorRateRatio: 0.5 } }, 'canary.maxErrorRateRatio'],
		['canary section not an object', { canary: 'strict' }, 'canary'],
	];

	it.each(invalid)('%s', (_name, document, path) => {
		const result = validatePolicy(document);
		expect(result.ok).toBe(false);
		expect(issuePaths(result)).toContain(path);
		if (!result.ok) for (const issue of result.issues) expect(issue.fix.length).toBeGreaterThan(0);
	});

	it('rejects non-object policies and unreadable values', () => {
		for (const value of [null, undefined, 7, 'x', [], new Map()]) expect(validatePolicy(value).ok).toBe(false);
		const cyclic: Record<string, unknown> = { minReplicas: 1, maxReplicas: 2 };
		cyclic.self = cyclic;
		expect(validatePolicy(cyclic).ok).toBe(false);
		const getter = { minReplicas: 1, get maxReplicas(): number { throw new Error('boom'); } };
		expect(validatePolicy(getter).ok).toBe(false);
	});
});
