import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startKubeSandbox, writeKubeconfig, type KubeSandbox } from '../sandbox/kube';
import { waitFor } from '../sandbox/kube/testing';

/*
 * The project's own Kubernetes client against the sandbox. client-node 1.x
 * picks application/json-patch+json for every patch unless a middleware sets
 * the Content-Type (setHeaderOptions + PatchStrategy), which these tests use.
 */

let sandbox: KubeSandbox;
let dir: string;
let kc: k8s.KubeConfig;
let apps: k8s.AppsV1Api;
let core: k8s.CoreV1Api;
let custom: k8s.CustomObjectsApi;
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

beforeAll(async () => {
	sandbox = await startKubeSandbox({ podStartupMs: 100, clusterName: 'client-node' });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sandbox-client-node-'));
	const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig.yaml'), [{ name: 'client-node', url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens }]);
	kc = new k8s.KubeConfig();
	kc.loadFromFile(kubeconfig);
	apps = kc.makeApiClient(k8s.AppsV1Api);
	core = kc.makeApiClient(k8s.CoreV1Api);
	custom = kc.makeApiClient(k8s.CustomObjectsApi);
});

afterAll(async () => {
	await sandbox?.close();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('readNamespacedDeployment returns typed objects', async () => {
	const web = await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' });
	expect(web.metadata?.name).toBe('web');
	expect(web.spec?.replicas).toBe(3);
	expect(web.status?.readyReplicas).toBe(3);
	expect(web.metadata?.creationTimestamp).toBeInstanceOf(Date);
	expect(web.spec?.template.spec?.containers[0].image).toBe('ghcr.io/kube-ops-demo/web:1.8.0');
	const list = await apps.listNamespacedDeployment({ namespace: 'shop', labelSelector: 'app=checkout' });
	expect(list.items.map((d) => d.metadata?.name).sort()).toEqual(['checkout', 'checkout-canary']);
	expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
});

test('patchNamespacedDeploymentScale with a merge patch scales the Deployment', async () => {
	const scale = await apps.patchNamespacedDeploymentScale({ name: 'checkout', namespace: 'shop', body: { spec: { replicas: 7 } } }, merge);
	expect(scale.spec?.replicas).toBe(7);
	expect(scale.status?.selector).toBe('app=checkout,track=stable');
	expect(sandbox.get('deployments.apps', 'shop', 'checkout')?.spec?.replicas).toBe(7);
	const ready = await waitFor(async () => (await apps.readNamespacedDeployment({ name: 'checkout', namespace: 'shop' })).status?.readyReplicas, (n) => n === 7, { what: 'checkout 7 ready' });
	expect(ready).toBe(7);
	const read = await apps.readNamespacedDeploymentScale({ name: 'checkout', namespace: 'shop' });
	expect(read.status?.replicas).toBe(7);
});

test('the default patch content type is a JSON patch; strategic merge goes through the header', async () => {
	await apps.patchNamespacedDeployment({ name: 'checkout-canary', namespace: 'shop', body: [{ op: 'replace', path: '/spec/replicas', value: 2 }] });
	expect(sandbox.get('deployments.apps', 'shop', 'checkout-canary')?.spec?.replicas).toBe(2);
	const patched = await apps.patchNamespacedDeployment(
		{ name: 'checkout-canary', namespace: 'shop', body: { spec: { template: { spec: { containers: [{ name: 'checkout', env: [{ name: 'CANARY', value: 'true' }] }] } } } } },
		strategic,
	);
	expect(patched.spec?.template.spec?.containers).toHaveLength(1);
	expect(patched.spec?.template.spec?.containers[0]).toMatchObject({ name: 'checkout', image: 'ghcr.io/kube-ops-demo/checkout:2.4.0-rc.1', env: [{ name: 'CANARY', value: 'true' }] });
});

test('dryRun=All returns the result and stores nothing', async () => {
	const before = sandbox.get('deployments.apps', 'shop', 'web');
	const dry = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'shop', dryRun: 'All', body: { metadata: { labels: { dry: 'run' } } } }, merge);
	expect(dry.metadata?.labels?.dry).toBe('run');
	expect(sandbox.get('deployments.apps', 'shop', 'web')).toEqual(before);
});

test('errors are ApiExceptions carrying the Status', async () => {
	const missing = await apps.readNamespacedDeployment({ name: 'nope', namespace: 'shop' }).catch((e: unknown) => e);
	expect(missing).toBeInstanceOf(k8s.ApiException);
	expect((missing as k8s.ApiException<string>).code).toBe(404);
	expect(JSON.parse((missing as k8s.ApiException<string>).body)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });

	const invalid = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'shop', body: { spec: { replicas: -2 } } }, merge).catch((e: unknown) => e);
	expect((invalid as k8s.ApiException<string>).code).toBe(422);

	const cm = await core.readNamespacedConfigMap({ name: 'kube-ops-policy', namespace: 'shop' });
	await core.patchNamespacedConfigMap({ name: 'kube-ops-policy', namespace: 'shop', body: { data: { 'max-scale-step': '8' } } }, merge);
	const stale = await core.replaceNamespacedConfigMap({ name: 'kube-ops-policy', namespace: 'shop', body: cm }).catch((e: unknown) => e);
	expect((stale as k8s.ApiException<string>).code).toBe(409);
	expect(JSON.parse((stale as k8s.ApiException<string>).body)).toMatchObject({ reason: 'Conflict' });
});

test('CustomObjectsApi reads and patches ScaledObjects and HTTPRoutes', async () => {
	const so = (await custom.getNamespacedCustomObject({ group: 'keda.sh', version: 'v1alpha1', namespace: 'shop', plural: 'scaledobjects', name: 'worker' })) as {
		spec: { minReplicaCount: number; maxReplicaCount: number };
		status: { hpaName: string };
	};
	expect(so.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 30 });
	expect(so.status.hpaName).toBe('keda-hpa-worker');
	await custom.patchNamespacedCustomObject({ group: 'keda.sh', version: 'v1alpha1', namespace: 'shop', plural: 'scaledobjects', name: 'worker', body: { spec: { minReplicaCount: 3 } } }, merge);
	await waitFor(() => sandbox.get('deployments.apps', 'shop', 'worker')?.spec?.replicas, (n) => n === 3, { what: 'worker raised to the KEDA minimum' });

	const route = (await custom.patchNamespacedCustomObject({
		group: 'gateway.networking.k8s.io',
		version: 'v1',
		namespace: 'shop',
		plural: 'httproutes',
		name: 'checkout',
		body: [
			{ op: 'test', path: '/spec/rules/0/backendRefs/1/name', value: 'checkout-canary' },
			{ op: 'replace', path: '/spec/rules/0/backendRefs/0/weight', value: 75 },
			{ op: 'replace', path: '/spec/rules/0/backendRefs/1/weight', value: 25 },
		],
	})) as { spec: { rules: { backendRefs: { weight: number }[] }[] }; metadata: { generation: number } };
	expect(route.spec.rules[0].backendRefs.map((b) => b.weight)).toEqual([75, 25]);
	expect(route.metadata.generation).toBe(2);
});

test('Leases: create, then a stale renew loses with 409', async () => {
	const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
	const now = new k8s.V1MicroTime();
	const lease = await coordination.createNamespacedLease({
		namespace: 'shop',
		body: { metadata: { name: 'failover-lock' }, spec: { holderIdentity: 'n8n-a', leaseDurationSeconds: 10, acquireTime: now, renewTime: now } },
	});
	const renewed = await coordination.replaceNamespacedLease({ name: 'failover-lock', namespace: 'shop', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'n8n-a', renewTime: new k8s.V1MicroTime() } } });
	expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(Number(lease.metadata?.resourceVersion));
	const lost = await coordination.replaceNamespacedLease({ name: 'failover-lock', namespace: 'shop', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'n8n-b' } } }).catch((e: unknown) => e);
	expect((lost as k8s.ApiException<string>).code).toBe(409);
	const stored = await coordination.readNamespacedLease({ name: 'failover-lock', namespace: 'shop' });
	expect(stored.spec?.holderIdentity).toBe('n8n-a');
	expect(String(sandbox.get('leases.coordination.k8s.io', 'shop', 'failover-lock')?.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('Events: create and list by field selector', async () => {
	await core.createNamespacedEvent({
		namespace: 'shop',
		body: {
			metadata: { name: 'checkout.canary-rollback' },
			involvedObject: { kind: 'Deployment', name: 'checkout-canary', namespace: 'shop', apiVersion: 'apps/v1' },
			reason: 'CanaryRolledBack',
			message: 'error rate above budget',
			type: 'Warning',
		},
	});
	const events = await core.listNamespacedEvent({ namespace: 'shop', fieldSelector: 'involvedObject.name=checkout-canary,reason=CanaryRolledBack' });
	expect(events.items.map((e) => [e.reason, e.type, e.message])).toEqual([['CanaryRolledBack', 'Warning', 'error rate above budget']]);
});

test('Watch streams changes to an informer-style consumer', async () => {
	const watch = new k8s.Watch(kc);
	const seen: { type: string; replicas?: number }[] = [];
	const request = await watch.watch(
		'/apis/apps/v1/namespaces/shop/deployments',
		{ fieldSelector: 'metadata.name=web' },
		(type: string, obj: k8s.V1Deployment) => seen.push({ type, replicas: obj.spec?.replicas }),
		() => undefined,
	);
	try {
		await waitFor(() => seen.length, (n) => n >= 1, { what: 'the initial ADDED event' });
		expect(seen[0]).toEqual({ type: 'ADDED', replicas: 3 });
		await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'shop', body: { spec: { replicas: 5 } } }, merge);
		await waitFor(() => seen, (s) => s.some((e) => e.type === 'MODIFIED' && e.replicas === 5), { what: 'a MODIFIED event with 5 replicas' });
	} finally {
		request.abort();
	}
});

test('the limited token is confined to its namespaces', async () => {
	const limited = new k8s.KubeConfig();
	limited.loadFromOptions({
		clusters: [{ name: 'c', server: sandbox.url, caData: Buffer.from(sandbox.caCert as string).toString('base64') }],
		users: [{ name: 'u', token: sandbox.tokens.limited }],
		contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
		currentContext: 'ctx',
	});
	const limitedApps = limited.makeApiClient(k8s.AppsV1Api);
	expect((await limitedApps.listNamespacedDeployment({ namespace: 'shop' })).items.length).toBe(4);
	const denied = await limitedApps.listNamespacedDeployment({ namespace: 'kube-system' }).catch((e: unknown) => e);
	expect((denied as k8s.ApiException<string>).code).toBe(403);
	const all = await limitedApps.listDeploymentForAllNamespaces().catch((e: unknown) => e);
	expect((all as k8s.ApiException<string>).code).toBe(403);
});
