import * as https from 'node:https';
import axios, { AxiosInstance } from 'axios';

import { rememberSecret } from '../shared/redact';
import { PrometheusError, toPrometheusError } from './errors';
import type { PrometheusConnection } from './types';

export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * One response at most: 11,000 points (Prometheus's cap per request) for a
 * couple of hundred series is about 60 MB of JSON, which is what 30 days at
 * 1 min needs per chunk. Past it the reply is refused before it is parsed.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Series one query may return, across all chunks of a range. */
export const DEFAULT_MAX_SERIES = 1_000;

interface ApiEnvelope<T> {
	status: 'success' | 'error';
	data?: T;
	errorType?: string;
	error?: string;
	warnings?: string[];
	infos?: string[];
}

export interface ApiAnswer<T> {
	data: T;
	/** Prometheus warnings and (v3) infos, verbatim. */
	warnings: string[];
}

/** One configured HTTP client per connection: auth, tenant headers, TLS and timeout in one place. */
export class PrometheusTransport {
	readonly baseUrl: string;
	readonly timeoutMs: number;
	readonly maxResponseBytes: number;
	readonly maxSeries: number;
	private readonly http: AxiosInstance;

	constructor(connection: PrometheusConnection) {
		this.baseUrl = normaliseBaseUrl(connection.baseUrl);
		this.timeoutMs = connection.timeoutMs && connection.timeoutMs > 0 ? connection.timeoutMs : DEFAULT_TIMEOUT_MS;
		const headers: Record<string, string> = { Accept: 'application/json', ...(connection.headers ?? {}) };
		const auth = connection.auth ?? { type: 'none' };
		// Every path to Prometheus (nodes, CLI) passes here: its secrets are removed from any later error or log.
		rememberSecret(auth.type === 'bearer' ? auth.token : undefined, auth.type === 'basic' ? auth.password : undefined, ...Object.values(connection.headers ?? {}));
		if (auth.type === 'bearer') headers.Authorization = `Bearer ${auth.token}`;
		const ca = connection.caCertificate?.trim();
		this.maxSeries = connection.maxSeries && connection.maxSeries > 0 ? Math.floor(connection.maxSeries) : DEFAULT_MAX_SERIES;
		this.maxResponseBytes = connection.maxResponseBytes && connection.maxResponseBytes > 0 ? connection.maxResponseBytes : DEFAULT_MAX_RESPONSE_BYTES;
		this.http = axios.create({
			baseURL: this.baseUrl,
			timeout: this.timeoutMs,
			headers,
			auth: auth.type === 'basic' ? { username: auth.username, password: auth.password } : undefined,
			httpsAgent: new https.Agent({
				ca: ca ? ca : undefined,
				rejectUnauthorized: !connection.skipTlsVerification,
			}),
			// A proxy from the environment would silently route cluster-internal
			// Prometheus traffic elsewhere; n8n users configure the URL explicitly.
			proxy: false,
			validateStatus: (status) => status >= 200 && status < 300,
			maxContentLength: this.maxResponseBytes,
			// A redirect would carry the credentials to wherever the server points.
			maxRedirects: 0,
		});
	}

	/** GET or form-POST an /api/v1 path and unwrap Prometheus's envelope. */
	async call<T>(
		method: 'GET' | 'POST',
		path: string,
		params: Record<string, string>,
		query?: string,
	): Promise<ApiAnswer<T>> {
		const context = { baseUrl: this.baseUrl, path, query, timeoutMs: this.timeoutMs };
		let body: ApiEnvelope<T>;
		try {
			const response =
				method === 'POST'
					? await this.http.post<ApiEnvelope<T>>(path, new URLSearchParams(params).toString(), {
							headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
						})
					: await this.http.get<ApiEnvelope<T>>(path, { params });
			body = response.data;
		} catch (error) {
			if (/maxContentLength/.test(String((error as Error)?.message))) {
				throw new PrometheusError({
					kind: 'bad_response',
					query,
					summary: `Prometheus at ${this.baseUrl} answered ${path} with more than ${this.maxResponseBytes} bytes${query === undefined ? '' : ` for query "${query.slice(0, 200)}"`}`,
					fix: 'Select fewer series (more specific label matchers, sum by (...)), use a larger step or a shorter range, or raise the response size limit (node option Max Response Size)',
				});
			}
			throw toPrometheusError(error, context);
		}
		if (typeof body !== 'object' || body === null || body.status !== 'success' || body.data === undefined) {
			if (typeof body === 'object' && body !== null && body.status === 'error') {
				throw toPrometheusError({ response: { status: 200, data: body } }, context);
			}
			throw new PrometheusError({
				kind: 'bad_response',
				query,
				summary: `${this.baseUrl}${path} did not answer like the Prometheus HTTP API (got ${describe(body)})`,
				fix: 'Point the base URL at a Prometheus-compatible server root (Prometheus, Thanos Query, Mimir/Cortex with their /prometheus prefix, VictoriaMetrics)',
			});
		}
		return { data: body.data, warnings: [...(body.warnings ?? []), ...(body.infos ?? [])] };
	}
}

function normaliseBaseUrl(url: string): string {
	const trimmed = String(url ?? '').trim().replace(/\/+$/, '');
	let parsed: URL;
	try {
		parsed = new URL(trimmed);
	} catch {
		throw new PrometheusError({
			kind: 'unreachable',
			summary: `The Prometheus base URL "${url}" is not a URL`,
			fix: 'Use the server root with its scheme, e.g. http://prometheus.monitoring.svc:9090',
		});
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new PrometheusError({
			kind: 'unreachable',
			summary: `The Prometheus base URL "${url}" uses ${parsed.protocol} instead of http: or https:`,
			fix: 'Use the server root with its scheme, e.g. http://prometheus.monitoring.svc:9090',
		});
	}
	return trimmed.replace(/\/api\/v1$/, '');
}

function describe(body: unknown): string {
	if (typeof body === 'string') return `text "${body.trim().slice(0, 80)}"`;
	if (body === null || body === undefined) return 'an empty body';
	return `JSON with keys ${Object.keys(body as object).slice(0, 5).join(', ') || '(none)'}`;
}
