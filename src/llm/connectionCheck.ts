import { redact, rememberSecret } from '../shared/redact';
import { advise } from './advise';
import type { LlmConnection } from './types';

/**
 * What the credential test runs: one tiny Explain request through the same
 * client, fallbacks and error mapping as real advice, so "connected" means
 * advice will work (a models list alone passes on servers that cannot chat).
 */
export async function checkLlmConnection(connection: LlmConnection): Promise<{ ok: boolean; message: string }> {
	const result = await advise({
		mode: 'explain',
		loop: 'scaling',
		connection: { ...connection, timeoutMs: connection.timeoutMs ?? 15_000 },
		context: {
			target: { cluster: 'test', namespace: 'test', kind: 'Deployment', name: 'connection-test' },
			current: { replicas: 1 },
			deterministic: { replicas: 1 },
		},
	});
	return result.status === 'ok'
		? { ok: true, message: `Connected: model ${result.model} answered in ${result.latencyMs} ms` }
		: { ok: false, message: result.reason };
}

/** The credential's fields (plain data) as a connection. */
export function llmConnectionFromCredential(fields: Record<string, unknown>, overrides: Partial<LlmConnection> = {}): LlmConnection {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const apiVersion = text(fields.azureApiVersion);
	const baseUrl = text(fields.baseUrl);
	if (/^http:/i.test(baseUrl) && fields.allowInsecure !== true) {
		throw new Error(
			redact(`The LLM base URL ${baseUrl} is plain http (prompts and the API key travel unencrypted), and the credential does not allow that: use https, or turn on "Allow Insecure Connection" for a local server on a trusted network path (Ollama, vLLM)`),
		);
	}
	rememberSecret(fields.apiKey);
	return {
		apiKey: text(fields.apiKey),
		baseUrl,
		model: text(fields.model),
		azure: apiVersion ? { apiVersion } : undefined,
		...overrides,
	};
}
