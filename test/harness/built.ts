import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist');
/** The development build (demo, sandbox, benchmarks): never part of the package. */
export const DIST_DEV = path.join(ROOT, 'dist-dev');

/** Tests of the built package run what `npm run build` produced, as users and n8n do. */
export function requireBuilt(relative: string): string {
	return requireIn(DIST, relative, 'npm run build');
}

function requireIn(dir: string, relative: string, command: string): string {
	const file = path.join(dir, relative);
	if (!fs.existsSync(file)) throw new Error(`${file} is missing: run "${command}" first (npm test does)`);
	return file;
}

export interface Spawned {
	status: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a built script with the same Node as the tests (Node 24), outside jest's module system. */
export function runBuilt(relative: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Spawned {
	return runScript(requireBuilt(relative), args, env, timeoutMs);
}

/** Runs a script of the development build (`npm run build:dev`): the demo, the sandbox, the benchmarks. */
export function runDevBuilt(relative: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Spawned {
	return runScript(requireIn(DIST_DEV, relative, 'npm run build:dev'), args, env, timeoutMs);
}

function runScript(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Spawned {
	const result = spawnSync(process.execPath, [file, ...args], {
		cwd: ROOT,
		encoding: 'utf8',
		env: { ...process.env, ...env },
		timeout: timeoutMs,
	});
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function runNodeScript(script: string, args: string[] = []): Spawned {
	const result = spawnSync(process.execPath, ['-e', script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file below `dir`, recursively. */
export function listFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
