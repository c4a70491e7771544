import { readFacts, type Facts } from './context';
import { Deadline } from './deadline';
import { describeFailure, formatSeconds, type ProviderFailure, type RejectedParameter } from './failure';
import { DEFAULT_TIMEOUT_MS, MAX_RETRIES, MAX_TIMEOUT_MS, resolveLimits, type ResolvedLimits } from './limits';
import { buildPrompt, type BuiltPrompt } from './prompt';
import { chatBody, createClient, MalformedAnswer, readAnswer, type ChatAnswer, type RequestShape } from './provider';
import { sanitizeString } from './sanitize';
import { redactSecrets } from './secrets';
import { boundedText, neutraliseMentions } from './text';
import { boundedFetch, type TransportState } from './transport';
import type { AdviceLoop, AdviceMode, AdviceOk, AdviceRequest, AdviceResult, AdviceUnavailable, LlmConnection, ResponseFormatLevel } from './types';
import { validateWithFacts } from './validate';

const MODES: readonly AdviceMode[] = ['explain', 'propose'];
const LOOPS: readonly AdviceLoop[] = ['scaling', 'failover', 'canary'];
const FORMATS: readonly ResponseFormatLevel[] = ['json_schema', 'json_object', 'none'];
// A retry is only worth starting if it can still get an answer in this much time.
const MIN_ATTEMPT_MS = 250;
const SDK_TIMEOUT_SLACK_MS = 1_000;
// Parameter fallbacks (response_format twice, max_tokens, temperature) plus retries.
const MAX_ATTEMPTS = 4 + MAX_RETRIES + 1;

interface Settings {
	connection: LlmConnection;
	timeoutMs: number;
	maxRetries: number;
}

/**
 * Asks an OpenAI-compatible model to explain a loop's decision or to propose one.
 * Resolves to `status: 'unavailable'` with an SRE-readable reason for every
 * provider, network, time-out or output problem, and for a context or connection
 * it cannot use: the deterministic path then goes on alone. Rejects only for a
 * programming error, an unknown mode or loop.
 */
export async function advise(request: AdviceRequest): Promise<AdviceResult> {
	const started = performance.now();
	const { mode, loop } = request;
	if (!MODES.includes(mode)) throw new TypeError(`advise: mode must be one of ${MODES.join(', ')}, got ${String(mode)}`);
	if (!LOOPS.includes(loop)) throw new TypeError(`advise: loop must be one of ${LOOPS.join(', ')}, got ${String(loop)}`);
	const base = { mode, loop, started };
	try {
		return await adviseChecked(request, base);
	} catch (error) {
		// Nothing below is expected to throw; if it does, the loop still must not stop.
		const message = error instanceof Error ? error.message : String(error);
		return unavailable(base, 'provider', `internal error in the LLM advisor: ${boundedText(redactSecrets(message).text, 200)}`);
	}
}

interface Base {
	mode: AdviceMode;
	loop: AdviceLoop;
	started: number;
}

async function adviseChecked(request: AdviceRequest, base: Base): Promise<AdviceResult> {
	const settings = readSettings(request.connection);
	if (typeof settings === 'string') return unavailable(base, 'input', settings);
	const limits = resolveLimits(request.limits);
	const facts = readFacts(base.loop, request.context, limits);
	if (base.mode === 'propose' && !facts.ok) return unavailable(base, 'input', `cannot bind a proposal: ${facts.problem}`);
	const knownSecrets = settings.connection.apiKey.length > 0 ? [settings.connection.apiKey] : [];
	const prompt = buildPrompt({ mode: base.mode, loop: base.loop, context: request.context, facts: facts.ok ? facts.facts : null, limits, knownSecrets });
	const exchange = await ask(settings, prompt, base.mode, limits, knownSecrets, request.signal);
	if ('failure' in exchange) return unavailable(base, 'provider', exchange.failure, { notes: exchange.notes, model: settings.connection.model });
	return readOutcome(base, exchange, facts.ok ? facts.facts : null, request.context, prompt, limits, knownSecrets, settings);
}

function readSettings(connection: LlmConnection | undefined): Settings | string {
	if (typeof connection !== 'object' || connection === null) return 'no connection: set the base URL, model and API key in the credential';
	const { apiKey, baseUrl, model, timeoutMs, maxRetries, azure, responseFormat } = connection;
	if (typeof baseUrl !== 'string' || !/^https?:\/\/[^/]/i.test(baseUrl.trim())) return `the base URL must be an http(s) URL, got ${JSON.stringify(boundedText(String(baseUrl), 80))}`;
	try {
		new URL(baseUrl.trim());
	} catch {
		return `the base URL ${JSON.stringify(boundedText(baseUrl, 80))} is not a valid URL`;
	}
	if (typeof model !== 'string' || model.trim() === '' || model.length > 256) return 'the model name is missing or longer than 256 characters';
	if (apiKey !== undefined && typeof apiKey !== 'string') return 'the API key must be a string';
	if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
		return `the timeout must be a positive number of milliseconds, got ${String(timeoutMs)}`;
	}
	if (maxRetries !== undefined && (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0)) {
		return `maxRetries must be a whole number ≥ 0, got ${String(maxRetries)}`;
	}
	if (responseFormat !== undefined && !FORMATS.includes(responseFormat)) return `responseFormat must be one of ${FORMATS.join(', ')}`;
	if (azure !== undefined && (typeof azure !== 'object' || azure === null || typeof azure.apiVersion !== 'string' || azure.apiVersion.trim() === '')) {
		return 'Azure OpenAI needs an API version (e.g. 2024-10-21)';
	}
	return {
		connection: { ...connection, apiKey: apiKey ?? '', baseUrl: baseUrl.trim(), model: model.trim() },
		timeoutMs: Math.min(Math.round(timeoutMs ?? DEFAULT_TIMEOUT_MS), MAX_TIMEOUT_MS),
		maxRetries: Math.min(maxRetries ?? 0, MAX_RETRIES),
	};
}

type Exchange = { answer: ChatAnswer; shape: RequestShape; notes: string[] } | { failure: string; notes: string[] };

async function ask(settings: Settings, prompt: BuiltPrompt, mode: AdviceMode, limits: ResolvedLimits, knownSecrets: readonly string[], signal?: AbortSignal): Promise<Exchange> {
	const deadline = new Deadline(settings.timeoutMs, signal);
	const state: TransportState = {};
	const notes: string[] = [];
	const { connection } = settings;
	const describe = (error: unknown): ProviderFailure =>
		describeFailure(error, settings.timeoutMs, { baseUrl: connection.baseUrl, model: connection.model, knownSecrets, captured: state.lastError, tooLarge: state.tooLarge });
	const shape: RequestShape = {
		responseFormat: mode === 'propose' ? (connection.responseFormat ?? 'json_schema') : 'none',
		tokenParameter: 'max_tokens',
		temperature: true,
	};
	let retriesLeft = settings.maxRetries;
	try {
		const client = createClient(connection, boundedFetch(limits.maxResponseBytes, state), settings.timeoutMs + SDK_TIMEOUT_SLACK_MS);
		for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
			state.lastError = undefined;
			state.tooLarge = undefined;
			const body = chatBody(connection.model, prompt.messages, shape, prompt.schema, limits.maxOutputTokens);
			try {
				// The SDK's own timer is only a backstop, set past our deadline: ours must fire
				// first so the reason is always "timeout after N ms", whatever the SDK reports.
				const completion: unknown = await deadline.run((abort) =>
					client.chat.completions.create(body, { signal: abort, timeout: deadline.remainingMs() + SDK_TIMEOUT_SLACK_MS, maxRetries: 0 }),
				);
				return { answer: readAnswer(completion), shape: { ...shape }, notes };
			} catch (error) {
				if (error instanceof MalformedAnswer) return { failure: `unexpected answer from the provider: ${error.message}`, notes };
				const failure = describe(deadline.reason() ?? error);
				const fallback = failure.rejectedParameter === undefined ? undefined : adjust(shape, failure.rejectedParameter);
				if (fallback !== undefined) {
					notes.push(`${failure.reason}; ${fallback}`);
					continue;
				}
				if (!failure.retryable || retriesLeft === 0) return { failure: failure.reason, notes };
				const wait = failure.retryAfterMs ?? backoffMs(settings.maxRetries - retriesLeft);
				if (wait + MIN_ATTEMPT_MS > deadline.remainingMs()) {
					return { failure: `${failure.reason}; not retried: waiting ${formatSeconds(wait)} would exceed the ${settings.timeoutMs} ms budget`, notes };
				}
				retriesLeft -= 1;
				notes.push(`${failure.reason}; retried after ${formatSeconds(wait)}`);
				await deadline.sleep(wait);
			}
		}
		return { failure: `no usable answer after ${MAX_ATTEMPTS} attempts`, notes };
	} catch (error) {
		return { failure: describe(deadline.reason() ?? error).reason, notes };
	} finally {
		deadline.dispose();
	}
}

// Each step asks again without what the provider refused. Servers differ: vLLM
// rejects schemas its grammar backend cannot compile, older Ollama and some proxies
// reject json_schema, reasoning models reject max_tokens and temperature 0.
function adjust(shape: RequestShape, rejected: RejectedParameter): string | undefined {
	if (rejected === 'response_format') {
		if (shape.responseFormat === 'json_schema') {
			shape.responseFormat = 'json_object';
			return 'asked again with response_format json_object';
		}
		if (shape.responseFormat === 'json_object') {
			shape.responseFormat = 'none';
			return 'asked again without response_format';
		}
		return undefined;
	}
	if (rejected === 'max_tokens' && shape.tokenParameter === 'max_tokens') {
		shape.tokenParameter = 'max_completion_tokens';
		return 'asked again with max_completion_tokens';
	}
	if (rejected === 'temperature' && shape.temperature) {
		shape.temperature = false;
		return 'asked again with the default temperature';
	}
	return undefined;
}

function backoffMs(retry: number): number {
	return Math.min(250 * 2 ** retry, 2_000);
}

function readOutcome(
	base: Base,
	exchange: { answer: ChatAnswer; shape: RequestShape; notes: string[] },
	facts: Facts | null,
	context: unknown,
	prompt: BuiltPrompt,
	limits: ResolvedLimits,
	knownSecrets: readonly string[],
	settings: Settings,
): AdviceResult {
	const { answer, notes } = exchange;
	const model = boundedText(answer.model ?? settings.connection.model, 120);
	const raw = answer.text === '' ? undefined : sanitizeString(answer.text, limits.maxRawChars, knownSecrets);
	const extras = { notes, model, usage: answer.usage, raw };
	if (answer.refusal !== null) return unavailable(base, 'output', `the model refused: ${sanitizeString(answer.refusal, 200, knownSecrets)}`, extras);
	if (answer.finishReason === 'content_filter') return unavailable(base, 'output', 'the provider\'s content filter stopped the answer', extras);
	if (answer.text.trim() === '') {
		const cutOff = answer.finishReason === 'length' ? ` before reaching the ${limits.maxOutputTokens}-token limit (finish_reason length)` : '';
		return unavailable(base, 'output', `the model returned no text${cutOff}`, extras);
	}
	const ok: AdviceOk = {
		status: 'ok',
		mode: base.mode,
		loop: base.loop,
		model,
		latencyMs: elapsed(base),
		sanitized: prompt.sanitized,
	};
	if (answer.usage !== undefined) ok.usage = answer.usage;
	if (notes.length > 0) ok.notes = notes;
	if (base.mode === 'explain') {
		const explanation = neutraliseMentions(sanitizeString(answer.text.replace(/^\s*<think>[\s\S]*?<\/think>/, '').trim(), limits.maxExplanationChars, knownSecrets));
		if (explanation.trim() === '') return unavailable(base, 'output', 'the model returned only its reasoning, no explanation', extras);
		ok.explanation = explanation;
		return ok;
	}
	if (facts === null) return unavailable(base, 'input', 'cannot bind a proposal: the context has no usable target');
	const validation = validateWithFacts(answer.text, facts, context, limits, model, knownSecrets);
	if (!validation.ok) {
		const cutOff = answer.finishReason === 'length' && validation.reason.startsWith('model output is not valid JSON') ? ` (the answer was cut off at the ${limits.maxOutputTokens}-token limit)` : '';
		return unavailable(base, 'output', `${validation.reason}${cutOff}`, extras);
	}
	ok.recommendation = validation.recommendation;
	ok.proposal = validation.proposal;
	ok.responseFormat = exchange.shape.responseFormat;
	if (raw !== undefined) ok.raw = raw;
	return ok;
}

function elapsed(base: Base): number {
	return Math.round(performance.now() - base.started);
}

function unavailable(
	base: Base,
	stage: AdviceUnavailable['stage'],
	reason: string,
	extras: { notes?: string[]; model?: string; usage?: AdviceUnavailable['usage']; raw?: string } = {},
): AdviceUnavailable {
	const result: AdviceUnavailable = { status: 'unavailable', mode: base.mode, loop: base.loop, reason, stage, latencyMs: elapsed(base) };
	if (extras.model !== undefined) result.model = extras.model;
	if (extras.raw !== undefined) result.raw = extras.raw;
	if (extras.usage !== undefined) result.usage = extras.usage;
	if (extras.notes !== undefined && extras.notes.length > 0) result.notes = extras.notes;
	return result;
}
