import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as http from 'node:http';
import * as path from 'node:path';

/** Helpers for tests that drive the sandbox with the real kubectl and raw HTTP. */

export interface CommandResult {
	code: number;
	stdout: string;
	stderr: string;
}

/** kubectl from $KUBECTL or PATH; a missing kubectl fails loudly rather than skipping. */
export function kubectlBinary(): string {
	if (process.env.KUBECTL) return process.env.KUBECTL;
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		const candidate = path.join(dir, 'kubectl');
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			// keep looking
		}
	}
	throw new Error('kubectl is not installed or not on PATH (set KUBECTL to its path)');
}

export type Kubectl = (args: string[], options?: { input?: string; timeoutMs?: number }) => Promise<CommandResult>;

/**
 * Runs kubectl asynchronously: the sandbox usually lives in the same process,
 * so a blocking spawnSync would stop it from answering.
 */
export function makeKubectl(kubeconfig: string, cacheDir: string): Kubectl {
	const binary = kubectlBinary();
	return (args, options = {}) =>
		new Promise((resolve, reject) => {
			const child = spawn(binary, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
				env: { ...process.env, KUBECONFIG: kubeconfig },
				stdio: ['pipe', 'pipe', 'pipe'],
			});
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
			child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
			const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
			child.on('error', (e) => {
				clearTimeout(timer);
				reject(e);
			});
			child.on('close', (code) => {
				clearTimeout(timer);
				resolve({ code: code ?? -1, stdout, stderr });
			});
			child.stdin.end(options.input ?? '');
		});
}

/** Polls until the probe's value satisfies the predicate, or fails with the last value seen. */
export async function waitFor<T>(probe: () => T | Promise<T>, predicate: (value: T) => boolean, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
	const deadline = Date.now() + (options.timeoutMs ?? 10_000);
	let last: T | undefined;
	let lastError: unknown;
	for (;;) {
		try {
			last = await probe();
			if (predicate(last)) return last;
		} catch (e) {
			lastError = e;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${options.what ?? 'condition'}; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ''}`);
		}
		await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
	}
}

export interface RawResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
	json: () => Record<string, unknown>;
}

/** One HTTP(S) request to a sandbox, trusting its certificate. */
export function rawRequest(
	target: { url: string; caCert?: string },
	method: string,
	requestPath: string,
	options: { token?: string; body?: unknown; contentType?: string; accept?: string } = {},
): Promise<RawResponse> {
	const url = new URL(requestPath, target.url);
	const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	const headers: Record<string, string> = {};
	if (options.token) headers.Authorization = `Bearer ${options.token}`;
	if (payload !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
	if (options.accept) headers.Accept = options.accept;
	return new Promise((resolve, reject) => {
		const onResponse = (res: http.IncomingMessage) => {
			let body = '';
			res.on('data', (d: Buffer) => (body += d.toString()));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as Record<string, unknown> }));
			res.on('error', reject);
		};
		const req =
			url.protocol === 'https:'
				? https.request(url, { method, headers, ca: target.caCert, agent: false }, onResponse)
				: http.request(url, { method, headers, agent: false }, onResponse);
		req.on('error', reject);
		req.end(payload);
	});
}
