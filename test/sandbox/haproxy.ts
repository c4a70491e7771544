import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { ManagedProcess, freePort, requireBinary, startProcess, waitUntil } from './processes';

/**
 * A real HAProxy (the Debian package) on loopback: one HTTP frontend, one
 * backend `be_app` with the given servers, and the Runtime API on TCP at
 * level admin (plus one at level operator, for the permission error).
 */

export interface HaproxyServer {
	name: string;
	port: number;
	/** Extra words for the server line, e.g. `backup` or `weight 50`. */
	extra?: string;
}

export interface HaproxyOptions {
	servers: HaproxyServer[];
	/** HTTP health checks on GET /healthz (default on). */
	check?: boolean;
	/** Extra backends, each with its own servers (for status tests). */
	extraBackends?: Record<string, HaproxyServer[]>;
}

export interface LocalHaproxy {
	/** http://127.0.0.1:<port> of the frontend. */
	url: string;
	/** Runtime API at level admin, as the stats socket line says it: `ipv4@127.0.0.1:<port>`. */
	runtimeAddress: string;
	/** Runtime API at level operator (cannot change servers). */
	operatorAddress: string;
	/** Runtime API at level admin on a unix socket. */
	unixSocket: string;
	configPath: string;
	process: ManagedProcess;
	/** Sends one Runtime API command, for tests that look behind the provider's back. */
	command(command: string): Promise<string>;
	stop(): Promise<void>;
}

function serverLines(servers: HaproxyServer[], check: boolean): string[] {
	return servers.map((s) => `\tserver ${s.name} 127.0.0.1:${s.port}${check ? ' check inter 300ms fall 2 rise 1' : ''}${s.extra ? ` ${s.extra}` : ''}`);
}

export function renderConfig(options: HaproxyOptions & { frontendPort: number; adminPort: number; operatorPort: number; unixSocket: string }): string {
	const check = options.check !== false;
	const lines = [
		'global',
		`\tstats socket ipv4@127.0.0.1:${options.adminPort} level admin`,
		`\tstats socket ipv4@127.0.0.1:${options.operatorPort} level operator`,
		`\tstats socket ${options.unixSocket} level admin`,
		'\tnbthread 1',
		'',
		'defaults',
		'\tmode http',
		'\ttimeout connect 2s',
		'\ttimeout client 30s',
		'\ttimeout server 30s',
		// A health check answered late is not a server down: under a loaded CI machine a 300 ms check timeout
		// marked healthy regions down at random. A stopped region still fails at once (connection refused).
		'\ttimeout check 5s',
		'',
		'frontend fe_app',
		`\tbind 127.0.0.1:${options.frontendPort}`,
		'\tdefault_backend be_app',
		'',
		'backend be_app',
		'\tbalance roundrobin',
		...(check ? ['\toption httpchk GET /healthz'] : []),
		...serverLines(options.servers, check),
	];
	for (const [name, servers] of Object.entries(options.extraBackends ?? {})) {
		lines.push('', `backend ${name}`, '\tbalance roundrobin', ...serverLines(servers, false));
	}
	return lines.join('\n') + '\n';
}

export function runtimeCommand(port: number, command: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1', () => socket.end(`${command}\n`));
		let answer = '';
		socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
		socket.on('close', () => resolve(answer));
		socket.on('error', reject);
	});
}

export async function startHaproxy(options: HaproxyOptions): Promise<LocalHaproxy> {
	const binary = requireBinary('haproxy', 'haproxy');
	const [frontendPort, adminPort, operatorPort] = [await freePort(), await freePort(), await freePort()];
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-haproxy-'));
	const configPath = path.join(dir, 'haproxy.cfg');
	const unixSocket = path.join(dir, 'admin.sock');
	fs.writeFileSync(configPath, renderConfig({ ...options, frontendPort, adminPort, operatorPort, unixSocket }));
	runCheck(binary, configPath);
	// -db: stay in the foreground, so stopping the child stops HAProxy.
	const child = startProcess(binary, ['-f', configPath, '-db'], dir);
	const command = (text: string) => runtimeCommand(adminPort, text);
	await waitUntil(async () => (await command('show info')).includes('Name: HAProxy'), 'HAProxy Runtime API', 10_000, child);
	return {
		url: `http://127.0.0.1:${frontendPort}`,
		runtimeAddress: `ipv4@127.0.0.1:${adminPort}`,
		operatorAddress: `ipv4@127.0.0.1:${operatorPort}`,
		unixSocket,
		configPath,
		process: child,
		command,
		stop: async () => {
			await child.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

function runCheck(binary: string, configPath: string): void {
	const result = spawnSync(binary, ['-c', '-f', configPath], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`haproxy -c rejected the test config ${configPath}:\n${result.stdout}${result.stderr}`);
}
