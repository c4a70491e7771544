import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { runCli } from '../../src/cli/main';
import { KubeClient, connectionFromCredential, scaleWorkload } from '../../src/kubernetes';
import { runDevBuilt } from '../harness/built';
import { type SandboxCliIO, runSandboxCli } from '../sandbox/kube';
import { makeKubectl } from '../sandbox/kube/testing';

/*
 * `npm run sandbox -- ...`, the development entry point of the Kubernetes API
 * sandbox (the published `kube-ops` has no sandbox command), and what the
 * Kubernetes engine writes seen through the real kubectl: the last-change
 * annotation and the Event in `kubectl describe` (which finds Events by the
 * object's uid).
 */

let dir: string;

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-sandbox-command-'));
});

afterAll(() => {
	fs.rmSync(dir, { recursive: true, force: true });
});

function capture(): SandboxCliIO & { now: () => number; out: string[]; err: string[] } {
	const out: string[] = [];
	const err: string[] = [];
	return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), now: () => Date.now() / 1000 };
}

test('the published kube-ops has no sandbox command; the dev entry point explains its options; a bad option is a usage error', async () => {
	const help = capture();
	expect(await runCli(['--help'], help)).toBe(0);
	expect(help.out.join('')).not.toContain('sandbox');
	const gone = capture();
	expect(await runCli(['sandbox', 'kube', '--kubeconfig', path.join(dir, 'x.yaml')], gone)).toBe(2);
	expect(gone.err.join('')).toMatch(/^kube-ops: unknown command "sandbox"/);

	const options = runDevBuilt('test/sandbox/kube/cli.js', ['--help']);
	expect(options.status).toBe(0);
	expect(options.stdout).toMatch(/^Usage: npm run sandbox -- --kubeconfig <file>/);
	expect(options.stdout).toMatch(/--pod-startup <duration>\s+time a pod takes to become Ready/);
	const usage = capture();
	expect(await runSandboxCli([], usage)).toBe(2);
	expect(usage.err.join('')).toMatch(/^--kubeconfig <file> is required\n\nUsage: npm run sandbox -- --kubeconfig <file>/);
	const bad = capture();
	expect(await runSandboxCli(['kube', '--kubeconfig', path.join(dir, 'x.yaml'), '--port', 'eighty'], bad)).toBe(2);
	expect(bad.err.join('')).toMatch(/^--port must be a number/);
	const stray = capture();
	expect(await runSandboxCli(['cube', '--kubeconfig', path.join(dir, 'x.yaml')], stray)).toBe(2);
	expect(stray.err.join('')).toMatch(/^unexpected argument "cube"/);
});

test('npm run sandbox runs the regions until stopped; the node engine\'s writes show in kubectl', async () => {
	const kubeconfigPath = path.join(dir, 'regions.yaml');
	const io = capture();
	const stop = new AbortController();
	let ready: () => void = () => undefined;
	const started = new Promise<void>((resolve) => (ready = resolve));
	const exit = runSandboxCli(['--kubeconfig', kubeconfigPath, '--clusters', 'us-east,us-west', '--pod-startup', '100ms'], { ...io, signal: stop.signal, onReady: () => ready() });
	await started;
	try {
		expect(io.out.join('')).toContain(`export KUBECONFIG=${kubeconfigPath}`);
		const kubeconfig = fs.readFileSync(kubeconfigPath, 'utf8');
		const client = new KubeClient(connectionFromCredential({ source: 'kubeconfig', kubeconfig, context: 'us-west' }));
		const record = await scaleWorkload(client, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'checkout' }, 6, { dryRun: false, audit: { actor: 'jane@example.com' } });
		expect(record).toMatchObject({ changed: true, before: { replicas: 4 }, after: { replicas: 6 }, event: { written: true } });

		const kubectl = makeKubectl(kubeconfigPath, path.join(dir, 'cache'));
		const west = JSON.parse((await kubectl(['--context', 'us-west', 'get', 'deploy', 'checkout', '-n', 'shop', '-o', 'json'])).stdout);
		expect(JSON.parse(west.metadata.annotations['kube-ops/last-change'])).toMatchObject({ operation: 'scale', by: 'jane@example.com', from: { replicas: 4 }, to: { replicas: 6 } });
		const east = JSON.parse((await kubectl(['--context', 'us-east', 'get', 'deploy', 'checkout', '-n', 'shop', '-o', 'json'])).stdout);
		expect(east.spec.replicas).toBe(4);
		const describe = await kubectl(['--context', 'us-west', 'describe', 'deploy', 'checkout', '-n', 'shop']);
		expect(describe.code).toBe(0);
		expect(describe.stdout).toMatch(/Normal\s+Scaled\s+.*kube-ops\s+scale deployments\/checkout: \{"replicas":4\} → \{"replicas":6\} by jane@example\.com/);
	} finally {
		stop.abort();
	}
	expect(await exit).toBe(0);
	expect(io.out.join('')).toContain('sandbox stopped');
});
