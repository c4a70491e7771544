import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { advise, type AdviceOk, type AdviceRequest, type AdviceResult, type AdviceUnavailable, type LlmConnection } from '../../src/llm';
import { INJECTION, canaryContext, failoverContext, promptData, scalingContext, startLlmTestServer, type Behaviour, type LlmTestServer } from '../sandbox/llm';

// advise() against the OpenAI-compatible test server over real HTTP, through the
// openai SDK. Every case checks the status, the reason an SRE would read, and
// that any proposal is bound to the context's target.

const API_KEY = 'sk-test-advisor-0123456789abcdefXYZ';
const SCALING_TARGET = { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Deployment', name: 'checkout' };

let server: LlmTestServer;

beforeEach(async () => {
	server = await startLlmTestServer({ apiKey: API_KEY });
});

afterEach(async () => {
	await server.close();
});

function connection(overrides: Partial<LlmConnection> = {}): LlmConnection {
	return { apiKey: API_KEY, baseUrl: server.url, model: 'gpt-test', timeoutMs: 3_000, ...overrides };
}

function request(overrides: Partial<AdviceRequest> = {}): AdviceRequest {
	return { mode: 'propose', loop: 'scaling', context: scalingContext() as AdviceRequest['context'], connection: connection(), ...overrides };
}

async function ok(result: Promise<AdviceResult>): Promise<AdviceOk> {
	const settled = await result;
	if (settled.status !== 'ok') throw new Error(`expected ok, got: ${settled.reason}`);
	return settled;
}

async function unavailable(result: Promise<AdviceResult>): Promise<AdviceUnavailable> {
	const settled = await result;
	if (settled.status !== 'unavailable') throw new Error(`expected unavailable, got ${JSON.stringify(settled.proposal ?? settled.explanation)}`);
	return settled;
}

/** Whatever happened, a proposal that came back is bound to the context's target. */
function expectBound(result: AdviceResult, target: Record<string, string>): void {
	if (result.status === 'ok' && result.proposal) {
		expect(result.proposal.target).toEqual(target);
		expect(result.proposal.source).toBe('llm');
	}
}

describe('valid answers', () => {
	it('proposes a scale bound to the context, asking with a strict JSON schema', async () => {
		const result = await ok(advise(request()));
		expect(result).toMatchObject({
			mode: 'propose',
			loop: 'scaling',
			model: 'gpt-test',
			responseFormat: 'json_schema',
			recommendation: { action: 'scale', replicas: 8 },
			proposal: {
				action: 'scale',
				source: 'llm',
				target: SCALING_TARGET,
				current: { replicas: 6 },
				proposed: { replicas: 8 },
				evidence: { deterministic: { replicas: 8 }, backtest: { mape: 0.07 }, llm: { model: 'gpt-test', confidence: 0.75 } },
			},
			usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number), totalTokens: expect.any(Number) },
		});
		expect(result.raw).toMatch(/^\{"action":"scale","replicas":8/);
		expect(result.latencyMs).toBeGreaterThanOrEqual(0);

		const [sent] = server.chatRequests();
		expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(sent.rawBody).not.toContain(API_KEY);
		expect(sent.body).toMatchObject({
			model: 'gpt-test',
			temperature: 0,
			max_tokens: 500,
			response_format: { type: 'json_schema', json_schema: { name: 'kube_ops_scaling_proposal', strict: true, schema: { additionalProperties: false } } },
		});
	});

	it('proposes a failover between context regions, and a canary rollback', async () => {
		const failover = await ok(advise(request({ loop: 'failover', context: failoverContext() as AdviceRequest['context'] })));
		expect(failover.proposal).toMatchObject({ action: 'failover', from: 'eu-west-1', to: 'eu-central-1', target: { kind: 'Service', name: 'checkout' } });
		const canary = await ok(advise(request({ loop: 'canary', context: canaryContext() as AdviceRequest['context'] })));
		expect(canary.proposal).toMatchObject({ action: 'rollback', source: 'llm', target: { kind: 'Rollout', name: 'checkout' } });
	});

	it('gives a recommendation without a proposal for hold', async () => {
		server.setBehaviour({ kind: 'json', value: { action: 'hold', from: null, to: null, reason: 'Both regions look healthy.', confidence: 0.5 } });
		const result = await ok(advise(request({ loop: 'failover', context: failoverContext() as AdviceRequest['context'] })));
		expect(result.recommendation).toMatchObject({ action: 'hold' });
		expect(result.proposal).toBeNull();
	});

	it('explains a decision in plain text, without response_format', async () => {
		const result = await ok(advise(request({ mode: 'explain' })));
		expect(result.explanation).toBe('The forecast expects more traffic, so the loop recommends 8 replicas (now 6). The policy gate decides whether it is applied.');
		expect(result.proposal).toBeUndefined();
		expect(server.chatRequests()[0].body?.response_format).toBeUndefined();
	});

	it('keeps an explanation from paging a chat channel', async () => {
		server.setBehaviour({ kind: 'text', content: '<!channel> @here Scaling checkout to 8.' });
		expect((await ok(advise(request({ mode: 'explain' })))).explanation).toBe('channel here Scaling checkout to 8.');
	});

	it('explains without a bindable context, but refuses to propose without one', async () => {
		const context = { alerts: [{ labels: { alertname: 'X' } }] } as unknown as AdviceRequest['context'];
		expect((await ok(advise(request({ mode: 'explain', context })))).explanation).toMatch(/scaling loop/);
		const refused = await unavailable(advise(request({ context })));
		expect(refused).toMatchObject({ stage: 'input', reason: 'cannot bind a proposal: context.target is missing' });
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('accepts a fenced answer after a <think> section', async () => {
		server.setBehaviour({ kind: 'text', content: '<think>\nforecast says 9\n</think>\n```json\n{"action":"scale","replicas":9,"reason":"Peak.","confidence":null}\n```' });
		expect((await ok(advise(request()))).proposal).toMatchObject({ proposed: { replicas: 9 }, target: SCALING_TARGET });
	});
});

describe('invalid output: the item passes on as unavailable', () => {
	it('broken JSON', async () => {
		server.setBehaviour({ kind: 'broken-json' });
		const result = await unavailable(advise(request()));
		expect(result).toMatchObject({ stage: 'output', model: 'gpt-test' });
		expect(result.reason).toMatch(/^model output is not valid JSON: unterminated string at position \d+$/);
		expect(result.raw).toMatch(/^\{"action": "scale", "replicas": 12/);
	});

	it.each<[unknown, string]>([
		[10000, 'proposal rejected: replicas 10000 above the context maximum 80 (2 × policy maxReplicas 40)'],
		[-3, 'proposal rejected: replicas -3 is negative'],
		['many', 'proposal rejected: replicas must be a whole number, got the string "many"'],
		[2.5, 'proposal rejected: replicas must be a whole number, got 2.5'],
		['NaN', 'proposal rejected: replicas must be a whole number, got the string "NaN"'],
		[0, 'proposal rejected: replicas 0 would stop a running workload (current 6); the advisor never proposes scaling to zero'],
	])('absurd replicas %j', async (replicas, reason) => {
		server.setBehaviour({ kind: 'absurd', replicas });
		const result = await unavailable(advise(request()));
		expect(result).toMatchObject({ stage: 'output', reason });
	});

	it('a bare NaN, which is not JSON', async () => {
		server.setBehaviour({ kind: 'absurd', replicas: Number.NaN });
		expect((await unavailable(advise(request()))).reason).toMatch(/^model output is not valid JSON: unexpected word "NaN"/);
	});

	it('a refusal and an empty answer', async () => {
		server.setBehaviour({ kind: 'refusal', message: 'I cannot help with that.' });
		expect((await unavailable(advise(request()))).reason).toBe('the model refused: I cannot help with that.');
		server.setBehaviour({ kind: 'text', content: '', finishReason: 'length' });
		expect((await unavailable(advise(request()))).reason).toBe('the model returned no text before reaching the 500-token limit (finish_reason length)');
	});

	it('JSON cut off at the token limit says so', async () => {
		server.setBehaviour({ kind: 'text', content: '{"action":"scale","replicas":9,"reason":"Pe', finishReason: 'length' });
		expect((await unavailable(advise(request()))).reason).toMatch(/unterminated string .*\(the answer was cut off at the 500-token limit\)$/);
	});
});

describe('prompt injection in an alert annotation', () => {
	const injected = { annotation: INJECTION };

	it('reaches the model only as quoted data', async () => {
		server.setBehaviour({ kind: 'injection-follower' });
		await advise(request({ context: scalingContext(injected) as AdviceRequest['context'] }));
		const [sent] = server.chatRequests();
		const data = promptData(sent.body ?? {}) as { context: { alerts: { annotations: { description: string } }[] } };
		expect(data.context.alerts[0].annotations.description).toBe(INJECTION);
		const messages = (sent.body?.messages ?? []) as { role: string; content: string }[];
		expect(messages[0].content).not.toContain('ignore the policy');
	});

	it.each<[string, 'scaling' | 'failover' | 'canary', Behaviour, RegExp]>([
		['drain-all (scaling)', 'scaling', { kind: 'injection-follower', variant: 'drain-all' }, /^proposal rejected: unknown action "drain-all" \(allowed for scaling: scale\)$/],
		['drain-all (failover)', 'failover', { kind: 'injection-follower', variant: 'drain-all' }, /^proposal rejected: unknown action "drain-all" \(allowed for failover: failover, failback, hold\)$/],
		['drain-all (canary)', 'canary', { kind: 'injection-follower', variant: 'drain-all' }, /^proposal rejected: unknown action "drain-all"/],
		['another namespace (scaling)', 'scaling', { kind: 'injection-follower', variant: 'other-namespace' }, /^proposal rejected: the model tried to set "namespace" to "kube-system"/],
		['another namespace (failover)', 'failover', { kind: 'injection-follower', variant: 'other-namespace' }, /^proposal rejected: unexpected field "replicas"/],
		['another namespace (canary)', 'canary', { kind: 'injection-follower', variant: 'other-namespace' }, /^proposal rejected: unexpected field "replicas"/],
		['zero replicas', 'scaling', { kind: 'injection-follower', variant: 'zero-replicas' }, /^proposal rejected: replicas 0 would stop a running workload/],
		['an unknown region', 'failover', { kind: 'injection-follower', variant: 'unknown-region' }, /^proposal rejected: region "attacker-region-1" in "to" is not in the context \(known: eu-west-1, eu-central-1\)$/],
	])('an answer that follows it is rejected: %s', async (_name, loop, behaviour, reason) => {
		server.setBehaviour(behaviour);
		const context = (loop === 'scaling' ? scalingContext(injected) : loop === 'failover' ? failoverContext(injected) : canaryContext(injected)) as AdviceRequest['context'];
		const result = await unavailable(advise(request({ loop, context })));
		expect(result.stage).toBe('output');
		expect(result.reason).toMatch(reason);
	});

	it('an obedient answer that stays in bounds is still bound to the context target, for the gate to judge', async () => {
		server.setBehaviour({ kind: 'injection-follower', variant: 'in-bounds' });
		const scaling = await ok(advise(request({ context: scalingContext(injected) as AdviceRequest['context'] })));
		expect(scaling.proposal).toMatchObject({ target: SCALING_TARGET, current: { replicas: 6 }, proposed: { replicas: 80 }, evidence: { deterministic: { replicas: 8 } } });
		const failover = await ok(advise(request({ loop: 'failover', context: failoverContext(injected) as AdviceRequest['context'] })));
		expect(failover.proposal).toMatchObject({ source: 'llm', target: { cluster: 'global', namespace: 'shop', kind: 'Service', name: 'checkout' } });
	});

	it('without the injected text, the same model answers normally', async () => {
		server.setBehaviour({ kind: 'injection-follower' });
		const result = await ok(advise(request()));
		expect(result.proposal).toMatchObject({ proposed: { replicas: 8 }, target: SCALING_TARGET });
	});
});

describe('provider problems: the item passes on as unavailable, quickly', () => {
	it('slowness past the timeout', async () => {
		server.setBehaviour({ kind: 'slow', delayMs: 10_000 });
		const started = performance.now();
		const result = await unavailable(advise(request({ connection: connection({ timeoutMs: 400 }) })));
		const elapsed = performance.now() - started;
		expect(result).toMatchObject({ stage: 'provider', reason: `timeout after 400 ms waiting for the model "gpt-test" at ${server.url}` });
		expect(elapsed).toBeGreaterThanOrEqual(350);
		expect(elapsed).toBeLessThan(1_500);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('the timeout covers retries and fallbacks together', async () => {
		server.setScript([{ kind: 'server-error' }, { kind: 'slow', delayMs: 10_000 }]);
		const started = performance.now();
		const result = await unavailable(advise(request({ connection: connection({ timeoutMs: 800, maxRetries: 3 }) })));
		expect(result.reason).toMatch(/^timeout after 800 ms/);
		expect(result.notes?.[0]).toMatch(/^HTTP 500 provider server error: .*; retried after 0\.25 s$/);
		expect(performance.now() - started).toBeLessThan(1_800);
	});

	it('429 with Retry-After', async () => {
		server.setBehaviour({ kind: 'rate-limited', retryAfter: 20 });
		const result = await unavailable(advise(request()));
		expect(result).toMatchObject({
			stage: 'provider',
			reason: 'HTTP 429 rate limited by the provider (Retry-After 20 s): Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1',
		});
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('429 is retried only when asked to and when the wait fits in the budget', async () => {
		server.setBehaviour({ kind: 'rate-limited', retryAfter: 20 });
		const tooLong = await unavailable(advise(request({ connection: connection({ maxRetries: 2 }) })));
		expect(tooLong.reason).toMatch(/\(Retry-After 20 s\).*; not retried: waiting 20 s would exceed the 3000 ms budget$/);
		expect(server.chatRequests()).toHaveLength(1);

		server.setScript([{ kind: 'rate-limited', retryAfter: 0 }]);
		server.setBehaviour({ kind: 'valid' });
		const retried = await ok(advise(request({ connection: connection({ maxRetries: 1 }) })));
		expect(retried.proposal).toMatchObject({ target: SCALING_TARGET });
		expect(retried.notes).toEqual([expect.stringMatching(/^HTTP 429 rate limited by the provider \(Retry-After 0 s\).*; retried after 0 s$/)]);
	});

	it('500 and 503', async () => {
		server.setBehaviour({ kind: 'server-error' });
		expect((await unavailable(advise(request()))).reason).toBe('HTTP 500 provider server error: The server had an error while processing your request. Sorry about that!');
		server.setBehaviour({ kind: 'server-error', status: 503, message: 'Service Unavailable' });
		expect((await unavailable(advise(request()))).reason).toBe('HTTP 503 provider unavailable: Service Unavailable');
		// The SDK itself never retries: one request per call.
		expect(server.chatRequests()).toHaveLength(2);
	});

	it('a wrong API key, without echoing the key', async () => {
		const result = await unavailable(advise(request({ connection: connection({ apiKey: 'sk-wrong-key-abcdefghijklmnop' }) })));
		expect(result.reason).toMatch(/^HTTP 401 authentication failed: check the API key in the credential: Incorrect API key provided/);
		expect(result.reason).not.toContain('sk-wrong-key-abcdefghijklmnop');
	});

	it('a base URL without /v1', async () => {
		const result = await unavailable(advise(request({ connection: connection({ baseUrl: server.origin }) })));
		expect(result.reason).toMatch(/^HTTP 404 not found at http:\/\/127\.0\.0\.1:\d+: check the base URL \(OpenAI-compatible servers usually end in \/v1\)/);
	});

	it('nothing listening', async () => {
		const port = server.port;
		await server.close();
		const result = await unavailable(advise(request({ connection: connection({ baseUrl: `http://127.0.0.1:${port}/v1` }) })));
		expect(result.reason).toBe(`cannot reach the provider at http://127.0.0.1:${port}/v1: connection refused`);
		server = await startLlmTestServer();
	});

	it('an answer that is not a chat completion, and one that is too large', async () => {
		server.setBehaviour({ kind: 'http', status: 200, body: '"<html>login</html>"' });
		expect((await unavailable(advise(request()))).reason).toMatch(/^unexpected answer from the provider: the answer is not a chat completion object/);
		server.setBehaviour({ kind: 'text', content: 'x'.repeat(300_000) });
		const tooLarge = await unavailable(advise(request({ limits: { maxResponseBytes: 100_000 } })));
		expect(tooLarge.reason).toBe('the provider\'s answer is larger than 100000 bytes; refused unread');
	});

	it('cancellation by the caller (n8n stopping the execution)', async () => {
		server.setBehaviour({ kind: 'slow', delayMs: 10_000 });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const result = await unavailable(advise(request({ signal: controller.signal })));
		expect(result.reason).toBe('cancelled before the model answered (the execution was stopped)');
		expect(result.latencyMs).toBeLessThan(1_000);
	});

	it('a connection that cannot be used is reported before any request', async () => {
		expect((await unavailable(advise(request({ connection: connection({ baseUrl: 'ftp://x' }) })))).reason).toMatch(/^the base URL must be an http\(s\) URL/);
		expect((await unavailable(advise(request({ connection: connection({ model: ' ' }) })))).reason).toMatch(/model name is missing/);
		expect((await unavailable(advise(request({ connection: connection({ timeoutMs: -1 }) })))).stage).toBe('input');
		expect(server.chatRequests()).toHaveLength(0);
	});
});

describe('providers that refuse parts of the request', () => {
	it('falls back from json_schema to json_object when the schema is rejected (vLLM)', async () => {
		server.setBehaviour({ kind: 'reject-response-format' });
		const result = await ok(advise(request()));
		expect(result.responseFormat).toBe('json_object');
		expect(result.notes).toEqual([
			'HTTP 400 request rejected by the provider: The provided JSON schema contains features not supported by xgrammar; asked again with response_format json_object',
		]);
		expect(result.proposal).toMatchObject({ target: SCALING_TARGET, proposed: { replicas: 8 } });
		expect(server.chatRequests().map((r) => (r.body?.response_format as { type: string } | undefined)?.type)).toEqual(['json_schema', 'json_object']);
	});

	it('then to no response_format at all, the schema still in the prompt and enforced on return', async () => {
		server.setBehaviour({ kind: 'reject-response-format', formats: ['json_schema', 'json_object'], then: { kind: 'absurd', replicas: 10000 } });
		const result = await unavailable(advise(request()));
		expect(result.reason).toBe('proposal rejected: replicas 10000 above the context maximum 80 (2 × policy maxReplicas 40)');
		expect(result.notes).toHaveLength(2);
		const last = server.chatRequests()[2];
		expect(last.body?.response_format).toBeUndefined();
		const system = (last.body?.messages as { content: string }[])[0].content;
		expect(system).toContain('"additionalProperties":false');
		expect(system).toContain('"maximum":80');
	});

	it('starts lower on the ladder when the connection says so', async () => {
		await ok(advise(request({ connection: connection({ responseFormat: 'none' }) })));
		expect(server.chatRequests()).toHaveLength(1);
		expect(server.chatRequests()[0].body?.response_format).toBeUndefined();
	});

	it('switches to max_completion_tokens and drops temperature for models that refuse them', async () => {
		const refuse = (message: string, param: string): Behaviour => ({
			kind: 'http',
			status: 400,
			body: JSON.stringify({ error: { message, type: 'invalid_request_error', param, code: 'unsupported_parameter' } }),
		});
		server.setScript([
			refuse('Unsupported parameter: \'max_tokens\' is not supported with this model. Use \'max_completion_tokens\' instead.', 'max_tokens'),
			refuse('Unsupported value: \'temperature\' does not support 0 with this model. Only the default (1) value is supported.', 'temperature'),
		]);
		const result = await ok(advise(request()));
		expect(result.notes).toHaveLength(2);
		const [, second, third] = server.chatRequests();
		expect(second.body).toMatchObject({ max_completion_tokens: 500, temperature: 0 });
		expect(second.body?.max_tokens).toBeUndefined();
		expect(third.body?.temperature).toBeUndefined();
	});

	it('does not loop on a 400 it cannot fix', async () => {
		server.setBehaviour({ kind: 'http', status: 400, body: JSON.stringify({ error: { message: 'messages: too long', type: 'invalid_request_error' } }) });
		expect((await unavailable(advise(request()))).reason).toBe('HTTP 400 request rejected by the provider: messages: too long');
		expect(server.chatRequests()).toHaveLength(1);
	});
});

describe('what the model is sent', () => {
	it('no secrets reach the provider, whatever the alert carries', async () => {
		server.setBehaviour({ kind: 'echo' });
		const context = scalingContext({
			labels: { token: 'tok-abcdef123456' },
			annotations: {
				runbook: 'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlMTIz" https://ops.example/scale',
				kubeconfig: 'apiVersion: v1\nkind: Config\nusers: [{user: {token: kubetoken123}}]',
				leak: `provider key ${API_KEY}`,
			},
		}) as AdviceRequest['context'];
		const result = await ok(advise(request({ mode: 'explain', context, limits: { maxExplanationChars: 8_000 } })));
		const sent = server.chatRequests()[0].rawBody;
		for (const secret of ['tok-abcdef123456', 'eyJhbGciOiJIUzI1NiJ9', 'kubetoken123', API_KEY]) {
			expect(sent).not.toContain(secret);
			expect(result.explanation).not.toContain(secret);
		}
		expect(result.sanitized.droppedSecretFields).toEqual(['$.alerts[0].labels.token', '$.alerts[0].annotations.kubeconfig']);
		expect(result.explanation).toContain('[redacted credential]');
	});

	it('the echoed prompt shows the data block and the advisor framing', async () => {
		server.setBehaviour({ kind: 'echo' });
		const result = await ok(advise(request({ mode: 'explain', loop: 'canary', context: canaryContext({ annotation: INJECTION }) as AdviceRequest['context'], limits: { maxExplanationChars: 8_000 } })));
		expect(result.explanation).toMatch(/^\[system\]\nYou are the advisor of kube-ops/);
		// Delimiter-like text is neutralised in model output too, before it reaches a chat.
		expect(result.explanation).toMatch(/‹‹‹KUBE_OPS_DATA [0-9a-f]{16}›››\n\{/);
		// An echo is still bounded before it can reach a chat channel.
		const bounded = await ok(advise(request({ mode: 'explain' })));
		expect(bounded.explanation?.length).toBeLessThanOrEqual(1_520);
	});

	it('talks to Azure OpenAI deployments with an api-key header and api-version', async () => {
		const result = await ok(
			advise(request({ connection: connection({ baseUrl: server.origin, model: 'gpt-4o', azure: { apiVersion: '2024-10-21', deployment: 'kube-ops-prod' } }) })),
		);
		expect(result.proposal).toMatchObject({ target: SCALING_TARGET });
		const [sent] = server.chatRequests();
		expect(sent).toMatchObject({ path: '/openai/deployments/kube-ops-prod/chat/completions', query: { 'api-version': '2024-10-21' }, deployment: 'kube-ops-prod' });
		expect(sent.headers['api-key']).toBe(API_KEY);
		expect(sent.headers.authorization).toBeUndefined();
	});

	it('works with local servers that need no key (Ollama, vLLM)', async () => {
		await server.close();
		server = await startLlmTestServer();
		const result = await ok(advise(request({ connection: connection({ apiKey: '' }) })));
		expect(result.status).toBe('ok');
	});
});

describe('never hangs, never throws, always bound', () => {
	it('every behaviour ends within the budget with a bound proposal or a reason', async () => {
		const behaviours: Behaviour[] = [
			{ kind: 'valid' },
			{ kind: 'broken-json' },
			{ kind: 'absurd', replicas: 10000 },
			{ kind: 'absurd', replicas: -3 },
			{ kind: 'absurd', replicas: 'many' },
			{ kind: 'injection-follower', variant: 'drain-all' },
			{ kind: 'injection-follower', variant: 'other-namespace' },
			{ kind: 'injection-follower', variant: 'in-bounds' },
			{ kind: 'slow', delayMs: 5_000 },
			{ kind: 'rate-limited', retryAfter: 1 },
			{ kind: 'server-error' },
			{ kind: 'reject-response-format', formats: ['json_schema', 'json_object'] },
			{ kind: 'refusal' },
			{ kind: 'echo' },
			{ kind: 'http', status: 200, body: '{"choices":[]}' },
			{ kind: 'http', status: 302, body: '', headers: { location: 'http://127.0.0.1:1/' } },
		];
		for (const behaviour of behaviours) {
			for (const [loop, context, target] of [
				['scaling', scalingContext({ annotation: INJECTION }), SCALING_TARGET],
				['failover', failoverContext({ annotation: INJECTION }), failoverContext().target],
				['canary', canaryContext({ annotation: INJECTION }), canaryContext().target],
			] as const) {
				server.setBehaviour(behaviour);
				const started = performance.now();
				const result = await advise(request({ loop, context: context as AdviceRequest['context'], connection: connection({ timeoutMs: 500, maxRetries: 1 }) }));
				expect(performance.now() - started).toBeLessThan(1_500);
				expect(['ok', 'unavailable']).toContain(result.status);
				if (result.status === 'unavailable') expect(result.reason.length).toBeGreaterThan(10);
				expectBound(result, target as Record<string, string>);
			}
		}
	});

	it('serves parallel items independently', async () => {
		server.setBehaviour((recorded) => (JSON.stringify(recorded.body).includes('failover') ? { kind: 'slow', delayMs: 5_000 } : { kind: 'valid' }));
		const [scaling, failover] = await Promise.all([
			advise(request()),
			advise(request({ loop: 'failover', context: failoverContext() as AdviceRequest['context'], connection: connection({ timeoutMs: 300 }) })),
		]);
		expect(scaling.status).toBe('ok');
		expect(failover).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^timeout after 300 ms/) });
	});

	it('a server that accepts the connection and never answers', async () => {
		const silent = http.createServer(() => undefined);
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		try {
			const port = (silent.address() as AddressInfo).port;
			const result = await unavailable(advise(request({ connection: connection({ baseUrl: `http://127.0.0.1:${port}/v1`, timeoutMs: 300 }) })));
			expect(result.reason).toMatch(/^timeout after 300 ms/);
		} finally {
			silent.closeAllConnections();
			await new Promise((resolve) => silent.close(resolve));
		}
	});
});
