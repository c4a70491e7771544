import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * Finds a binary the local stack needs, or stops with the package that
 * provides it: a missing Prometheus must fail the tests loudly, never skip them.
 */
export function requireBinary(name: string, debianPackage: string): string {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			// keep looking
		}
	}
	throw new Error(
		`"${name}" is not installed or not on PATH. Install the Debian package: apt-get install -y --no-install-recommends ${debianPackage} (bash .ci/run does this on CI)`,
	);
}

export function runOrThrow(binary: string, args: string[], what: string): string {
	const result = spawnSync(binary, args, { encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(`${what} failed (${binary} ${args.join(' ')}): ${result.stderr || result.stdout || result.error}`);
	}
	return result.stdout;
}

/** A free TCP port on loopback, picked by the kernel. */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address() as net.AddressInfo;
			server.close(() => resolve(address.port));
		});
	});
}

export interface ManagedProcess {
	child: ChildProcess;
	log: () => string;
	stop: () => Promise<void>;
	/** Sends a signal (to the whole process group when started with `group`) and waits for the exit. */
	kill: (signal: NodeJS.Signals) => Promise<void>;
}

export interface StartProcessOptions {
	/**
	 * Starts the process as the leader of its own process group, and signals
	 * go to the group: n8n's worker and main spawn task runners, which a
	 * SIGKILL to the parent alone would leave behind.
	 */
	group?: boolean;
}

/** Starts a server process, keeping its output for error messages. */
export function startProcess(binary: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv, options: StartProcessOptions = {}): ManagedProcess {
	const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.group === true });
	let output = '';
	const keep = (chunk: Buffer) => {
		output = (output + chunk.toString()).slice(-20_000);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const alive = () => child.exitCode === null && child.signalCode === null;
	const signal = (name: NodeJS.Signals) => {
		try {
			if (options.group && child.pid !== undefined) process.kill(-child.pid, name);
			else child.kill(name);
		} catch {
			// already gone
		}
	};
	const kill = async (name: NodeJS.Signals) => {
		if (alive()) {
			signal(name);
			await exited;
		}
		// The group's other members (task runners) go with their leader.
		if (options.group) signal('SIGKILL');
	};
	return {
		child,
		log: () => output,
		kill,
		stop: async () => {
			if (!alive()) {
				if (options.group) signal('SIGKILL');
				return;
			}
			const timer = setTimeout(() => signal('SIGKILL'), options.group ? 15_000 : 5000);
			await kill('SIGTERM');
			clearTimeout(timer);
		},
	};
}

/** Polls `probe` until it resolves true, or fails with what the process printed. */
export async function waitUntil(
	probe: () => Promise<boolean>,
	/** A function for a message that reports what the probe saw last. */
	what: string | (() => string),
	timeoutMs: number,
	process?: ManagedProcess,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (process && process.child.exitCode !== null) {
			throw new Error(`${typeof what === 'function' ? what() : what}: the process exited with code ${process.child.exitCode}:\n${process.log()}`);
		}
		try {
			if (await probe()) return;
		} catch {
			// not up yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`${typeof what === 'function' ? what() : what}: not ready after ${timeoutMs} ms${process ? `:\n${process.log()}` : ''}`);
}
