import { createHash } from 'node:crypto';

import { LoadBalancerError, errorCode, networkFailure } from './errors';

/**
 * Cloudflare's v4 API as the Load Balancing endpoints document it: JSON
 * bodies, the `{ success, errors, messages, result }` envelope, a Bearer API
 * token (or the legacy X-Auth-Email + X-Auth-Key), and a global rate limit of
 * 1,200 requests per 5 minutes per user that answers 429 once exceeded.
 */

export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';
export const RATE_LIMIT = 1200;
export const RATE_WINDOW_MS = 5 * 60 * 1000;
const DEFAULT_TIMEOUT_MS = 30_000;

export type CloudflareAuth = { type: 'token'; token: string } | { type: 'key'; email: string; key: string };

export interface CloudflareApiOptions {
	auth: CloudflareAuth;
	baseUrl?: string;
	timeoutMs?: number;
	/** Defaults to one limiter per credential for the whole process. */
	limiter?: RateLimiter;
}

interface Envelope<T> {
	success?: boolean;
	errors?: Array<{ code?: number; message?: string }>;
	messages?: Array<{ code?: number; message?: string }>;
	result?: T;
}

/**
 * Counts our own requests in a sliding 5-minute window, so a loop that would
 * cross Cloudflare's limit stops here with a clear error, before Cloudflare
 * blocks every call of this user (dashboard included) for five minutes.
 * After a 429 it refuses until Cloudflare's Retry-After has passed.
 */
export class RateLimiter {
	private readonly sent: number[] = [];
	private blockedUntil = 0;

	constructor(
		readonly limit = RATE_LIMIT,
		readonly windowMs = RATE_WINDOW_MS,
		private readonly now: () => number = Date.now,
	) {}

	/** Seconds to wait before the next request may go, or 0 and the request is counted. */
	take(): number {
		const now = this.now();
		if (now < this.blockedUntil) return Math.ceil((this.blockedUntil - now) / 1000);
		while (this.sent.length && this.sent[0] <= now - this.windowMs) this.sent.shift();
		if (this.sent.length >= this.limit) return Math.max(1, Math.ceil((this.sent[0] + this.windowMs - now) / 1000));
		this.sent.push(now);
		return 0;
	}

	block(seconds: number): void {
		this.blockedUntil = Math.max(this.blockedUntil, this.now() + seconds * 1000);
	}
}

const limiters = new Map<string, RateLimiter>();

function sharedLimiter(auth: CloudflareAuth): RateLimiter {
	// Cloudflare counts per user; the credential stands in for the user. Hashed, so no secret is kept as a key.
	const identity = createHash('sha256').update(auth.type === 'token' ? `t:${auth.token}` : `k:${auth.email}:${auth.key}`).digest('hex');
	let limiter = limiters.get(identity);
	if (!limiter) {
		limiter = new RateLimiter();
		limiters.set(identity, limiter);
	}
	return limiter;
}

export class CloudflareApi {
	readonly baseUrl: string;
	private readonly limiter: RateLimiter;
	private readonly timeoutMs: number;

	constructor(private readonly options: CloudflareApiOptions) {
		this.baseUrl = (options.baseUrl || CLOUDFLARE_API).replace(/\/+$/, '');
		this.limiter = options.limiter ?? sharedLimiter(options.auth);
		this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	}

	get<T>(path: string, what: string): Promise<T> {
		return this.request<T>('GET', path, undefined, what);
	}

	patch<T>(path: string, body: unknown, what: string): Promise<T> {
		return this.request<T>('PATCH', path, body, what);
	}

	post<T>(path: string, body: unknown, what: string): Promise<T> {
		return this.request<T>('POST', path, body, what);
	}

	async request<T>(method: string, path: string, body: unknown, what: string): Promise<T> {
		const wait = this.limiter.take();
		if (wait > 0) throw this.rateLimited(what, wait, 'this client stopped before sending');
		let response: Response;
		try {
			response = await fetch(`${this.baseUrl}${path}`, {
				method,
				headers: { ...this.authHeaders(), Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(this.timeoutMs),
			});
		} catch (error) {
			const timedOut = (error as Error)?.name === 'TimeoutError' || errorCode(error) === 'UND_ERR_CONNECT_TIMEOUT';
			throw new LoadBalancerError({
				provider: 'cloudflare',
				kind: timedOut ? 'timeout' : 'unreachable',
				object: what,
				cause: timedOut ? `no answer from ${this.baseUrl} within ${this.timeoutMs} ms` : `cannot reach ${this.baseUrl}: ${networkFailure(error)}`,
				fix: 'Check the API base URL and that this host can reach api.cloudflare.com over HTTPS.',
			});
		}
		const text = await response.text();
		let envelope: Envelope<T> | undefined;
		try {
			envelope = JSON.parse(text) as Envelope<T>;
		} catch {
			envelope = undefined;
		}
		if (response.status === 429) {
			const seconds = retryAfterSeconds(response.headers) ?? RATE_WINDOW_MS / 1000;
			this.limiter.block(seconds);
			throw this.rateLimited(what, seconds, `Cloudflare answered 429${envelope ? ` (${errorText(envelope)})` : ''}`);
		}
		if (!envelope || typeof envelope !== 'object') {
			throw new LoadBalancerError({
				provider: 'cloudflare',
				kind: 'api',
				object: what,
				cause: `HTTP ${response.status} with a body that is not a Cloudflare API answer: ${text.slice(0, 200)}`,
				fix: 'Check that the base URL is the v4 API root (https://api.cloudflare.com/client/v4).',
				httpStatus: response.status,
			});
		}
		if (!response.ok || envelope.success !== true) {
			const status = response.status;
			const kind = status === 401 || status === 403 ? 'permission' : status === 404 ? 'not_found' : status >= 400 && status < 500 ? 'invalid' : 'api';
			throw new LoadBalancerError({
				provider: 'cloudflare',
				kind,
				object: what,
				cause: `HTTP ${status}: ${errorText(envelope) || 'no error text'}`,
				fix:
					kind === 'permission'
						? 'The API token needs "Load Balancing: Monitors and Pools Write" on the account, and "Load Balancers Read" on the zone for pool changes checked against a load balancer.'
						: kind === 'not_found'
							? 'Check the account ID, zone ID and the pool or load balancer ID.'
							: 'Cloudflare refused the request; its error text says why.',
				httpStatus: status,
			});
		}
		return envelope.result as T;
	}

	private authHeaders(): Record<string, string> {
		const { auth } = this.options;
		return auth.type === 'token' ? { Authorization: `Bearer ${auth.token}` } : { 'X-Auth-Email': auth.email, 'X-Auth-Key': auth.key };
	}

	private rateLimited(what: string, seconds: number, how: string): LoadBalancerError {
		return new LoadBalancerError({
			provider: 'cloudflare',
			kind: 'rate_limited',
			object: what,
			cause: `rate limited: Cloudflare allows ${RATE_LIMIT} API requests per 5 minutes per user and blocks all calls for up to 5 minutes beyond that (${how}); retry after ${seconds} s`,
			fix: 'Wait and retry; spread scheduled runs out, or use one Cloudflare user per automation so one loop cannot lock out the others.',
			httpStatus: 429,
			retryAfterSeconds: seconds,
		});
	}
}

function errorText(envelope: Envelope<unknown>): string {
	return (envelope.errors ?? []).map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
}

function retryAfterSeconds(headers: Headers): number | undefined {
	const value = headers.get('retry-after');
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
