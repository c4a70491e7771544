import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One instance of a service, as the ops loops see it through Prometheus:
 * `/` answers with the instance's name, `/metrics` exposes the two series a
 * typical HTTP middleware exports (a request counter by status code and a
 * latency histogram), `/healthz` is what HAProxy checks. Region and track are
 * not labels of the app's own metrics: in a cluster they come from the scrape
 * (target labels), and so they do here.
 */

export type Track = 'stable' | 'canary';

export interface AppOptions {
	/** Instance name, answered on `/` and in X-Instance (e.g. `checkout-us-east`). */
	name: string;
	region: string;
	track: Track;
	/** Service name, for the caller's bookkeeping (default: name). */
	service?: string;
}

export interface App {
	name: string;
	service: string;
	region: string;
	track: Track;
	port: number;
	url: string;
	/** Fraction (0-1) of requests on `/` that answer 500. */
	setErrorRate(fraction: number): void;
	/** Extra time each request on `/` takes before answering. */
	setLatencyMs(ms: number): void;
	/** false: `/healthz` answers 503, so HAProxy takes the server out. */
	setHealthy(healthy: boolean): void;
	settings(): { errorRate: number; latencyMs: number; healthy: boolean };
	/** Requests answered on `/`, by status code (what http_requests_total says). */
	counts(): Record<string, number>;
	close(): Promise<void>;
}

/** Prometheus client libraries' default buckets up to 2.5 s: the range an HTTP service's latency SLO lives in. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class RequestMetrics {
	// 200 and 500 exported from the start, at 0: an error ratio is then 0 rather than "no data"
	// before the first error, and rate() sees the first error as an increase.
	private readonly byCode = new Map<string, number>([
		['200', 0],
		['500', 0],
	]);
	private readonly buckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);
	private count = 0;
	private sum = 0;

	observe(code: number, seconds: number): void {
		this.byCode.set(String(code), (this.byCode.get(String(code)) ?? 0) + 1);
		this.count += 1;
		this.sum += seconds;
		// Cumulative buckets: an observation lands in every bucket whose bound is at or above it.
		LATENCY_BUCKETS.forEach((bound, i) => {
			if (seconds <= bound) this.buckets[i] += 1;
		});
	}

	counts(): Record<string, number> {
		return Object.fromEntries([...this.byCode].sort(([a], [b]) => a.localeCompare(b)));
	}

	/** Text exposition format 0.0.4. */
	render(): string {
		const lines = ['# HELP http_requests_total Total HTTP requests served, by status code.', '# TYPE http_requests_total counter'];
		for (const [code, n] of Object.entries(this.counts())) lines.push(`http_requests_total{code="${code}"} ${n}`);
		lines.push('# HELP http_request_duration_seconds HTTP request latency.', '# TYPE http_request_duration_seconds histogram');
		LATENCY_BUCKETS.forEach((bound, i) => lines.push(`http_request_duration_seconds_bucket{le="${bound}"} ${this.buckets[i]}`));
		lines.push(`http_request_duration_seconds_bucket{le="+Inf"} ${this.count}`);
		lines.push(`http_request_duration_seconds_sum ${this.sum}`, `http_request_duration_seconds_count ${this.count}`);
		return lines.join('\n') + '\n';
	}
}

export async function startApp(options: AppOptions): Promise<App> {
	const metrics = new RequestMetrics();
	const state = { errorRate: 0, latencyMs: 0, healthy: true };
	const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Instance': options.name, 'X-Region': options.region, 'X-Track': options.track };
	const server = http.createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://app').pathname;
		if (path === '/metrics') {
			res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
			res.end(metrics.render());
			return;
		}
		if (path === '/healthz') {
			res.writeHead(state.healthy ? 200 : 503, headers);
			res.end(state.healthy ? 'ok' : 'unhealthy');
			return;
		}
		const started = process.hrtime.bigint();
		// Decided on arrival, so a rate change applies from the next request on.
		const code = Math.random() < state.errorRate ? 500 : 200;
		setTimeout(() => {
			res.writeHead(code, headers);
			res.end(code === 200 ? options.name : `${options.name}: injected error`);
			metrics.observe(code, Number(process.hrtime.bigint() - started) / 1e9);
		}, state.latencyMs);
	});
	server.keepAliveTimeout = 1000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	let closed: Promise<void> | undefined;
	return {
		name: options.name,
		service: options.service ?? options.name,
		region: options.region,
		track: options.track,
		port,
		url: `http://127.0.0.1:${port}`,
		setErrorRate: (fraction) => {
			if (!(fraction >= 0 && fraction <= 1)) throw new Error(`error rate must be a fraction from 0 to 1, got ${fraction}`);
			state.errorRate = fraction;
		},
		setLatencyMs: (ms) => {
			if (!(ms >= 0)) throw new Error(`latency must be >= 0 ms, got ${ms}`);
			state.latencyMs = ms;
		},
		setHealthy: (healthy) => {
			state.healthy = healthy;
		},
		settings: () => ({ ...state }),
		counts: () => metrics.counts(),
		close: () => {
			closed ??= new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return closed;
		},
	};
}
