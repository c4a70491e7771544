import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type ManagedProcess, freePort, requireBinary, startProcess, waitUntil } from '../processes';

/**
 * The two servers n8n's queue mode needs, from Debian's packages, on loopback
 * with free ports and their data in temp folders: PostgreSQL (n8n's database
 * for every process) and Redis (the Bull queue between them).
 */

const POSTGRES_PACKAGE = 'postgresql';

/** Debian keeps Postgres' server binaries out of PATH, in /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
	const base = '/usr/lib/postgresql';
	const majors = fs.existsSync(base) ? fs.readdirSync(base).filter((d) => fs.existsSync(path.join(base, d, 'bin', 'initdb'))) : [];
	if (majors.length === 0) {
		throw new Error(`PostgreSQL's server (initdb) is not installed under ${base}. Install the Debian package: apt-get install -y --no-install-recommends ${POSTGRES_PACKAGE} (bash scripts/system-packages.sh does this)`);
	}
	return path.join(base, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Postgres refuses to run as root: as root, its commands run as the `postgres` user the package creates. */
function asPostgres(binary: string, args: string[], what: string): string {
	const root = process.getuid?.() === 0;
	const [command, argv] = root ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
	const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 120_000 });
	if (result.status !== 0) throw new Error(`${what} failed (${command} ${argv.join(' ')}):\n${(result.stderr || result.stdout || String(result.error)).slice(-3000)}`);
	return result.stdout;
}

export interface LocalPostgres {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
	dir: string;
	/** Stops the server (fast shutdown: open connections are cut) and starts it again on the same port and data. */
	restart: () => Promise<void>;
	/** Rows of a query on n8n's database (psql, tab-separated): what the public API does not show, e.g. running executions. */
	query: (sql: string) => Promise<string[][]>;
	stop: () => Promise<void>;
}

export async function startPostgres(): Promise<LocalPostgres> {
	const bin = postgresBinDir();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-pg-'));
	if (process.getuid?.() === 0) {
		const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
		if (owner.status !== 0) throw new Error(`Running as root needs the "postgres" user to run PostgreSQL; install the Debian package ${POSTGRES_PACKAGE}`);
		const uid = Number(owner.stdout.trim());
		const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
		fs.chownSync(dir, uid, gid);
	}
	const data = path.join(dir, 'pg');
	const user = 'n8n';
	const password = 'n8n-queue-e2e';
	asPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', user, '--no-sync'], 'initdb');
	const port = await freePort();
	const pgCtl = path.join(bin, 'pg_ctl');
	// fsync off: a test database; nothing here survives the run anyway.
	const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
	const start = () => asPostgres(pgCtl, ['-D', data, '-o', options, '-l', path.join(dir, 'pg.log'), '-w', '-t', '60', 'start'], 'Starting PostgreSQL');
	const stopServer = () => asPostgres(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop'], 'Stopping PostgreSQL');
	start();
	try {
		asPostgres(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, 'n8n'], 'createdb n8n');
	} catch (error) {
		stopServer();
		throw error;
	}
	let running = true;
	return {
		host: '127.0.0.1',
		port,
		database: 'n8n',
		user,
		password,
		dir,
		restart: async () => {
			stopServer();
			start();
		},
		query: (sql) =>
			new Promise((resolve, reject) => {
				execFile(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'n8n', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
					if (error) reject(new Error(`psql ${sql}: ${stderr || error.message}`));
					else resolve(stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t')));
				});
			}),
		stop: async () => {
			if (running) stopServer();
			running = false;
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

export interface LocalRedis {
	host: string;
	port: number;
	process: () => ManagedProcess;
	/** Stops Redis and starts it again on the same port; its append-only file keeps the queued jobs. */
	restart: (downMs?: number) => Promise<void>;
	stop: () => Promise<void>;
}

async function redisPing(port: number): Promise<boolean> {
	const net = await import('node:net');
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(1000);
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => {
			socket.destroy();
			resolve(data.toString().startsWith('+PONG'));
		});
		socket.once('error', () => resolve(false));
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	});
}

export async function startRedis(): Promise<LocalRedis> {
	const binary = requireBinary('redis-server', 'redis-server');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-redis-'));
	const port = await freePort();
	// Append-only with fsync on every write, as a queue that must survive a restart needs: without it a
	// restarted Redis forgets jobs the webhook processor accepted but no worker had claimed yet.
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
	let child = startProcess(binary, args, dir);
	await waitUntil(() => redisPing(port), `redis-server on ${port}`, 30_000, child);
	return {
		host: '127.0.0.1',
		port,
		process: () => child,
		restart: async (downMs = 1000) => {
			await child.stop();
			await new Promise((r) => setTimeout(r, downMs));
			child = startProcess(binary, args, dir);
			await waitUntil(() => redisPing(port), `redis-server on ${port} after the restart`, 30_000, child);
		},
		stop: async () => {
			await child.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
