import * as http from 'node:http';
import * as net from 'node:net';

/**
 * Network peers that real Prometheus cannot play: a host that accepts and
 * never answers, a non-Prometheus web page, and a Mimir-style gateway that
 * enforces a bearer token and tenant header in front of the real server.
 */

export interface Stub {
	url: string;
	close: () => Promise<void>;
}

function listen(server: net.Server): Promise<number> {
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
	return () =>
		new Promise((resolve) => {
			sockets.forEach((s) => s.destroy());
			server.close(() => resolve());
		});
}

function tracked(server: net.Server): Set<net.Socket> {
	const sockets = new Set<net.Socket>();
	server.on('connection', (socket: net.Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	return sockets;
}

/** Accepts TCP connections and never sends a byte: what a hung server or a black-holed route looks like. */
export async function startBlackHole(): Promise<Stub> {
	const server = net.createServer(() => undefined);
	const sockets = tracked(server);
	const port = await listen(server);
	return { url: `http://127.0.0.1:${port}`, close: closer(server, sockets) };
}

/** Answers every request with a fixed status and body (an HTML login page, a 502 from a proxy). */
export async function startFixedAnswer(status: number, body: string, contentType = 'text/html'): Promise<Stub> {
	const server = http.createServer((_req, res) => {
		res.writeHead(status, { 'Content-Type': contentType });
		res.end(body);
	});
	const sockets = tracked(server);
	const port = await listen(server);
	return { url: `http://127.0.0.1:${port}`, close: closer(server, sockets) };
}

export interface GatewayOptions {
	upstream: string;
	token: string;
	/** Required tenant header value (X-Scope-OrgID), as Mimir/Cortex gateways demand. */
	tenant?: string;
	/** Added to successful API answers, as Thanos Query does for partial responses. */
	addWarnings?: string[];
}

export interface Gateway extends Stub {
	seen: Array<{ path: string; tenant?: string }>;
}

export async function startAuthGateway(options: GatewayOptions): Promise<Gateway> {
	const seen: Gateway['seen'] = [];
	const server = http.createServer((req, res) => {
		const tenant = req.headers['x-scope-orgid'] as string | undefined;
		seen.push({ path: req.url ?? '', tenant });
		if (req.headers.authorization !== `Bearer ${options.token}`) {
			res.writeHead(401, { 'Content-Type': 'text/plain' });
			res.end('unauthorized: missing or wrong bearer token\n');
			return;
		}
		if (options.tenant !== undefined && tenant !== options.tenant) {
			res.writeHead(401, { 'Content-Type': 'text/plain' });
			res.end('no org id\n');
			return;
		}
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const upstream = await fetch(options.upstream + (req.url ?? '/'), {
				method: req.method,
				headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' },
				body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
			});
			let text = await upstream.text();
			if (options.addWarnings && upstream.ok) {
				const body = JSON.parse(text) as Record<string, unknown>;
				body.warnings = options.addWarnings;
				text = JSON.stringify(body);
			}
			res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
			res.end(text);
		});
	});
	const sockets = tracked(server);
	const port = await listen(server);
	return { url: `http://127.0.0.1:${port}`, seen, close: closer(server, sockets) };
}
