import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPolicyCheck } from '../../../src/cli/policyCheck';
import { verifyVerdict } from '../../../src/policy';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../fixtures/policy', name), 'utf8');

describe('runPolicyCheck (kube-ops policy check)', () => {
	it('checks a forecast against the example scaling policy', () => {
		const result = runPolicyCheck({
			policyText: fixture('scaling-policy.yaml'),
			proposalText: fixture('scale-forecast.json'),
			stateText: fixture('scale-state.json'),
			now: '2025-03-10T12:00:00Z',
		});
		expect(result.exitCode).toBe(0);
		expect(result.verdict).toMatchObject({ decision: 'apply', value: 12 });
		expect(JSON.parse(result.json)).toEqual(result.verdict);
		expect(verifyVerdict(JSON.parse(fixture('scale-forecast.json')), JSON.parse(result.json)).ok).toBe(true);
	});

	it('holds the same forecast during cooldown and during the freeze', () => {
		const base = { policyText: fixture('scaling-policy.json'), proposalText: fixture('scale-forecast.json') };
		expect(runPolicyCheck({ ...base, stateText: fixture('scale-state.json'), now: '2025-03-10T11:52:00Z' }).verdict.decidedBy).toBe('cooldown');
		expect(runPolicyCheck({ ...base, now: new Date('2025-11-28T09:00:00Z') }).verdict.decidedBy).toBe('changeFreeze');
	});

	it('runs the failover and canary examples', () => {
		const policyText = fixture('full-policy.yaml');
		const now = Date.parse('2025-03-10T12:00:00Z');
		const failover = runPolicyCheck({ policyText, proposalText: fixture('failover-alert.json'), stateText: fixture('failover-state.json'), now });
		expect(failover.verdict).toMatchObject({ decision: 'apply', value: 'eu-central-1' });
		const canary = runPolicyCheck({ policyText, proposalText: fixture('canary-rollback.json'), stateText: fixture('canary-state.json'), now });
		expect(canary.verdict).toMatchObject({ decision: 'apply', value: 'rollback', nextState: { consecutiveFailures: 3, cumulativeFailures: 3 } });
	});

	it('exits 2 for an invalid policy, with the fixes in the verdict', () => {
		const result = runPolicyCheck({ policyText: fixture('invalid-policy.yaml'), proposalText: fixture('scale-forecast.json'), now: '2025-03-10T12:00:00Z' });
		expect(result.exitCode).toBe(2);
		expect(result.verdict).toMatchObject({ decision: 'reject', decidedBy: 'input.policy', policyHash: null });
		expect(result.verdict.reason).toContain('did you mean cooldownSeconds?');
	});

	it('rejects unparsable proposals and states but still exits 0 for a valid policy', () => {
		const policyText = fixture('scaling-policy.yaml');
		const badProposal = runPolicyCheck({ policyText, proposalText: '{"action": "scale",', now: '2025-03-10T12:00:00Z' });
		expect(badProposal).toMatchObject({ exitCode: 0, verdict: { decision: 'reject', decidedBy: 'input.proposal', proposalHash: 'unhashable' } });
		const badState = runPolicyCheck({ policyText, proposalText: fixture('scale-forecast.json'), stateText: 'a: [', now: '2025-03-10T12:00:00Z' });
		expect(badState.verdict).toMatchObject({ decision: 'reject', decidedBy: 'input.state' });
		expect(badState.verdict.checks.find((item) => item.rule === 'clamp.stepUp')?.detail).toMatch(/^not evaluated/);
		const emptyState = runPolicyCheck({ policyText, proposalText: fixture('scale-forecast.json'), stateText: '  \n', now: '2025-03-10T12:00:00Z' });
		expect(emptyState.verdict.decision).toBe('apply');
	});

	it('accepts YAML proposals', () => {
		const proposalText = [
			'action: scale',
			'source: manual',
			'target: {cluster: prod-eu-1, namespace: shop, kind: Deployment, name: checkout}',
			'current: {replicas: 6}',
			'proposed: {replicas: 8}',
		].join('\n');
		expect(runPolicyCheck({ policyText: fixture('scaling-policy.yaml'), proposalText, now: '2025-03-10T12:00:00Z' }).verdict.value).toBe(8);
	});
});
