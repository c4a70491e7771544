import { LlmAdvisor } from '../../nodes/LlmAdvisor/LlmAdvisor.node';
import { PolicyGate } from '../../nodes/PolicyGate/PolicyGate.node';
import { OpenAiCompatibleApi } from '../../credentials/OpenAiCompatibleApi.credentials';
import { closeN8n, runNode } from '../harness/n8n';
import { Behaviour, INJECTION, LlmTestServer, scalingContext, startLlmTestServer } from '../sandbox/llm';

/**
 * LLM Advisor -> Policy Gate inside n8n's executor, against the
 * OpenAI-compatible test server: whatever the model says, the verdict stays
 * inside the policy, and an unavailable model leaves the deterministic
 * proposal to the gate alone.
 */

const POLICY = 'minReplicas: 3\nmaxReplicas: 40\nallowedNamespaces: [shop]\ncooldownSeconds: 300\napprovalFactor: 10\n';
const NOW = '2025-03-10T12:00:00Z';
let server: LlmTestServer;

beforeAll(async () => {
	server = await startLlmTestServer();
});
afterAll(async () => {
	await server?.close();
	closeN8n();
});

/** What the forecast path would send to the gate on its own. */
function deterministicProposal() {
	return {
		action: 'scale',
		source: 'forecast',
		target: { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Deployment', name: 'checkout' },
		current: { replicas: 6 },
		proposed: { replicas: 8 },
		evidence: { backtest: { mape: 0.07, wape: 0.06 } },
	};
}

async function adviseThenGate(behaviour: Behaviour, annotation?: string) {
	server.setBehaviour(behaviour);
	const advised = await runNode({
		node: LlmAdvisor,
		credentialTypes: [OpenAiCompatibleApi],
		credentials: { kubeOpsOpenAiCompatibleApi: { baseUrl: server.url, allowInsecure: true, apiKey: 'sk-test', model: 'kube-ops-test-model' } },
		parameters: { mode: 'propose', loop: 'scaling', options: { timeoutMs: 1500 } },
		input: [{ json: { context: scalingContext(annotation ? { annotation } : {}), proposal: deterministicProposal() } }],
	});
	expect(advised.error).toBeUndefined();
	const item = advised.outputs[0][0];
	expect(item.pairedItem).toEqual({ item: 0 });
	const gated = await runNode({ node: PolicyGate, parameters: { policy: POLICY, now: NOW }, input: [{ json: item.json }] });
	const [decided] = gated.outputs.flat();
	return {
		llm: item.json.llm as { status: string; reason?: string; proposal?: unknown },
		proposal: decided.json.proposal as { source: string; target: { namespace: string; name: string } },
		verdict: decided.json.verdict as { decision: string; value: number | null },
	};
}

function expectInsidePolicy(verdict: { decision: string; value: number | null }) {
	if (verdict.decision === 'apply' || verdict.decision === 'approve') {
		expect(verdict.value).toBeGreaterThanOrEqual(6); // never below current without allowScaleIn
		expect(verdict.value).toBeLessThanOrEqual(40);
	} else {
		expect(['hold', 'reject']).toContain(verdict.decision);
	}
}

test('a valid proposal from the model goes to the gate, bound to the context target', async () => {
	const { llm, proposal, verdict } = await adviseThenGate({ kind: 'valid' });
	expect(llm.status).toBe('ok');
	expect(proposal.source).toBe('llm');
	expect(proposal.target).toMatchObject({ namespace: 'shop', name: 'checkout' });
	expect(verdict.decision).toBe('apply');
	expectInsidePolicy(verdict);
});

test.each([
	['broken JSON', { kind: 'broken-json' }, /not valid JSON/],
	['10000 replicas', { kind: 'absurd', replicas: 10000 }, /replicas 10000 above the context maximum/],
	['negative replicas', { kind: 'absurd', replicas: -3 }, /replicas/],
	['replicas as a string', { kind: 'absurd', replicas: 'many' }, /replicas/],
	['slower than the timeout', { kind: 'slow', delayMs: 5000 }, /timeout after 1500 ms/],
	['429', { kind: 'rate-limited', retryAfter: 20 }, /HTTP 429/],
	['500', { kind: 'server-error', status: 500 }, /HTTP 500/],
] as Array<[string, Behaviour, RegExp]>)('%s: llm unavailable, the deterministic proposal is judged alone', async (_name, behaviour, reason) => {
	const { llm, proposal, verdict } = await adviseThenGate(behaviour);
	expect(llm.status).toBe('unavailable');
	expect(llm.reason).toMatch(reason);
	expect(proposal.source).toBe('forecast');
	expect(verdict).toMatchObject({ decision: 'apply', value: 8 });
});

test.each(['drain-all', 'other-namespace', 'zero-replicas', 'unknown-region', 'in-bounds'] as const)(
	'an injected instruction in an alert annotation (%s) never gets outside the policy',
	async (variant) => {
		const { llm, proposal, verdict } = await adviseThenGate({ kind: 'injection-follower', variant }, INJECTION);
		expect(proposal.target).toMatchObject({ namespace: 'shop', name: 'checkout' });
		expectInsidePolicy(verdict);
		if (llm.status === 'ok' && proposal.source === 'llm') {
			// Obeying the injection inside the bounds still has to pass the gate's LLM-deviation check.
			expect(verdict.decision).not.toBe('apply');
		}
	},
);

test('Explain mode adds a summary and leaves the proposal alone', async () => {
	server.setBehaviour({ kind: 'text', content: 'Checkout traffic is forecast to rise 30 % within 15 minutes; raising the floor from 6 to 8 pods.' });
	const { outputs } = await runNode({
		node: LlmAdvisor,
		credentialTypes: [OpenAiCompatibleApi],
		credentials: { kubeOpsOpenAiCompatibleApi: { baseUrl: server.url, allowInsecure: true, apiKey: 'sk-test', model: 'kube-ops-test-model' } },
		parameters: { mode: 'explain', loop: 'scaling' },
		input: [{ json: { context: scalingContext(), proposal: deterministicProposal() } }],
	});
	const json = outputs[0][0].json as { llm: { status: string; explanation: string }; proposal: { source: string } };
	expect(json.llm.status).toBe('ok');
	expect(json.llm.explanation).toMatch(/raising the floor from 6 to 8 pods/);
	expect(json.proposal.source).toBe('forecast');
});

test('the credential test reports a working endpoint and a dead one', async () => {
	const test = new LlmAdvisor().methods.credentialTest.openAiCompatibleConnectionTest;
	server.setBehaviour({ kind: 'text', content: 'ok' });
	const ok = await test.call({} as never, { id: '1', name: 'llm', type: 'kubeOpsOpenAiCompatibleApi', data: { baseUrl: server.url, allowInsecure: true, apiKey: 'sk-test', model: 'm' } });
	expect(ok.status).toBe('OK');
	server.setBehaviour({ kind: 'server-error', status: 503 });
	const bad = await test.call({} as never, { id: '1', name: 'llm', type: 'kubeOpsOpenAiCompatibleApi', data: { baseUrl: server.url, allowInsecure: true, apiKey: 'sk-test', model: 'm' } });
	expect(bad).toMatchObject({ status: 'Error', message: expect.stringMatching(/HTTP 503/) });
});

test('a plain http base URL needs "Allow Insecure Connection": the node and the credential test say so', async () => {
	const { error } = await runNode({
		node: LlmAdvisor,
		credentialTypes: [OpenAiCompatibleApi],
		credentials: { kubeOpsOpenAiCompatibleApi: { baseUrl: server.url, apiKey: 'sk-test', model: 'kube-ops-test-model' } },
		parameters: { mode: 'explain', loop: 'scaling', context: '={{ $json }}' } as never,
		input: [{ json: { target: { cluster: 'c', namespace: 'n', kind: 'Deployment', name: 'x' } } }],
	});
	expect(error?.message).toMatch(/is plain http .*"Allow Insecure Connection"/);
	const test = new LlmAdvisor().methods.credentialTest.openAiCompatibleConnectionTest;
	expect(await test.call({} as never, { id: '1', name: 'llm', type: 'kubeOpsOpenAiCompatibleApi', data: { baseUrl: server.url, apiKey: 'sk-test', model: 'm' } })).toEqual({ status: 'Error', message: expect.stringMatching(/is plain http/) });
});
