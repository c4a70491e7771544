import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDuration, runSandboxCli, startKubeSandboxes } from '../sandbox/kube';
import { makeKubectl, rawRequest } from '../sandbox/kube/testing';

/* The Kubernetes API sandbox's command line (`npm run sandbox`): one API server per region and one kubeconfig context per cluster. */

let dir: string;

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sandbox-cli-'));
});

afterAll(() => {
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('sandbox kube --clusters runs one API per region until stopped', async () => {
	const kubeconfig = path.join(dir, 'regions.yaml');
	const stdout: string[] = [];
	const stderr: string[] = [];
	const stop = new AbortController();
	let ready: (info: { kubeconfigPath: string; clusters: { name: string; url: string }[] }) => void = () => undefined;
	const started = new Promise<{ kubeconfigPath: string; clusters: { name: string; url: string }[] }>((resolve) => (ready = resolve));
	const exit = runSandboxCli(['sandbox', 'kube', '--port', '0', '--kubeconfig', kubeconfig, '--clusters', 'us-east,us-west', '--pod-startup', '150ms'], {
		stdout: (t) => stdout.push(t),
		stderr: (t) => stderr.push(t),
		signal: stop.signal,
		onReady: ready,
	});
	const info = await started;
	try {
		expect(info.clusters.map((c) => c.name)).toEqual(['us-east', 'us-west']);
		expect(new Set(info.clusters.map((c) => c.url)).size).toBe(2);
		expect(stdout.join('')).toContain(`export KUBECONFIG=${info.kubeconfigPath}`);
		expect((fs.statSync(kubeconfig).mode & 0o777).toString(8)).toBe('600');

		const kubectl = makeKubectl(kubeconfig, path.join(dir, 'cache'));
		const contexts = await kubectl(['config', 'get-contexts', '-o', 'name']);
		expect(contexts.stdout.trim().split('\n').sort()).toEqual(['us-east', 'us-west']);
		expect((await kubectl(['config', 'current-context'])).stdout.trim()).toBe('us-east');

		// Regions are independent clusters: scaling in us-west leaves us-east alone.
		expect((await kubectl(['--context', 'us-west', 'scale', 'deploy', 'checkout', '-n', 'shop', '--replicas=8'])).code).toBe(0);
		const west = JSON.parse((await kubectl(['--context', 'us-west', 'get', 'deploy', 'checkout', '-n', 'shop', '-o', 'json'])).stdout);
		const east = JSON.parse((await kubectl(['get', 'deploy', 'checkout', '-n', 'shop', '-o', 'json'])).stdout);
		expect([east.spec.replicas, west.spec.replicas]).toEqual([4, 8]);
		expect((await kubectl(['--context', 'us-west', 'rollout', 'status', 'deploy/checkout', '-n', 'shop', '--timeout=15s'])).stdout).toContain('successfully rolled out');
		expect((await kubectl(['--context', 'us-west', '--user', 'us-west-limited', 'get', 'deploy', '-n', 'kube-system'])).stderr).toContain('Forbidden');
	} finally {
		stop.abort();
	}
	expect(await exit).toBe(0);
	expect(stdout.join('')).toContain('sandbox stopped');
	await expect(rawRequest({ url: info.clusters[0].url }, 'GET', '/healthz')).rejects.toThrow();
});

test('startKubeSandboxes assigns consecutive ports and writes one context per cluster', async () => {
	const probe = await startKubeSandboxes({ clusters: ['probe'], kubeconfigPath: path.join(dir, 'probe.yaml'), seed: false });
	const base = probe.clusters[0].port;
	await probe.close();
	const sandboxes = await startKubeSandboxes({ clusters: ['eu-central', 'eu-north', 'eu-south'], kubeconfigPath: path.join(dir, 'eu.yaml'), port: base, seed: false, namespace: 'shop' });
	try {
		expect(sandboxes.clusters.map((c) => c.port)).toEqual([base, base + 1, base + 2]);
		const text = fs.readFileSync(sandboxes.kubeconfigPath, 'utf8');
		expect(text).toContain('current-context: "eu-central"');
		expect(text.match(/certificate-authority-data:/g)).toHaveLength(3);
		expect(text.match(/namespace: "shop"/g)).toHaveLength(3);
		const north = sandboxes.byName['eu-north'];
		const health = await rawRequest(north, 'GET', '/healthz');
		expect(health).toMatchObject({ status: 200, body: 'ok' });
		const namespaces = await rawRequest(north, 'GET', '/api/v1/namespaces', { token: north.tokens.admin });
		expect((namespaces.json().items as { metadata: { name: string } }[]).map((n) => n.metadata.name)).toEqual(['default', 'kube-system']);
	} finally {
		await sandboxes.close();
	}
});

test('usage errors exit 2 and durations parse', async () => {
	const stderr: string[] = [];
	const io = { stdout: () => undefined, stderr: (t: string) => stderr.push(t) };
	expect(await runSandboxCli(['sandbox', 'kube', '--port', '0'], io)).toBe(2);
	expect(stderr.join('')).toContain('--kubeconfig <file> is required');
	expect(await runSandboxCli(['sandbox', 'kube', '--kubeconfig', 'x', '--pod-startup', 'soon'], io)).toBe(2);
	expect(await runSandboxCli(['sandbox', 'kube', '--bogus'], io)).toBe(2);
	expect([parseDuration('1500'), parseDuration('250ms'), parseDuration('2s'), parseDuration('1m')]).toEqual([1500, 250, 2000, 60000]);
});
