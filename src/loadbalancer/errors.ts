import { networkCauseInWords } from '../shared/networkCauses';
import type { ProviderName } from './types';

export type LoadBalancerErrorKind =
	| 'refused' // a safety rule said no (last serving server, verdict mismatch)
	| 'not_found' // no such backend, server, pool, origin, route
	| 'unreachable' // the API address does not answer
	| 'timeout'
	| 'permission' // 401/403, or an HAProxy socket below level admin
	| 'rate_limited' // Cloudflare's 1,200 requests per 5 minutes
	| 'conflict' // a concurrent writer won every retry
	| 'invalid' // a weight or name the provider cannot take
	| 'not_applied' // the read-back does not show the change
	| 'unsupported' // the provider has no such operation for this kind of server
	| 'api'; // anything else the provider answered

/**
 * Every failure names the provider, the object and the cause, so the line in
 * an alert channel alone says what went wrong where: "haproxy
 * 127.0.0.1:9999 be_app/us-east: No such server.".
 */
export class LoadBalancerError extends Error {
	readonly provider: ProviderName;
	readonly kind: LoadBalancerErrorKind;
	/** What the operation was about: `be_app/us-east`, `httproute shop/checkout`, `pool eu-west`. */
	readonly object: string;
	/** The cause, in the provider's words where it gave any. */
	readonly reason: string;
	/** What an operator can do about it. */
	readonly fix?: string;
	readonly httpStatus?: number;
	/** Seconds until the provider accepts requests again (rate limits). */
	readonly retryAfterSeconds?: number;

	constructor(args: {
		provider: ProviderName;
		kind: LoadBalancerErrorKind;
		object: string;
		cause: string;
		fix?: string;
		httpStatus?: number;
		retryAfterSeconds?: number;
	}) {
		super(`${args.provider} ${args.object}: ${args.cause}`);
		this.name = 'LoadBalancerError';
		this.provider = args.provider;
		this.kind = args.kind;
		this.object = args.object;
		this.reason = args.cause;
		this.fix = args.fix;
		this.httpStatus = args.httpStatus;
		this.retryAfterSeconds = args.retryAfterSeconds;
	}

	toJSON(): Record<string, unknown> {
		return {
			message: this.message,
			provider: this.provider,
			kind: this.kind,
			object: this.object,
			cause: this.reason,
			...(this.fix ? { fix: this.fix } : {}),
			...(this.httpStatus !== undefined ? { httpStatus: this.httpStatus } : {}),
			...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
		};
	}
}

/** The errno-style code of a socket or fetch failure, wherever the library put it. */
export function errorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * A network failure in words. Raw codes stay out of the text: n8n replaces a
 * message that contains one with a generic sentence that hides the address.
 */
export function networkFailure(error: unknown): string {
	const code = errorCode(error);
	const words = networkCauseInWords(code);
	if (words) return words;
	const message = error instanceof Error ? error.message : String(error);
	return code ? message.replace(code, 'network error') : message;
}
