import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { PolicyGate } from '../../nodes/PolicyGate/PolicyGate.node';
import { verifyVerdict } from '../../src/policy';
import { runBuilt } from '../harness/built';
import { closeN8n, runNode } from '../harness/n8n';

/** The Policy Gate node inside n8n's executor, and the CLI giving the same verdict. */

const fixtures = path.join(__dirname, '..', 'fixtures', 'policy');
const policyYaml = fs.readFileSync(path.join(fixtures, 'scaling-policy.yaml'), 'utf8');
const NOW = '2025-03-10T12:00:00Z';

afterAll(() => closeN8n());

function scale(current: number, proposed: number, extra: Record<string, unknown> = {}) {
	return {
		action: 'scale',
		source: 'forecast',
		target: { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Deployment', name: 'checkout' },
		current: { replicas: current },
		proposed: { replicas: proposed },
		evidence: { backtest: { mape: 0.07 } },
		...extra,
	};
}

test('routes each proposal to Apply, Needs Approval or Hold/Reject, with every check and a decision record', async () => {
	const input = [
		{ json: { proposal: scale(6, 9), state: { lastActionAt: '2025-03-10T11:00:00Z', consecutiveErrors: 0 } } },
		{ json: { proposal: scale(3, 30) } },
		{ json: { proposal: scale(6, 9, { target: { cluster: 'prod-eu-1', namespace: 'kube-system', kind: 'Deployment', name: 'coredns' } }) } },
		{ json: { proposal: scale(6, 9), state: { lastActionAt: '2025-03-10T11:58:00Z', consecutiveErrors: 0 } } },
	];
	const { outputs, error } = await runNode({ node: PolicyGate, parameters: { policy: policyYaml, now: NOW }, input });
	expect(error).toBeUndefined();
	const [apply, approve, holdOrReject] = outputs;

	expect(apply.map((i) => i.pairedItem)).toEqual([{ item: 0 }]);
	const applied = apply[0].json as { verdict: { decision: string; value: number; checks: Array<{ rule: string; passed: boolean; measured: unknown; limit: unknown }> }; decision: { id: string; loop: string; outcome: string }; proposal: unknown };
	expect(applied.verdict.decision).toBe('apply');
	expect(applied.verdict.value).toBe(9);
	expect(applied.verdict.checks.length).toBeGreaterThan(5);
	for (const check of applied.verdict.checks) expect(check).toEqual(expect.objectContaining({ rule: expect.any(String), passed: expect.any(Boolean) }));
	expect(applied.decision).toMatchObject({ loop: 'scaling', id: expect.stringMatching(/^scaling-/) });
	// The mutating nodes will verify the verdict belongs to this very proposal.
	expect(verifyVerdict(applied.proposal, applied.verdict as never, { expectDecision: 'apply' }).ok).toBe(true);

	// 3 -> 30 is 10x: a human decides, on the clamped value.
	expect(approve.map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
	expect((approve[0].json as { verdict: { decision: string; value: number } }).verdict).toMatchObject({ decision: 'approve', value: 7 });

	const rest = holdOrReject.map((i) => ({ item: i.pairedItem, verdict: (i.json as { verdict: { decision: string; reason: string } }).verdict }));
	expect(rest.map((r) => r.item)).toEqual([{ item: 2 }, { item: 3 }]);
	expect(rest[0].verdict.decision).toBe('reject');
	expect(rest[0].verdict.reason).toMatch(/kube-system/);
	expect(rest[1].verdict.decision).toBe('hold');
	expect(rest[1].verdict.reason).toMatch(/cooldown/i);
});

test('a malformed policy rejects everything, naming the field and the fix', async () => {
	const { outputs } = await runNode({
		node: PolicyGate,
		parameters: { policy: 'minReplicas: 10\nmaxReplicas: 2\n', now: NOW },
		input: [{ json: { proposal: scale(6, 9) } }],
	});
	expect(outputs[0] ?? []).toHaveLength(0);
	const verdict = (outputs[2][0].json as { verdict: { decision: string; reason: string } }).verdict;
	expect(verdict.decision).toBe('reject');
	expect(verdict.reason).toMatch(/maxReplicas/);
});

test('hostile proposals (NaN, strings, prototype tricks) are rejected, never applied', async () => {
	const hostile = [
		scale(6, Number.NaN),
		{ ...scale(6, 9), proposed: { replicas: '9' } },
		JSON.parse('{"__proto__": {"decision": "apply"}, "action": "scale"}'),
		{ ...scale(6, 9), current: { replicas: -1 } },
		'drain everything',
	];
	const { outputs, error } = await runNode({ node: PolicyGate, parameters: { policy: policyYaml, now: NOW }, input: hostile.map((proposal) => ({ json: { proposal } })) });
	expect(error).toBeUndefined();
	expect(outputs[0] ?? []).toHaveLength(0);
	expect(outputs[1] ?? []).toHaveLength(0);
	expect(outputs[2].map((i) => (i.json as { verdict: { decision: string } }).verdict.decision)).toEqual(['reject', 'reject', 'reject', 'reject', 'reject']);
});

test('kube-ops policy check prints the same verdict as the node for the same inputs', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-policy-'));
	const proposalFile = path.join(fixtures, 'scale-forecast.json');
	const stateFile = path.join(fixtures, 'scale-state.json');
	const proposal = JSON.parse(fs.readFileSync(proposalFile, 'utf8'));
	const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));

	const cli = runBuilt('src/cli/main.js', ['policy', 'check', '--policy', path.join(fixtures, 'scaling-policy.yaml'), '--proposal', proposalFile, '--state', stateFile, '--now', NOW, '--json']);
	// Without --signing-key-file the verdict is advisory, and the CLI says so.
	expect(cli.stderr).toMatch(/^kube-ops policy: the verdict is unsigned \(advisory\)/);
	expect(cli.status).toBe(0);
	const cliVerdict = JSON.parse(cli.stdout);

	const { outputs } = await runNode({ node: PolicyGate, parameters: { policy: policyYaml, now: NOW }, input: [{ json: { proposal, state } }] });
	const nodeVerdict = outputs.flat()[0].json.verdict;
	expect(nodeVerdict).toEqual(cliVerdict);
	expect(cliVerdict.verdictHash).toMatch(/^sha256:/);

	const invalid = path.join(dir, 'bad.yaml');
	fs.writeFileSync(invalid, 'minReplicas: -1\nmaxReplicas: 5\n');
	const bad = runBuilt('src/cli/main.js', ['policy', 'check', '--policy', invalid, '--proposal', proposalFile, '--json']);
	expect(bad.status).toBe(2);
	expect(JSON.parse(bad.stdout).decision).toBe('reject');
	expect(bad.stderr).toMatch(/the policy is invalid: .*minReplicas/);

	const missing = runBuilt('src/cli/main.js', ['policy', 'check', '--policy', path.join(dir, 'nope.yaml'), '--proposal', proposalFile, '--json']);
	expect(missing.status).toBe(1);
	expect(missing.stderr).toMatch(/Cannot read the policy file .*nope\.yaml: no such file/);
});

test('a proposal typed as JSON text with a duplicate key is refused, as the CLI refuses it, never read as its last value', async () => {
	const text = JSON.stringify(scale(6, 9)).replace('"proposed":{"replicas":9}', '"proposed":{"replicas":5,"replicas":8}');
	expect(text).toContain('"replicas":5,"replicas":8');
	const { outputs, error } = await runNode({ node: PolicyGate, parameters: { policy: policyYaml, now: NOW, proposal: text }, input: [{ json: {} }] });
	expect(error).toBeUndefined();
	expect(outputs[0]).toHaveLength(0);
	expect(outputs[1]).toHaveLength(0);
	const verdict = (outputs[2][0].json as { verdict: { decision: string; value: unknown } }).verdict;
	expect(verdict.decision).toBe('reject');
	expect(verdict.value).not.toBe(8);
});

describe('proposals built from signals (the shipped failover and canary workflows)', () => {
	const failoverPolicy = JSON.stringify({
		allowedNamespaces: ['shop'],
		failover: { trafficTargets: { 'us-east': { backend: 'be_app', server: 'us-east' }, 'us-west': { backend: 'be_app', server: 'us-west' } }, allowedRegions: ['us-east', 'us-west'] },
	});
	const run = {
		alert: { name: 'RegionDown', status: 'firing', labels: { region: 'us-east', service: 'checkout' }, startsAt: '2025-03-10T11:58:00Z' },
		regions: 'us-east, us-west',
		cluster: 'global',
		kind: 'Deployment',
		service: 'checkout',
		namespace: 'shop',
		perPodCapacity: 50,
		lock: { acquired: true, holder: 'exec-1' },
		dedupeKey: 'sha256:abc',
	};
	const sample = (region: string, signal: string, value: number) => ({ metric: { region, signal }, value: [1741608000, value] });
	const signals = [sample('us-east', 'readyFraction', 0.1), sample('us-east', 'load', 100), sample('us-west', 'readyFraction', 1), sample('us-west', 'errorRate', 0), sample('us-west', 'load', 100), sample('us-west', 'capacityReplicas', 20)];
	const traffic = { backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' } };

	test('builds the failover from the run, the region signals and the load balancer, and carries the run\'s fields on', async () => {
		const { outputs, error } = await runNode({
			node: PolicyGate,
			parameters: { policy: failoverPolicy, now: NOW, proposalFrom: 'failoverSignals', run, regionSignals: signals, traffic, state: {} },
			input: [{ json: { traffic, note: 'the Status output, not carried' } }],
		});
		expect(error).toBeUndefined();
		const [apply] = outputs;
		expect(apply).toHaveLength(1);
		const json = apply[0].json as { lock: unknown; dedupeKey: string; alert: unknown; proposal: unknown; verdict: { decision: string; scope?: unknown } };
		expect(json).toMatchObject({ lock: run.lock, dedupeKey: run.dedupeKey, alert: run.alert, proposal: { action: 'failover', from: 'us-east', to: 'us-west', current: { traffic } } });
		expect(json).not.toHaveProperty('note');
		expect(json.verdict).toMatchObject({ decision: 'apply', value: 'us-west', scope: { scaleTo: Math.ceil(4 * 1.1), drain: { backend: 'be_app', server: 'us-east' } } });
		expect(verifyVerdict(json.proposal, json.verdict, { expectDecision: 'apply' }).ok).toBe(true);
	});

	test('proposes the receiver its own policy would let through (three regions)', async () => {
		const regions = ['us-east', 'us-west', 'eu-west'];
		const policyWith = (failover: Record<string, unknown>) =>
			JSON.stringify({
				allowedNamespaces: ['shop'],
				failover: { trafficTargets: Object.fromEntries(regions.map((r) => [r, { backend: 'be_app', server: r }])), allowedRegions: regions, ...failover },
			});
		// us-west serves more requests well (1 x 0.98) than eu-west (0.96 x 0.999), but fails 2 % of them.
		const three = [
			...signals.filter((s) => s.metric.region === 'us-east'),
			sample('us-west', 'readyFraction', 1),
			sample('us-west', 'errorRate', 0.02),
			sample('us-west', 'load', 100),
			sample('us-west', 'capacityReplicas', 20),
			sample('eu-west', 'readyFraction', 0.96),
			sample('eu-west', 'errorRate', 0.001),
			sample('eu-west', 'load', 100),
			sample('eu-west', 'capacityReplicas', 20),
		];
		const servers = { backend: 'be_app', servers: Object.fromEntries(regions.map((r) => [r, 'ready'])) };
		const gate = (policy: string) =>
			runNode({ node: PolicyGate, parameters: { policy, now: NOW, proposalFrom: 'failoverSignals', run: { ...run, regions: regions.join(', ') }, regionSignals: three, traffic: servers, state: {} } });
		// The default maxErrorRate (1 %) holds us-west: the gate is handed eu-west and applies it.
		const strict = await gate(policyWith({}));
		expect(strict.outputs[0][0].json).toMatchObject({ proposal: { to: 'eu-west' }, verdict: { decision: 'apply', value: 'eu-west' } });
		// A policy that accepts 5 % errors passes both: the one serving more requests well is proposed.
		const lenient = await gate(policyWith({ maxErrorRate: 0.05 }));
		expect(lenient.outputs[0][0].json).toMatchObject({ proposal: { to: 'us-west' }, verdict: { decision: 'apply', value: 'us-west' } });
		// The gate's other receiver rules come from the same policy: a region it does not allow, or one
		// the load balancer keeps out, is not proposed while another passes (attack review 8).
		const narrow = await gate(policyWith({ maxErrorRate: 0.05, allowedRegions: ['us-east', 'eu-west'] }));
		expect(narrow.outputs[0][0].json).toMatchObject({ proposal: { to: 'eu-west' }, verdict: { decision: 'apply', value: 'eu-west' } });
		const keptOut = await runNode({
			node: PolicyGate,
			parameters: { policy: policyWith({ maxErrorRate: 0.05 }), now: NOW, proposalFrom: 'failoverSignals', run: { ...run, regions: regions.join(', ') }, regionSignals: three, traffic: { ...servers, servers: { ...servers.servers, 'us-west': 'maint' } }, state: {} },
		});
		expect(keptOut.outputs[0][0].json).toMatchObject({ proposal: { to: 'eu-west' }, verdict: { decision: 'apply', value: 'eu-west' } });
	});

	test('stops on a wrong failover setting, naming it (the editor\'s to fix), and holds it with Continue on Fail', async () => {
		const parameters = { policy: failoverPolicy, now: NOW, proposalFrom: 'failoverSignals', run: { ...run, perPodCapacity: 'lots' }, regionSignals: signals, traffic };
		const stopped = await runNode({ node: PolicyGate, parameters });
		expect(stopped.error?.message).toMatch(/perPodCapacity is "lots", not a positive number; set the requests\/s one pod serves/);
		const held = await runNode({ node: PolicyGate, parameters, continueOnFail: true });
		expect(held.outputs[0]).toEqual([]);
		expect(held.outputs[2][0].json.error).toMatch(/perPodCapacity/);
	});

	test('builds the canary rollback proposal, and holds a failed query instead of rolling back', async () => {
		const watched = { cluster: 'us-east', region: 'us-east', namespace: 'shop', service: 'checkout', canaryDeployment: 'checkout-canary', canaryIngress: 'checkout-canary', lock: { acquired: true } };
		const track = (t: string, signal: string, value: number) => ({ metric: { track: t, signal }, value: [1741608000, value] });
		const canarySignals = [track('canary', 'requests', 500), track('canary', 'errorRate', 0.2), track('stable', 'requests', 5000), track('stable', 'errorRate', 0.001)];
		const canaryPolicy = JSON.stringify({ allowedNamespaces: ['shop'], canary: {} });
		const failing = await runNode({
			node: PolicyGate,
			parameters: { policy: canaryPolicy, now: NOW, proposalFrom: 'canarySignals', canary: watched, canarySignals, queryError: '', state: { consecutiveFailures: 2, cumulativeFailures: 2 } },
		});
		expect(failing.outputs[0][0].json).toMatchObject({ canaryIngress: 'checkout-canary', proposal: { target: { name: 'checkout-canary' } }, verdict: { decision: 'apply', value: 'rollback' } });
		const broken = await runNode({
			node: PolicyGate,
			parameters: { policy: canaryPolicy, now: NOW, proposalFrom: 'canarySignals', canary: watched, canarySignals: [], queryError: { message: 'Prometheus answered 503' }, state: { consecutiveFailures: 2, cumulativeFailures: 2 } },
		});
		expect(broken.outputs[0]).toEqual([]);
		const held = [...broken.outputs[1], ...broken.outputs[2]][0].json as { proposal: { evidence: unknown }; verdict: { value: unknown } };
		expect(held.proposal.evidence).toMatchObject({ providerError: 'Prometheus answered 503', noData: true });
		expect(held.verdict.value).not.toBe('rollback');
	});
});
