import { evaluate } from '../../../src/policy';
import { buildCanaryProposal, SettingsError } from '../../../src/proposals';

const NOW = new Date('2026-12-04T12:00:00Z');
const canary = { cluster: 'us-east', region: 'us-east', namespace: 'shop', service: 'checkout', canaryDeployment: 'checkout-canary', canaryIngress: 'checkout-canary', lock: { acquired: true } };
const policy = { allowedNamespaces: ['shop'], canary: {} };

function series(track: string, signal: string, value: unknown): Record<string, unknown> {
	return { metric: { track, signal }, value: [1733313600, value] };
}
const tracks = (c: Record<string, unknown>, s: Record<string, unknown>) => [
	...Object.entries(c).map(([k, v]) => series('canary', k, v)),
	...Object.entries(s).map(([k, v]) => series('stable', k, v)),
];

describe('canary rollback proposal from canary and stable signals', () => {
	it('states both tracks, and the gate rolls back a canary that fails far more than stable', () => {
		const proposal = buildCanaryProposal({ canary, signals: tracks({ requests: 600.4, errorRate: 0.3, p99LatencyMs: 900 }, { requests: 6000, errorRate: 0.001, p99LatencyMs: 120 }) });
		expect(proposal).toEqual({
			action: 'rollback',
			source: 'alert',
			target: { cluster: 'us-east', namespace: 'shop', kind: 'Deployment', name: 'checkout-canary' },
			evidence: { canary: { requests: 600, errorRate: 0.3, p99LatencyMs: 900 }, stable: { requests: 6000, errorRate: 0.001, p99LatencyMs: 120 }, noData: false, providerError: null },
		});
		// One bad window pauses; the third in a row (policy default) rolls back.
		expect(evaluate(proposal, policy, {}, NOW)).toMatchObject({ action: 'rollback', value: 'pause' });
		expect(evaluate(proposal, policy, { consecutiveFailures: 2, cumulativeFailures: 2 }, NOW)).toMatchObject({ decision: 'apply', value: 'rollback' });
	});

	it('reads requests without a 5xx series as no errors, and no requests as unknown', () => {
		const proposal = buildCanaryProposal({ canary, signals: tracks({ requests: 100 }, { requests: 0 }) });
		expect(proposal.evidence).toMatchObject({ canary: { requests: 100, errorRate: 0, p99LatencyMs: null }, stable: { requests: 0, errorRate: null } });
	});

	it('is "no data" without a canary series and a provider error when the query failed: the gate holds on both', () => {
		const none = buildCanaryProposal({ canary, signals: tracks({}, { requests: 10 }) });
		expect(none.evidence).toMatchObject({ noData: true, providerError: null });
		expect(none.evidence).not.toHaveProperty('canary');
		expect(evaluate(none, policy, {}, NOW).value).not.toBe('rollback');
		const failed = buildCanaryProposal({ canary, signals: undefined, queryError: { message: 'connect ECONNREFUSED 127.0.0.1:9090' } });
		expect(failed.evidence).toMatchObject({ noData: true, providerError: 'connect ECONNREFUSED 127.0.0.1:9090' });
		expect(evaluate(failed, policy, {}, NOW).value).not.toBe('rollback');
		expect(buildCanaryProposal({ canary, signals: [], queryError: 'timeout' }).evidence).toMatchObject({ providerError: 'timeout' });
	});
});

describe('canary proposal: hostile signals', () => {
	it('keeps NaN error rates unknown (never 0, which would read as healthy)', () => {
		const proposal = buildCanaryProposal({ canary, signals: tracks({ requests: 100, errorRate: 'NaN' }, { requests: 100, errorRate: Number.NaN }) });
		expect(proposal.evidence).toMatchObject({ canary: { requests: 100, errorRate: null }, stable: { requests: 100, errorRate: null } });
	});

	it('reads two disagreeing error rates as unknown, not as "no 5xx series"', () => {
		const signals = [...tracks({ requests: 100 }, { requests: 100, errorRate: 0 }), series('canary', 'errorRate', 0.5), series('canary', 'errorRate', 0)];
		expect(buildCanaryProposal({ canary, signals }).evidence).toMatchObject({ canary: { requests: 100, errorRate: null } });
		const requests = [series('canary', 'requests', 100), series('canary', 'requests', 5)];
		expect(buildCanaryProposal({ canary, signals: requests }).evidence).toMatchObject({ noData: true });
	});

	it('ignores tracks other than canary and stable, including Object.prototype names', () => {
		const signals = [...tracks({ requests: 100, errorRate: 0 }, { requests: 100, errorRate: 0 }), series('__proto__', 'requests', 1), series('constructor', 'errorRate', 1), series('canary', '__proto__', 1)];
		const proposal = buildCanaryProposal({ canary, signals });
		expect(Object.keys(proposal.evidence as object).sort()).toEqual(['canary', 'noData', 'providerError', 'stable']);
		expect(({} as Record<string, unknown>).requests).toBeUndefined();
	});

	it('refuses a canary entry without its cluster, namespace or Deployment, naming the field', () => {
		expect(() => buildCanaryProposal({ canary: { ...canary, canaryDeployment: '' }, signals: [] })).toThrow(SettingsError);
		expect(() => buildCanaryProposal({ canary: { ...canary, cluster: undefined }, signals: [] })).toThrow(/cluster is missing/);
		expect(() => buildCanaryProposal({ canary: 'checkout', signals: [] })).toThrow(/Canary is .*not an object/);
	});
});
