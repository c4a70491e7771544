import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT, listFiles, requireBuilt } from '../harness/built';
import { packPackage } from '../sandbox/n8n';

/**
 * The tarball `npm pack` makes from the built package, which is what a user
 * installs into n8n: only the product (nodes, credentials, the engine and the
 * `kube-ops` command), everything n8n loads, and nothing from test/ or bench/.
 * Unpacked outside the repository, the package's dependencies come from the
 * repository's node_modules through NODE_PATH, as npm would install them.
 */

const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
let dir: string;
let entries: string[];
let unpacked: string;

/** Node with the unpacked package's dependencies on NODE_PATH; `-e` scripts resolve n8n-core from the repository. */
function inUnpacked(args: string[]): { status: number | null; stdout: string; stderr: string } {
	const result = spawnSync(process.execPath, args, {
		cwd: ROOT,
		encoding: 'utf8',
		env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
		timeout: 60_000,
	});
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
	requireBuilt('src/cli/main.js');
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-pack-'));
	const tarball = packPackage(dir);
	const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
	expect(listing.status).toBe(0);
	entries = listing.stdout.split('\n').filter((line) => line !== '' && !line.endsWith('/'));
	unpacked = path.join(dir, 'unpacked');
	fs.mkdirSync(unpacked);
	expect(spawnSync('tar', ['-xzf', tarball, '-C', unpacked]).status).toBe(0);
	unpacked = path.join(unpacked, 'package');
}, 120_000);

afterAll(() => {
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds the built product and the three top-level files, nothing from test/ or bench/', () => {
	expect(entries.every((entry) => entry.startsWith('package/'))).toBe(true);
	const files = entries.map((entry) => entry.slice('package/'.length));
	expect(files.filter((file) => !file.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
	const tops = new Set(files.filter((file) => file.startsWith('dist/')).map((file) => file.split('/')[1]));
	expect([...tops].sort()).toEqual(['credentials', 'nodes', 'src']);
	expect(files.filter((file) => /(^|\/)(test|bench|fixtures|harness)\/|sandbox|\.test\.|m4/i.test(file))).toEqual([]);
	expect(files.filter((file) => /\.ts$/.test(file) && !/\.d\.ts$/.test(file))).toEqual([]);
});

test('every file n8n loads is in the tarball: nodes, credentials and their icons', () => {
	const files = new Set(entries.map((entry) => entry.slice('package/'.length)));
	for (const file of [...packageJson.n8n.nodes, ...packageJson.n8n.credentials]) expect(files.has(file)).toBe(true);
	// The icons as n8n resolves them: its own package loader, run on the unpacked tarball.
	const result = inUnpacked([
		'-e',
		`
		const { PackageDirectoryLoader } = require('n8n-core');
		(async () => {
			const loader = new PackageDirectoryLoader(process.argv[1]);
			await loader.loadAll();
			const icons = [...loader.types.nodes, ...loader.types.credentials].flatMap((t) => Object.values(t.iconUrl ?? {}));
			console.log(JSON.stringify({ nodes: loader.types.nodes.length, credentials: loader.types.credentials.length, icons }));
		})().catch((e) => { console.error(e); process.exit(1); });`,
		unpacked,
	]);
	expect(result.stderr).toBe('');
	const loaded = JSON.parse(result.stdout) as { nodes: number; credentials: number; icons: string[] };
	expect(loaded.nodes).toBe(packageJson.n8n.nodes.length);
	expect(loaded.credentials).toBe(packageJson.n8n.credentials.length);
	expect(loaded.icons.length).toBeGreaterThanOrEqual(loaded.nodes + loaded.credentials);
	for (const url of loaded.icons) expect(files.has(url.replace(/^icons\/n8n-nodes-kube-ops\//, ''))).toBe(true);
});

test('every relative require in the tarball resolves inside it', () => {
	const missing: string[] = [];
	for (const file of listFiles(path.join(unpacked, 'dist')).filter((f) => f.endsWith('.js'))) {
		for (const [, target] of fs.readFileSync(file, 'utf8').matchAll(/require\("(\.{1,2}\/[^"]*)"\)|import\("(\.{1,2}\/[^"]*)"\)/g)) {
			if (target === undefined) continue;
			const base = path.resolve(path.dirname(file), target);
			if (![base, `${base}.js`, `${base}.json`, path.join(base, 'index.js')].some((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile())) {
				missing.push(`${path.relative(unpacked, file)} -> ${target}`);
			}
		}
	}
	expect(missing).toEqual([]);
});

test('the kube-ops bin runs from the unpacked tarball and offers no development commands', () => {
	const bin = packageJson.bin['kube-ops'];
	expect(entries).toContain(`package/${bin}`);
	expect(fs.readFileSync(path.join(unpacked, bin), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
	const help = inUnpacked([path.join(unpacked, bin), '--help']);
	expect(help.stderr).toBe('');
	expect(help.status).toBe(0);
	expect(help.stdout).toMatch(/^kube-ops: /);
	for (const command of ['query', 'policy', 'forecast', 'simulate', 'lb', 'kube']) expect(help.stdout).toContain(`kube-ops ${command} `);
	expect(help.stdout).not.toMatch(/sandbox|bench/);
	const gone = inUnpacked([path.join(unpacked, bin), 'sandbox', 'kube', '--kubeconfig', path.join(dir, 'x.yaml')]);
	expect(gone.status).toBe(2);
	expect(gone.stderr).toMatch(/^kube-ops: unknown command "sandbox"/);
});
