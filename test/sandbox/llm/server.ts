import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import {
	DEFAULT_TRIGGER,
	absurdAnswer,
	brokenJsonAnswer,
	echoAnswer,
	injectionAnswer,
	promptContains,
	validAnswer,
	type Behaviour,
	type ChatRequestBody,
	type ModelAnswer,
} from './behaviours';

/**
 * An OpenAI-compatible server on 127.0.0.1 for tests: POST /v1/chat/completions,
 * the Azure route POST /openai/deployments/{deployment}/chat/completions, and
 * GET /v1/models, with the response and error shapes real providers send.
 */

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	/** Lower-cased header names. */
	headers: Record<string, string>;
	/** Parsed JSON body, or undefined when it was not JSON. */
	body: ChatRequestBody | undefined;
	rawBody: string;
	/** The Azure deployment in the path, for the Azure route. */
	deployment?: string;
	/** What the server did with it. */
	behaviour?: Behaviour['kind'];
	receivedAt: number;
}

export type BehaviourInput = Behaviour | ((request: RecordedRequest) => Behaviour);

export interface LlmTestServerOptions {
	/** Used when the script is empty. Default 'valid'. */
	behaviour?: BehaviourInput;
	/** One behaviour per chat request, in order; then `behaviour`. */
	script?: Behaviour[];
	/** Model name reported by /v1/models and used when a request names none. */
	model?: string;
	/** When set, requests must carry it (Authorization: Bearer, or api-key on the Azure route). */
	apiKey?: string;
}

export interface LlmTestServer {
	/** Base URL for the SDK, ending in /v1. */
	url: string;
	/** http://127.0.0.1:port, for the Azure endpoint. */
	origin: string;
	port: number;
	/** Every request received, in order. */
	requests: RecordedRequest[];
	/** Chat requests only. */
	chatRequests: () => RecordedRequest[];
	setBehaviour: (behaviour: BehaviourInput) => void;
	setScript: (script: Behaviour[]) => void;
	close: () => Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export async function startLlmTestServer(options: LlmTestServerOptions = {}): Promise<LlmTestServer> {
	let behaviour: BehaviourInput = options.behaviour ?? { kind: 'valid' };
	let script: Behaviour[] = [...(options.script ?? [])];
	const model = options.model ?? 'kube-ops-test-model';
	const requests: RecordedRequest[] = [];
	const sockets = new Set<Socket>();
	const timers = new Set<NodeJS.Timeout>();
	let counter = 0;

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) tooLarge = true;
			else chunks.push(chunk);
		});
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const rawBody = Buffer.concat(chunks).toString('utf8');
			const recorded: RecordedRequest = {
				method: req.method ?? 'GET',
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				headers: Object.fromEntries(Object.entries(req.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : (value ?? '')])),
				body: parseBody(rawBody),
				rawBody,
				receivedAt: Date.now(),
			};
			requests.push(recorded);
			if (tooLarge) return sendError(res, 413, 'Request body too large', 'invalid_request_error');
			route(recorded, res);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	function route(request: RecordedRequest, res: http.ServerResponse): void {
		const azure = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(request.path);
		if (request.method === 'GET' && request.path === '/v1/models') {
			if (!authorised(request, false, res)) return;
			return sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 1_700_000_000, owned_by: 'kube-ops-test' }] });
		}
		if (request.method === 'POST' && (request.path === '/v1/chat/completions' || azure !== null)) {
			if (azure !== null) {
				request.deployment = decodeURIComponent(azure[1]);
				if (!request.query['api-version']) return sendError(res, 404, 'Resource not found (missing api-version)', 'invalid_request_error');
			}
			if (!authorised(request, azure !== null, res)) return;
			return chat(request, res);
		}
		sendError(res, 404, `Unknown request URL: ${request.method} ${request.path}. Please check the URL for typos.`, 'invalid_request_error', 'unknown_url');
	}

	function authorised(request: RecordedRequest, azure: boolean, res: http.ServerResponse): boolean {
		if (options.apiKey === undefined) return true;
		const given = azure ? request.headers['api-key'] : request.headers.authorization?.replace(/^Bearer\s+/i, '');
		if (given === options.apiKey) return true;
		// Like OpenAI: the message quotes a masked form of the key it received.
		const masked = given === undefined ? 'none' : `${given.slice(0, 3)}****${given.slice(-4)}`;
		sendError(res, 401, `Incorrect API key provided: ${masked}. You can find your API key in your account settings.`, 'invalid_request_error', 'invalid_api_key');
		return false;
	}

	function chat(request: RecordedRequest, res: http.ServerResponse): void {
		const body = request.body;
		if (body === undefined) return sendError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
		if (!Array.isArray(body.messages) || body.messages.length === 0) return sendError(res, 400, '\'messages\' is a required property', 'invalid_request_error', null, 'messages');
		if (body.stream === true) return sendError(res, 400, 'The test server does not stream.', 'invalid_request_error', null, 'stream');
		const next = script.length > 0 ? (script.shift() as Behaviour) : typeof behaviour === 'function' ? behaviour(request) : behaviour;
		act(next, request, res);
	}

	function act(current: Behaviour, request: RecordedRequest, res: http.ServerResponse): void {
		request.behaviour ??= current.kind;
		const body = request.body as ChatRequestBody;
		switch (current.kind) {
			case 'valid':
				return answer(res, body, validAnswer(body));
			case 'json':
				return answer(res, body, { content: JSON.stringify(current.value), finishReason: 'stop' });
			case 'text':
				return answer(res, body, { content: current.content, finishReason: current.finishReason ?? 'stop' });
			case 'broken-json':
				return answer(res, body, brokenJsonAnswer());
			case 'absurd':
				return answer(res, body, absurdAnswer(current.replicas));
			case 'injection-follower':
				return answer(res, body, promptContains(body, current.trigger ?? DEFAULT_TRIGGER) ? injectionAnswer(body, current.variant) : validAnswer(body));
			case 'echo':
				return answer(res, body, echoAnswer(body));
			case 'refusal':
				return answer(res, body, { content: null, refusal: current.message ?? 'I can\'t help with that request.', finishReason: 'stop' });
			case 'slow': {
				const timer = setTimeout(() => {
					timers.delete(timer);
					if (!res.destroyed) act(current.then ?? { kind: 'valid' }, request, res);
				}, current.delayMs);
				timers.add(timer);
				res.on('close', () => {
					clearTimeout(timer);
					timers.delete(timer);
				});
				return;
			}
			case 'rate-limited': {
				const retryAfter = current.retryAfter ?? 1;
				return sendError(res, 429, 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1.', 'requests', 'rate_limit_exceeded', null, {
					'retry-after': String(retryAfter),
				});
			}
			case 'server-error':
				return sendError(res, current.status ?? 500, current.message ?? 'The server had an error while processing your request. Sorry about that!', 'server_error');
			case 'reject-response-format': {
				const type = body.response_format?.type;
				const formats: unknown[] = current.formats ?? ['json_schema'];
				if (formats.includes(type)) {
					// vLLM's error body: top-level fields, no "error" wrapper.
					const message =
						type === 'json_schema' ? 'The provided JSON schema contains features not supported by xgrammar.' : `response_format type ${String(type)} is not supported by this server.`;
					return sendJson(res, 400, { object: 'error', message, type: 'BadRequestError', param: null, code: 400 });
				}
				return act(current.then ?? { kind: 'valid' }, request, res);
			}
			case 'http':
				res.writeHead(current.status, { 'content-type': 'application/json', ...(current.headers ?? {}) });
				res.end(current.body);
				return;
		}
	}

	function answer(res: http.ServerResponse, body: ChatRequestBody, reply: ModelAnswer): void {
		counter += 1;
		const promptChars = JSON.stringify(body.messages ?? []).length;
		const completionChars = (reply.content ?? reply.refusal ?? '').length;
		const promptTokens = Math.ceil(promptChars / 4);
		const completionTokens = Math.ceil(completionChars / 4);
		sendJson(res, 200, {
			id: `chatcmpl-${randomBytes(6).toString('hex')}${counter}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: typeof body.model === 'string' ? body.model : model,
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content: reply.content, refusal: reply.refusal ?? null, annotations: [] },
					logprobs: null,
					finish_reason: reply.finishReason,
				},
			],
			usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
			system_fingerprint: 'fp_kube_ops_test',
		});
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	const origin = `http://127.0.0.1:${port}`;

	return {
		url: `${origin}/v1`,
		origin,
		port,
		requests,
		chatRequests: () => requests.filter((request) => request.path.endsWith('/chat/completions')),
		setBehaviour: (next) => {
			behaviour = next;
		},
		setScript: (next) => {
			script = [...next];
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const timer of timers) clearTimeout(timer);
				timers.clear();
				server.close(() => resolve());
				for (const socket of sockets) socket.destroy();
			}),
	};
}

function parseBody(raw: string): ChatRequestBody | undefined {
	if (raw === '') return undefined;
	try {
		const parsed: unknown = JSON.parse(raw);
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as ChatRequestBody) : undefined;
	} catch {
		return undefined;
	}
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
	if (res.destroyed) return;
	const text = JSON.stringify(value);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
	res.end(text);
}

function sendError(
	res: http.ServerResponse,
	status: number,
	message: string,
	type: string,
	code: string | null = null,
	param: string | null = null,
	headers: Record<string, string> = {},
): void {
	sendJson(res, status, { error: { message, type, param, code } }, headers);
}
