import * as net from 'node:net';

import { LoadBalancerError, errorCode, networkFailure } from './errors';

/**
 * The HAProxy Runtime API (the "stats socket") in non-interactive mode: one
 * connection per command, HAProxy answers and closes. Text in, text out; the
 * provider interprets it.
 */

export type RuntimeAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/**
 * Accepts what haproxy.cfg's `stats socket` line says (`ipv4@127.0.0.1:9999`,
 * `ipv6@[::1]:9999`, `unix@/run/haproxy/admin.sock`) and the short forms
 * (`127.0.0.1:9999`, `/run/haproxy/admin.sock`), so the value can be copied
 * from the config as it is.
 */
export function parseRuntimeAddress(text: string): RuntimeAddress {
	const raw = text.trim();
	const invalid = (why: string) =>
		new LoadBalancerError({
			provider: 'haproxy',
			kind: 'invalid',
			object: raw || '(empty address)',
			cause: `not a Runtime API address: ${why}`,
			fix: 'Use host:port or a socket path as in the stats socket line of haproxy.cfg, e.g. ipv4@127.0.0.1:9999 or /run/haproxy/admin.sock.',
		});
	if (!raw) throw invalid('it is empty');
	const at = raw.indexOf('@');
	const scheme = at > 0 ? raw.slice(0, at).toLowerCase() : '';
	const rest = at > 0 ? raw.slice(at + 1) : raw;
	if (scheme === 'unix' || (!scheme && rest.startsWith('/'))) {
		if (!rest.startsWith('/')) throw invalid('a unix socket needs an absolute path');
		return { kind: 'unix', path: rest };
	}
	if (scheme && !['ipv4', 'ipv6', 'tcp'].includes(scheme)) throw invalid(`unknown prefix "${scheme}@" (use ipv4@, ipv6@ or unix@)`);
	const match = /^\[([^\]]+)\]:(\d+)$/.exec(rest) ?? /^([^:]+):(\d+)$/.exec(rest);
	if (!match) throw invalid('expected host:port');
	const port = Number(match[2]);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`port ${match[2]} is out of range`);
	return { kind: 'tcp', host: match[1], port };
}

export function formatRuntimeAddress(address: RuntimeAddress): string {
	if (address.kind === 'unix') return address.path;
	return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

// HAProxy's own name charset for proxies and servers. Anything else is
// refused before it reaches the socket: a name carrying ";" or a newline
// would run a second command.
const NAME = /^[A-Za-z0-9_.:-]+$/;

export function checkName(kind: 'backend' | 'server', name: string, endpoint: string): void {
	if (!NAME.test(name)) {
		throw new LoadBalancerError({
			provider: 'haproxy',
			kind: 'invalid',
			object: `${endpoint} ${kind} ${JSON.stringify(name)}`,
			cause: `not a valid HAProxy ${kind} name`,
			fix: 'HAProxy names use letters, digits and - _ . : only; check for spaces or pasted punctuation.',
		});
	}
}

export const DEFAULT_RUNTIME_TIMEOUT_MS = 5000;
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export class RuntimeApi {
	readonly address: RuntimeAddress;
	readonly endpoint: string;

	constructor(
		address: string,
		private readonly timeoutMs = DEFAULT_RUNTIME_TIMEOUT_MS,
	) {
		this.address = parseRuntimeAddress(address);
		this.endpoint = formatRuntimeAddress(this.address);
	}

	/** Sends one command and returns HAProxy's whole answer. */
	command(command: string): Promise<string> {
		if (/[\r\n;]/.test(command)) throw new Error(`refusing to send a runtime command with a line break or ";": ${JSON.stringify(command)}`);
		return new Promise((resolve, reject) => {
			const socket = this.address.kind === 'unix' ? net.connect(this.address.path) : net.connect(this.address.port, this.address.host);
			const chunks: Buffer[] = [];
			let size = 0;
			let settled = false;
			const finish = (error?: LoadBalancerError) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				socket.destroy();
				if (error) reject(error);
				else resolve(Buffer.concat(chunks).toString('utf8'));
			};
			const timer = setTimeout(
				() =>
					finish(
						this.failure('timeout', `no complete answer to "${command}" within ${this.timeoutMs} ms`, 'Check that the address is HAProxy\'s stats socket and not another service, and that HAProxy is not overloaded.'),
					),
				this.timeoutMs,
			);
			socket.on('connect', () => socket.write(`${command}\n`));
			socket.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > MAX_ANSWER_BYTES) finish(this.failure('api', `the answer to "${command}" is larger than ${MAX_ANSWER_BYTES} bytes`, 'Check that the address is HAProxy\'s stats socket.'));
				else chunks.push(chunk);
			});
			socket.on('end', () => finish());
			socket.on('close', () => finish());
			socket.on('error', (error) => finish(this.connectionFailure(error)));
		});
	}

	private failure(kind: 'timeout' | 'api' | 'unreachable', cause: string, fix: string): LoadBalancerError {
		return new LoadBalancerError({ provider: 'haproxy', kind, object: this.endpoint, cause, fix });
	}

	private connectionFailure(error: Error): LoadBalancerError {
		const code = errorCode(error);
		const where = this.address.kind === 'unix' ? `stats socket ${this.address.path} level admin` : `stats socket ipv4@${this.endpoint} level admin`;
		const fix =
			code === 'EACCES'
				? 'The socket file is not readable and writable by this user; add the user to the haproxy group or set the socket\'s mode/user in haproxy.cfg.'
				: `Check the address, and that haproxy.cfg's global section has "${where}" and HAProxy is running.`;
		const cause = code === 'ENOENT' ? 'no such socket file' : code === 'EACCES' ? 'permission denied on the socket file' : networkFailure(error);
		return this.failure('unreachable', `cannot reach the Runtime API: ${cause}`, fix);
	}
}

/** `show servers state` rows, keyed by the header's column names. */
export function parseServersState(text: string): Record<string, string>[] {
	const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
	const header = lines.find((l) => l.startsWith('# '));
	if (!header) return [];
	const columns = header.slice(2).split(/\s+/);
	return lines
		.filter((l) => !l.startsWith('#') && /\s/.test(l))
		.map((line) => {
			const values = line.split(/\s+/);
			return Object.fromEntries(columns.map((c, i) => [c, values[i] ?? '']));
		});
}

/** `show stat` CSV rows, keyed by the header's field names (pxname, svname, scur, status, weight, ...). */
export function parseStat(text: string): Record<string, string>[] {
	const lines = text.split('\n').filter((l) => l.trim());
	const header = lines.find((l) => l.startsWith('# '));
	if (!header) return [];
	const fields = header.slice(2).split(',');
	return lines
		.filter((l) => !l.startsWith('#'))
		.map((line) => {
			const values = line.split(',');
			return Object.fromEntries(fields.map((f, i) => [f, values[i] ?? '']).filter(([f]) => f));
		});
}
