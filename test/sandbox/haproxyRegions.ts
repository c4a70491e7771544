import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HaproxyOptions, LocalHaproxy, startHaproxy } from './haproxy';

/**
 * Small HTTP servers that stand for two regions behind HAProxy. Each one
 * answers with its name, records every request (health checks aside) with
 * when it arrived and finished, and serves `/slow?ms=<n>` to keep a request
 * in flight while a test drains the region.
 */

export interface RegionRequest {
	path: string;
	arrivedAt: number;
	finishedAt?: number;
}

export interface Region {
	name: string;
	port: number;
	requests: RegionRequest[];
	/** Requests in flight right now. */
	active(): number;
	close(): Promise<void>;
}

export async function startRegion(name: string): Promise<Region> {
	const requests: RegionRequest[] = [];
	let active = 0;
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://region');
		if (url.pathname === '/healthz') {
			res.end('ok');
			return;
		}
		const record: RegionRequest = { path: url.pathname + url.search, arrivedAt: Date.now() };
		requests.push(record);
		active += 1;
		const delay = url.pathname === '/slow' ? Number(url.searchParams.get('ms') ?? 2000) : 0;
		setTimeout(() => {
			res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Region': name });
			res.end(name);
			record.finishedAt = Date.now();
			active -= 1;
		}, delay);
	});
	server.keepAliveTimeout = 1000;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		name,
		port: (server.address() as AddressInfo).port,
		requests,
		active: () => active,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

export interface Answer {
	status: number;
	body: string;
	startedAt: number;
}

/** One GET on a fresh connection (no client keep-alive to blur which request went where). */
export function get(url: string): Promise<Answer> {
	const startedAt = Date.now();
	return new Promise((resolve, reject) => {
		const request = http.get(url, { agent: false, headers: { Connection: 'close' } }, (res) => {
			let body = '';
			res.on('data', (chunk: Buffer) => (body += chunk.toString()));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body, startedAt }));
		});
		request.on('error', reject);
		request.setTimeout(30_000, () => request.destroy(new Error(`GET ${url} timed out`)));
	});
}

/** Sends `count` requests one after another and tallies which region answered. */
export async function sendMany(url: string, count: number): Promise<Record<string, number>> {
	const tally: Record<string, number> = {};
	for (let i = 0; i < count; i++) {
		const answer = await get(url);
		const key = answer.status === 200 ? answer.body : `HTTP ${answer.status}`;
		tally[key] = (tally[key] ?? 0) + 1;
	}
	return tally;
}

export interface RegionsBehindHaproxy {
	east: Region;
	west: Region;
	haproxy: LocalHaproxy;
	/** Stops whatever was started, in reverse order. */
	stop: () => Promise<void>;
}

/** The standard traffic stack: two "regions" (us-east, us-west) behind one real HAProxy backend. */
export async function startRegionsBehindHaproxy(
	extraBackends?: (regions: { east: Region; west: Region }) => HaproxyOptions['extraBackends'],
): Promise<RegionsBehindHaproxy> {
	const [east, west] = await Promise.all([startRegion('us-east'), startRegion('us-west')]);
	let haproxy: LocalHaproxy;
	try {
		haproxy = await startHaproxy({
			servers: [
				{ name: 'us-east', port: east.port },
				{ name: 'us-west', port: west.port },
			],
			extraBackends: extraBackends?.({ east, west }),
		});
	} catch (error) {
		await Promise.all([east.close(), west.close()]);
		throw error;
	}
	return {
		east,
		west,
		haproxy,
		stop: async () => {
			await haproxy.stop();
			await Promise.all([east.close(), west.close()]);
		},
	};
}
