import { APIConnectionError, APIConnectionTimeoutError, InternalServerError, RateLimitError } from 'openai';

import { Cancelled, DeadlineExceeded } from '../../../src/llm/deadline';
import { describeFailure, errorMessage, retryAfter, type FailureContext } from '../../../src/llm/failure';
import type { CapturedError } from '../../../src/llm/transport';

const context = (captured?: CapturedError): FailureContext => ({ baseUrl: 'http://vllm.internal:8000/v1', model: 'qwen', knownSecrets: ['sk-the-real-key-123456'], captured });
const captured = (status: number, body: unknown, headers: Record<string, string> = {}): CapturedError => ({
	status,
	headers: new Headers(headers),
	body: typeof body === 'string' ? body : JSON.stringify(body),
});
const httpError = (status: number): Error => Object.assign(new Error(`${status}`), { status });

describe('describeFailure', () => {
	it('words time-outs and cancellations', () => {
		expect(describeFailure(new DeadlineExceeded(8000), 8000, context())).toMatchObject({
			kind: 'timeout',
			reason: 'timeout after 8000 ms waiting for the model "qwen" at http://vllm.internal:8000/v1',
			retryable: false,
		});
		expect(describeFailure(new APIConnectionTimeoutError(), 8000, context()).reason).toMatch(/^timeout after 8000 ms/);
		expect(describeFailure(new Cancelled(), 8000, context()).kind).toBe('cancelled');
	});

	it('words 429 with its Retry-After, and 5xx', () => {
		const limited = describeFailure(
			new RateLimitError(429, undefined, undefined, new Headers()),
			8000,
			context(captured(429, { error: { message: 'Rate limit reached for requests.' } }, { 'retry-after': '20' })),
		);
		expect(limited).toEqual({
			kind: 'rate_limited',
			status: 429,
			reason: 'HTTP 429 rate limited by the provider (Retry-After 20 s): Rate limit reached for requests',
			retryable: true,
			retryAfterMs: 20_000,
		});
		const server = describeFailure(new InternalServerError(500, undefined, undefined, new Headers()), 8000, context(captured(500, { error: { message: 'boom' } })));
		expect(server).toMatchObject({ kind: 'server', reason: 'HTTP 500 provider server error: boom', retryable: true });
		expect(describeFailure(httpError(503), 8000, context(captured(503, ''))).reason).toBe('HTTP 503 provider unavailable');
	});

	it('points at the credential, the base URL and the model name', () => {
		expect(describeFailure(httpError(401), 8000, context(captured(401, { error: { message: 'Incorrect API key provided: sk-the-real-key-123456' } }))).reason).toBe(
			'HTTP 401 authentication failed: check the API key in the credential: Incorrect API key provided: [redacted credential]',
		);
		expect(describeFailure(httpError(404), 8000, context(captured(404, '404 page not found'))).reason).toBe(
			'HTTP 404 not found at http://vllm.internal:8000/v1: check the base URL (OpenAI-compatible servers usually end in /v1) and the model name "qwen": 404 page not found',
		);
	});

	it('recognises a refused parameter in OpenAI, vLLM and Ollama error bodies', () => {
		const vllm = captured(400, { object: 'error', message: 'The provided JSON schema contains features not supported by xgrammar.', type: 'BadRequestError', param: null, code: 400 });
		expect(describeFailure(httpError(400), 8000, context(vllm))).toMatchObject({
			kind: 'bad_request',
			rejectedParameter: 'response_format',
			reason: 'HTTP 400 request rejected by the provider: The provided JSON schema contains features not supported by xgrammar',
		});
		const openai = captured(400, { error: { message: 'Unsupported parameter: \'max_tokens\' is not supported with this model. Use \'max_completion_tokens\' instead.', param: 'max_tokens' } });
		expect(describeFailure(httpError(400), 8000, context(openai)).rejectedParameter).toBe('max_tokens');
		const temperature = captured(400, { error: { message: 'Unsupported value: \'temperature\' does not support 0 with this model.' } });
		expect(describeFailure(httpError(400), 8000, context(temperature)).rejectedParameter).toBe('temperature');
		const ollama = captured(400, { error: 'invalid response_format' });
		expect(describeFailure(httpError(400), 8000, context(ollama)).rejectedParameter).toBe('response_format');
		const other = captured(400, { error: { message: 'messages must not be empty' } });
		expect(describeFailure(httpError(400), 8000, context(other)).rejectedParameter).toBeUndefined();
	});

	it('words network failures without raw error codes', () => {
		const refused = new APIConnectionError({ message: 'Connection error.', cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }) });
		expect(describeFailure(refused, 8000, context())).toMatchObject({
			kind: 'connection',
			reason: 'cannot reach the provider at http://vllm.internal:8000/v1: connection refused',
			retryable: true,
		});
	});
});

describe('retryAfter and errorMessage', () => {
	it('reads seconds, milliseconds and HTTP dates', () => {
		expect(retryAfter(new Headers({ 'retry-after': '2' }))).toBe(2000);
		expect(retryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
		const date = retryAfter(new Headers({ 'retry-after': new Date(Date.now() + 30_000).toUTCString() })) as number;
		expect(date).toBeGreaterThan(25_000);
		expect(date).toBeLessThanOrEqual(30_000);
		expect(retryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
		expect(retryAfter(new Headers())).toBeUndefined();
	});

	it('finds the message in each provider\'s error shape', () => {
		expect(errorMessage('{"error":{"message":"openai"}}')).toBe('openai');
		expect(errorMessage('{"object":"error","message":"vllm"}')).toBe('vllm');
		expect(errorMessage('{"error":"ollama"}')).toBe('ollama');
		expect(errorMessage('{"detail":"fastapi"}')).toBe('fastapi');
		expect(errorMessage('<html>')).toBeUndefined();
	});
});
