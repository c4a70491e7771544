import { evaluate } from '../../../src/policy';
import { buildCanaryProposal, groupSignals } from '../../../src/proposals';

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
