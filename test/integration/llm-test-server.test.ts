import { startLlmTestServer, type LlmTestServer } from '../sandbox/llm';

// The test server itself, over plain HTTP: the advisor tests rely on it answering
// with the shapes real providers use.

let server: LlmTestServer;

beforeEach(async () => {
	server = await startLlmTestServer({ model: 'served-model' });
});

afterEach(async () => {
	await server.close();
});

const chat = (body: unknown, path = '/v1/chat/completions'): Promise<Response> =>
	fetch(`${server.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const messages = [{ role: 'user', content: 'hello' }];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const json = async (response: Promise<Response> | Response): Promise<any> => (await response).json();

test('listens on loopback with a free port and serves /v1/models', async () => {
	expect(server.url).toBe(`http://127.0.0.1:${server.port}/v1`);
	const response = await fetch(`${server.url}/models`);
	expect(response.status).toBe(200);
	expect(await response.json()).toEqual({ object: 'list', data: [{ id: 'served-model', object: 'model', created: 1_700_000_000, owned_by: 'kube-ops-test' }] });
});

test('answers a chat completion with the real response shape and records the request', async () => {
	server.setBehaviour({ kind: 'text', content: 'hi there' });
	const response = await chat({ model: 'm1', messages });
	expect(response.status).toBe(200);
	const body = await response.json();
	expect(body).toMatchObject({
		id: expect.stringMatching(/^chatcmpl-/),
		object: 'chat.completion',
		created: expect.any(Number),
		model: 'm1',
		choices: [{ index: 0, message: { role: 'assistant', content: 'hi there', refusal: null }, logprobs: null, finish_reason: 'stop' }],
		usage: { prompt_tokens: expect.any(Number), completion_tokens: 2, total_tokens: expect.any(Number) },
	});
	expect(server.requests).toHaveLength(1);
	expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'm1', messages }, behaviour: 'text' });
});

test('plays a script, then falls back to the behaviour', async () => {
	server.setScript([{ kind: 'rate-limited', retryAfter: 7 }, { kind: 'server-error', status: 502 }]);
	server.setBehaviour({ kind: 'text', content: 'after' });
	const limited = await chat({ model: 'm', messages });
	expect(limited.status).toBe(429);
	expect(limited.headers.get('retry-after')).toBe('7');
	expect(await limited.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
	const bad = await chat({ model: 'm', messages });
	expect(bad.status).toBe(502);
	expect(await bad.json()).toMatchObject({ error: { type: 'server_error' } });
	expect((await json(chat({ model: 'm', messages }))).choices[0].message.content).toBe('after');
});

test('rejects response_format like vLLM, with a top-level error body', async () => {
	server.setBehaviour({ kind: 'reject-response-format', then: { kind: 'text', content: 'plain' } });
	const rejected = await chat({ model: 'm', messages, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } });
	expect(rejected.status).toBe(400);
	expect(await rejected.json()).toEqual({ object: 'error', message: 'The provided JSON schema contains features not supported by xgrammar.', type: 'BadRequestError', param: null, code: 400 });
	const plain = await chat({ model: 'm', messages, response_format: { type: 'json_object' } });
	expect(plain.status).toBe(200);
});

test('absurd, broken and refusal answers', async () => {
	server.setScript([{ kind: 'absurd', replicas: Number.NaN }, { kind: 'broken-json' }, { kind: 'refusal' }]);
	const contents: { content: string; refusal: string | null }[] = [];
	for (let i = 0; i < 3; i++) contents.push((await json(chat({ model: 'm', messages }))).choices[0].message);
	expect(contents[0].content).toBe('{"action": "scale", "replicas": NaN, "reason": "Traffic is exploding.", "confidence": 0.99}');
	expect(() => JSON.parse(contents[1].content)).toThrow();
	expect(contents[2]).toMatchObject({ content: null, refusal: expect.any(String) });
});

test('echo answers the prompt it received', async () => {
	server.setBehaviour({ kind: 'echo' });
	const body = await json(chat({ model: 'm', messages: [{ role: 'system', content: 'sys' }, ...messages] }));
	expect(body.choices[0].message.content).toBe('[system]\nsys\n\n[user]\nhello');
});

test('slow answers end early when the client goes away, and close() does not wait for them', async () => {
	server.setBehaviour({ kind: 'slow', delayMs: 60_000 });
	const controller = new AbortController();
	const pending = chat({ model: 'm', messages }).catch((error: unknown) => error);
	const aborted = fetch(`${server.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages }), signal: controller.signal }).catch(
		(error: unknown) => error,
	);
	await new Promise((resolve) => setTimeout(resolve, 100));
	controller.abort();
	expect((await aborted) as { name?: string }).toMatchObject({ name: 'AbortError' });
	const started = performance.now();
	await server.close();
	expect(performance.now() - started).toBeLessThan(1_000);
	expect((await pending) as { message?: string }).toMatchObject({ message: expect.stringMatching(/fetch failed/) });
	server = await startLlmTestServer();
});

test('serves the Azure deployment route and checks keys when asked to', async () => {
	await server.close();
	server = await startLlmTestServer({ apiKey: 'secret-key-1234' });
	const azure = (key: string, query = '?api-version=2024-10-21') =>
		fetch(`${server.origin}/openai/deployments/gpt-4o-prod/chat/completions${query}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'api-key': key },
			body: JSON.stringify({ messages }),
		});
	expect((await azure('secret-key-1234')).status).toBe(200);
	expect(server.requests[0]).toMatchObject({ deployment: 'gpt-4o-prod', query: { 'api-version': '2024-10-21' } });
	const denied = await azure('wrong-key-9999');
	expect(denied.status).toBe(401);
	expect((await json(denied)).error.message).toMatch(/^Incorrect API key provided: wro\*\*\*\*9999/);
	expect((await azure('secret-key-1234', '')).status).toBe(404);
	expect((await fetch(`${server.url}/embeddings`, { method: 'POST' })).status).toBe(404);
});
