import { APIConnectionError, APIConnectionTimeoutError } from 'openai';

import { Cancelled, DeadlineExceeded } from './deadline';
import { redactSecrets } from './secrets';
import { cleanText } from './text';
import { ResponseTooLargeError, type CapturedError } from './transport';
import { networkCauseInWords } from '../shared/networkCauses';

export type FailureKind =
	| 'timeout'
	| 'cancelled'
	| 'rate_limited'
	| 'server'
	| 'auth'
	| 'not_found'
	| 'bad_request'
	| 'connection'
	| 'too_large'
	| 'bad_response';

/** A parameter the provider refused that we can change and ask again without. */
export type RejectedParameter = 'response_format' | 'max_tokens' | 'temperature';

export interface ProviderFailure {
	kind: FailureKind;
	/** SRE-readable, starts with the cause: "timeout after 8000 ms", "HTTP 429 rate limited by the provider". */
	reason: string;
	status?: number;
	retryable: boolean;
	retryAfterMs?: number;
	rejectedParameter?: RejectedParameter;
}

export interface FailureContext {
	baseUrl: string;
	model: string;
	knownSecrets: readonly string[];
	captured?: CapturedError;
	tooLarge?: number;
}


const FORMAT_WORDS = /response_format|json_schema|json schema|json_object|structured output|guided|grammar|xgrammar|outlines|\bschema\b/i;

export function describeFailure(error: unknown, budgetMs: number, context: FailureContext): ProviderFailure {
	if (error instanceof DeadlineExceeded || error instanceof APIConnectionTimeoutError) {
		return { kind: 'timeout', reason: `timeout after ${budgetMs} ms waiting for the model ${quote(context.model)} at ${host(context.baseUrl)}`, retryable: false };
	}
	if (error instanceof Cancelled) return { kind: 'cancelled', reason: 'cancelled before the model answered (the execution was stopped)', retryable: false };
	if (error instanceof ResponseTooLargeError || context.tooLarge !== undefined) {
		return { kind: 'too_large', reason: `the provider's answer is larger than ${context.tooLarge ?? (error as ResponseTooLargeError).limit} bytes; refused unread`, retryable: false };
	}
	const status = statusOf(error) ?? context.captured?.status;
	if (status !== undefined) return httpFailure(status, context);
	const code = networkCode(error);
	if (code !== undefined) {
		return { kind: 'connection', reason: `cannot reach the provider at ${host(context.baseUrl)}: ${networkCauseInWords(code) ?? code.toLowerCase().replace(/_/g, ' ')}`, retryable: true };
	}
	if (error instanceof APIConnectionError) {
		return { kind: 'connection', reason: `cannot reach the provider at ${host(context.baseUrl)}: ${providerText(error instanceof Error ? error.message : '', context) || 'connection error'}`, retryable: true };
	}
	const message = error instanceof Error ? error.message : String(error);
	return { kind: 'bad_response', reason: `unexpected answer from the provider at ${host(context.baseUrl)}: ${providerText(message, context)}`, retryable: false };
}

function httpFailure(status: number, context: FailureContext): ProviderFailure {
	const captured = context.captured?.status === status ? context.captured : undefined;
	const detail = providerMessage(captured, context);
	const suffix = detail ? `: ${detail}` : '';
	if (status === 429) {
		const retryAfterMs = retryAfter(captured?.headers);
		const wait = retryAfterMs === undefined ? '' : ` (Retry-After ${formatSeconds(retryAfterMs)})`;
		return { kind: 'rate_limited', status, reason: `HTTP 429 rate limited by the provider${wait}${suffix}`, retryable: true, retryAfterMs };
	}
	if (status >= 500) {
		const what = status === 502 || status === 503 || status === 504 ? 'provider unavailable' : 'provider server error';
		return { kind: 'server', status, reason: `HTTP ${status} ${what}${suffix}`, retryable: true, retryAfterMs: retryAfter(captured?.headers) };
	}
	if (status === 401 || status === 403) {
		return { kind: 'auth', status, reason: `HTTP ${status} ${status === 401 ? 'authentication failed' : 'permission denied'}: check the API key in the credential${suffix}`, retryable: false };
	}
	if (status === 404) {
		return {
			kind: 'not_found',
			status,
			reason: `HTTP 404 not found at ${host(context.baseUrl)}: check the base URL (OpenAI-compatible servers usually end in /v1) and the model name ${quote(context.model)}${suffix}`,
			retryable: false,
		};
	}
	const failure: ProviderFailure = { kind: 'bad_request', status, reason: `HTTP ${status} request rejected by the provider${suffix}`, retryable: false };
	if (status === 400 || status === 422) {
		const rejected = rejectedParameter(captured);
		if (rejected !== undefined) failure.rejectedParameter = rejected;
	}
	return failure;
}

// Providers name the parameter they refuse in their message (OpenAI also in
// error.param); vLLM and Ollama word an unsupported schema in several ways.
function rejectedParameter(captured: CapturedError | undefined): RejectedParameter | undefined {
	const body = captured?.body ?? '';
	const param = errorField(body, 'param');
	const text = `${typeof param === 'string' ? param : ''} ${errorMessage(body) ?? body}`;
	if (/\bmax_tokens\b/.test(text)) return 'max_tokens';
	if (/\btemperature\b/.test(text)) return 'temperature';
	if (FORMAT_WORDS.test(text) || body.trim() === '') return 'response_format';
	return undefined;
}

function providerMessage(captured: CapturedError | undefined, context: FailureContext): string {
	if (captured === undefined) return '';
	return providerText(errorMessage(captured.body) ?? captured.body, context);
}

/** The message in an OpenAI ({error:{message}}), vLLM ({message}) or Ollama ({error:"..."}) error body. */
export function errorMessage(body: string): string | undefined {
	const parsed = safeJson(body);
	if (typeof parsed !== 'object' || parsed === null) return undefined;
	const record = parsed as Record<string, unknown>;
	const error = record.error;
	if (typeof error === 'string') return error;
	if (typeof error === 'object' && error !== null && typeof (error as Record<string, unknown>).message === 'string') return (error as Record<string, string>).message;
	if (typeof record.message === 'string') return record.message;
	if (typeof record.detail === 'string') return record.detail;
	return undefined;
}

function errorField(body: string, field: string): unknown {
	const parsed = safeJson(body);
	if (typeof parsed !== 'object' || parsed === null) return undefined;
	const error = (parsed as Record<string, unknown>).error;
	if (typeof error === 'object' && error !== null) return (error as Record<string, unknown>)[field];
	return (parsed as Record<string, unknown>)[field];
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

// Provider text is shown to operators and may echo what we sent (OpenAI's 401
// quotes part of the key): cleaned, bounded, stripped of secrets, one line.
function providerText(text: string, context: FailureContext): string {
	// Trailing full stops go: the text is embedded mid-sentence in our reason.
	const oneLine = cleanText(text).replace(/\s+/g, ' ').trim().replace(/[.\s]+$/, '');
	const redacted = redactSecrets(oneLine, context.knownSecrets).text;
	return redacted.length > 240 ? `${redacted.slice(0, 240)}…` : redacted;
}

export function retryAfter(headers: Headers | undefined): number | undefined {
	if (headers === undefined) return undefined;
	const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
	if (Number.isFinite(ms) && ms >= 0) return ms;
	const value = headers.get('retry-after');
	if (value === null) return undefined;
	const seconds = Number(value.trim());
	if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(value);
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export function formatSeconds(ms: number): string {
	return `${Number((ms / 1000).toFixed(2))} s`;
}

function statusOf(error: unknown): number | undefined {
	if (typeof error !== 'object' || error === null) return undefined;
	const status = (error as { status?: unknown }).status;
	return typeof status === 'number' && status >= 100 && status <= 599 ? status : undefined;
}

function networkCode(error: unknown): string | undefined {
	for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 6; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function host(baseUrl: string): string {
	try {
		const url = new URL(baseUrl);
		return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
	} catch {
		return 'the configured base URL';
	}
}

function quote(text: string): string {
	return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
