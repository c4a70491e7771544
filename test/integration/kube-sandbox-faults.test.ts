import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startKubeSandbox, writeKubeconfig, type KubeSandbox } from '../sandbox/kube';
import { makeKubectl, rawRequest, type Kubectl } from '../sandbox/kube/testing';

/*
 * Fault injection, observed by the clients that will meet real faults:
 * kubectl (client-go) and @kubernetes/client-node.
 */

let sandbox: KubeSandbox;
let kubectl: Kubectl;
let dir: string;
let apps: k8s.AppsV1Api;

const deploymentPath = '/apis/apps/v1/namespaces/shop/deployments';

beforeAll(async () => {
	sandbox = await startKubeSandbox({ podStartupMs: 100, clusterName: 'faults' });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sandbox-faults-'));
	const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig.yaml'), [{ name: 'faults', url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens, namespace: 'shop' }]);
	kubectl = makeKubectl(kubeconfig, path.join(dir, 'cache'));
	const kc = new k8s.KubeConfig();
	kc.loadFromFile(kubeconfig);
	apps = kc.makeApiClient(k8s.AppsV1Api);
	// Warm kubectl's discovery cache so faults below only meet the requests under test.
	expect((await kubectl(['get', 'deploy'])).code).toBe(0);
});

afterEach(() => sandbox.faults.clear());

afterAll(async () => {
	await sandbox?.close();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a 500 on a path reaches kubectl as InternalError; other paths are untouched', async () => {
	const fault = sandbox.faults.add({ type: 'error', status: 500, path: `${deploymentPath}/web`, message: 'etcdserver: request timed out' });
	const failed = await kubectl(['get', 'deploy', 'web']);
	expect(failed.code).toBe(1);
	expect(failed.stderr).toContain('Error from server (InternalError)');
	expect(failed.stderr).toContain('etcdserver: request timed out');
	expect(sandbox.faults.hits(fault.id)).toBeGreaterThanOrEqual(1);
	expect((await kubectl(['get', 'deploy', 'checkout'])).code).toBe(0);
	await expect(apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' })).rejects.toMatchObject({ code: 500 });
});

test('a 503 with Retry-After is retried by client-go until it clears', async () => {
	const fault = sandbox.faults.add({ type: 'error', status: 503, path: `${deploymentPath}/checkout`, retryAfterSeconds: 1, times: 2 });
	const started = Date.now();
	const result = await kubectl(['get', 'deploy', 'checkout', '-o', 'name']);
	expect(result).toMatchObject({ code: 0, stdout: 'deployment.apps/checkout\n' });
	expect(sandbox.faults.hits(fault.id)).toBe(2);
	expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
});

test('latency delays the answer', async () => {
	sandbox.faults.add({ type: 'latency', latencyMs: 700, path: `${deploymentPath}/*`, methods: ['GET'] });
	let started = Date.now();
	const web = await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' });
	expect(web.spec?.replicas).toBe(3);
	expect(Date.now() - started).toBeGreaterThanOrEqual(700);
	started = Date.now();
	expect((await kubectl(['get', 'deploy', 'web'])).code).toBe(0);
	expect(Date.now() - started).toBeGreaterThanOrEqual(700);
});

test('forced conflicts: kubectl patch fails with 409, kubectl scale retries past one', async () => {
	const fault = sandbox.faults.add({ type: 'conflict', path: `${deploymentPath}/checkout` });
	const patched = await kubectl(['patch', 'deploy', 'checkout', '--type', 'merge', '-p', '{"metadata":{"labels":{"x":"y"}}}']);
	expect(patched.code).toBe(1);
	expect(patched.stderr).toContain('Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "checkout": the object has been modified');
	expect(sandbox.get('deployments.apps', 'shop', 'checkout')?.metadata.labels?.x).toBeUndefined();
	// Reads are not writes: they pass.
	expect((await kubectl(['get', 'deploy', 'checkout'])).code).toBe(0);
	sandbox.faults.remove(fault.id);

	const once = sandbox.faults.add({ type: 'conflict', path: `${deploymentPath}/checkout/scale`, times: 1 });
	const scaled = await kubectl(['scale', 'deploy', 'checkout', '--replicas=5']);
	expect(scaled).toMatchObject({ code: 0, stdout: 'deployment.apps/checkout scaled\n' });
	expect(sandbox.faults.hits(once.id)).toBe(1);
	expect(sandbox.get('deployments.apps', 'shop', 'checkout')?.spec?.replicas).toBe(5);

	sandbox.faults.add({ type: 'conflict', path: `${deploymentPath}/checkout/scale` });
	await expect(
		apps.patchNamespacedDeploymentScale({ name: 'checkout', namespace: 'shop', body: { spec: { replicas: 2 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)),
	).rejects.toMatchObject({ code: 409 });
	expect(sandbox.get('deployments.apps', 'shop', 'checkout')?.spec?.replicas).toBe(5);
});

test('a dropped connection fails the write and changes nothing', async () => {
	const fault = sandbox.faults.add({ type: 'drop', path: `${deploymentPath}/checkout-canary`, methods: ['PATCH'] });
	const failed = await kubectl(['annotate', 'deploy', 'checkout-canary', 'dropped=yes']);
	expect(failed.code).toBe(1);
	expect(failed.stderr).toMatch(/EOF|connection reset|broken pipe/);
	await expect(
		apps.patchNamespacedDeployment({ name: 'checkout-canary', namespace: 'shop', body: [{ op: 'add', path: '/metadata/labels/dropped', value: 'yes' }] }),
	).rejects.toThrow(/socket hang up|ECONNRESET|other side closed|fetch failed|closed/i);
	expect(sandbox.faults.hits(fault.id)).toBeGreaterThanOrEqual(2);
	const canary = sandbox.get('deployments.apps', 'shop', 'checkout-canary');
	expect(canary?.metadata.annotations?.dropped).toBeUndefined();
	expect(canary?.metadata.labels?.dropped).toBeUndefined();
});

test('faults can be managed over HTTP by the admin token only', async () => {
	const admin = { token: sandbox.tokens.admin };
	const created = await rawRequest(sandbox, 'POST', '/_sandbox/faults', { ...admin, body: { type: 'error', status: 503, pathRegex: '^/apis/apps/v1/namespaces/shop/deployments/web$', methods: ['GET'] } });
	expect(created.status).toBe(201);
	const fault = created.json();
	expect(fault).toMatchObject({ type: 'error', status: 503, pathRegex: '^/apis/apps/v1/namespaces/shop/deployments/web$', hits: 0 });

	const failed = await kubectl(['get', 'deploy', 'web']);
	expect(failed.stderr).toContain('Error from server (ServiceUnavailable)');
	const listed = await rawRequest(sandbox, 'GET', '/_sandbox/faults', admin);
	expect((listed.json().items as { id: string; hits: number }[]).find((f) => f.id === fault.id)?.hits).toBeGreaterThanOrEqual(1);

	const forbidden = await rawRequest(sandbox, 'POST', '/_sandbox/faults', { token: sandbox.tokens.limited, body: { type: 'drop' } });
	expect(forbidden.status).toBe(403);
	expect(forbidden.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
	const invalid = await rawRequest(sandbox, 'POST', '/_sandbox/faults', { ...admin, body: { type: 'explode' } });
	expect(invalid.status).toBe(400);

	expect((await rawRequest(sandbox, 'DELETE', `/_sandbox/faults/${String(fault.id)}`, admin)).status).toBe(200);
	expect((await kubectl(['get', 'deploy', 'web'])).code).toBe(0);
	sandbox.faults.add({ type: 'latency', latencyMs: 1 });
	expect((await rawRequest(sandbox, 'DELETE', '/_sandbox/faults', admin)).json()).toEqual({ cleared: 1 });
	expect(sandbox.faults.list()).toEqual([]);

	const config = await rawRequest(sandbox, 'PUT', '/_sandbox/config', { ...admin, body: { podStartupMs: 50 } });
	expect(config.json()).toEqual({ podStartupMs: 50 });
	expect(sandbox.config.podStartupMs).toBe(50);
});
