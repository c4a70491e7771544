import OpenAI, { AzureOpenAI } from 'openai';

import type { ChatMessage } from './prompt';
import type { ProposalSchema } from './schema';
import type { AdviceUsage, LlmConnection, ResponseFormatLevel } from './types';

/** The optional parts of a request, which providers differ on and we may have to change. */
export interface RequestShape {
	responseFormat: ResponseFormatLevel;
	tokenParameter: 'max_tokens' | 'max_completion_tokens';
	temperature: boolean;
}

export interface ChatAnswer {
	text: string;
	finishReason: string | null;
	refusal: string | null;
	model: string | null;
	usage?: AdviceUsage;
}

// Local servers (Ollama, vLLM without --api-key) ignore the key, but the SDK
// refuses to start without one. This placeholder is what they receive instead.
const NO_KEY = 'no-key';

/**
 * An SDK client that never retries on its own (our retries share the call's
 * budget), never reads OPENAI_* organisation settings from the environment and
 * never logs: its debug log would print the prompt.
 */
export function createClient(connection: LlmConnection, fetchImpl: typeof fetch, timeoutMs: number): OpenAI {
	const common = {
		apiKey: connection.apiKey === '' ? NO_KEY : connection.apiKey,
		maxRetries: 0,
		timeout: timeoutMs,
		fetch: fetchImpl,
		logLevel: 'off' as const,
		organization: null,
		project: null,
	};
	if (connection.azure !== undefined) {
		const base = connection.baseUrl.replace(/\/+$/, '');
		// A resource endpoint gets /openai appended by the SDK; a URL that already names the API path is used as is.
		const location = /\/openai(\/|$)/.test(new URL(base).pathname) ? { baseURL: base } : { endpoint: base };
		return new AzureOpenAI({
			...common,
			...location,
			apiVersion: connection.azure.apiVersion,
			deployment: connection.azure.deployment ?? connection.model,
		});
	}
	return new OpenAI({ ...common, baseURL: connection.baseUrl });
}

export function chatBody(model: string, messages: ChatMessage[], shape: RequestShape, schema: ProposalSchema | undefined, maxTokens: number): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
	const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = { model, messages, n: 1, stream: false };
	body[shape.tokenParameter] = maxTokens;
	// Deterministic sampling: the same incident should get the same advice.
	if (shape.temperature) body.temperature = 0;
	if (schema !== undefined && shape.responseFormat === 'json_schema') {
		body.response_format = { type: 'json_schema', json_schema: { name: schema.name, schema: schema.schema, strict: true } };
	} else if (schema !== undefined && shape.responseFormat === 'json_object') {
		body.response_format = { type: 'json_object' };
	}
	return body;
}

export class MalformedAnswer extends Error {}

/** The parts of a chat completion we use, checked: a proxy or a misconfigured base URL can answer 200 with anything. */
export function readAnswer(completion: unknown): ChatAnswer {
	if (typeof completion !== 'object' || completion === null) {
		throw new MalformedAnswer('the answer is not a chat completion object (is the base URL an OpenAI-compatible API, usually ending in /v1?)');
	}
	const record = completion as Record<string, unknown>;
	const choices = record.choices;
	if (!Array.isArray(choices) || choices.length === 0) throw new MalformedAnswer('the answer has no choices');
	const choice = choices[0] as Record<string, unknown> | null;
	const message = (typeof choice === 'object' && choice !== null ? choice.message : undefined) as Record<string, unknown> | undefined;
	if (typeof message !== 'object' || message === null) throw new MalformedAnswer('the first choice has no message');
	const content = message.content;
	const text = typeof content === 'string' ? content : Array.isArray(content) ? joinParts(content) : '';
	const finishReason = typeof choice?.finish_reason === 'string' ? choice.finish_reason : null;
	const refusal = typeof message.refusal === 'string' && message.refusal !== '' ? message.refusal : null;
	return { text, finishReason, refusal, model: typeof record.model === 'string' ? record.model : null, usage: readUsage(record.usage) };
}

function joinParts(parts: unknown[]): string {
	return parts
		.map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
		.join('');
}

function readUsage(usage: unknown): AdviceUsage | undefined {
	if (typeof usage !== 'object' || usage === null) return undefined;
	const record = usage as Record<string, unknown>;
	const result: AdviceUsage = {};
	const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);
	const prompt = count(record.prompt_tokens);
	const completion = count(record.completion_tokens);
	const total = count(record.total_tokens);
	if (prompt !== undefined) result.promptTokens = prompt;
	if (completion !== undefined) result.completionTokens = completion;
	if (total !== undefined) result.totalTokens = total;
	return Object.keys(result).length > 0 ? result : undefined;
}
