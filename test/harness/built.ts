import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist');

/** Tests of the built package run what `npm run build` produced, as users and n8n do. */
export function requireBuilt(relative: string): string {
	const file = path.join(DIST, relative);
	if (!fs.existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm test does)`);
	return file;
}

export interface Spawned {
	status: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a built script with the same Node as the tests (Node 24), outside jest's module system. */
export function runBuilt(relative: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Spawned {
	const result = spawnSync(process.execPath, [requireBuilt(relative), ...args], {
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
