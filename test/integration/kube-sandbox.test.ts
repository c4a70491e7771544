import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { startKubeSandbox, writeKubeconfig, type KubeSandbox } from '../sandbox/kube';
import { kubectlBinary, makeKubectl, rawRequest, waitFor, type Kubectl } from '../sandbox/kube/testing';

/*
 * The real kubectl against the sandbox: if kubectl accepts what the sandbox
 * answers, the sandbox speaks the API server's protocol.
 */

let sandbox: KubeSandbox;
let kubectl: Kubectl;
let dir: string;
let kubeconfig: string;

const replicasOf = (name: string) => Number(sandbox.get('deployments.apps', 'shop', name)?.spec?.replicas);

beforeAll(async () => {
	sandbox = await startKubeSandbox({ podStartupMs: 200 });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sandbox-'));
	kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig.yaml'), [{ name: 'sandbox', url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens }]);
	kubectl = makeKubectl(kubeconfig, path.join(dir, 'cache'));
});

afterAll(async () => {
	await sandbox?.close();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function ok(args: string[], input?: string): Promise<string> {
	const result = await kubectl(args, { input });
	if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
	return result.stdout;
}

describe('kubectl get', () => {
	test('prints server-side tables with the real columns', async () => {
		const out = await ok(['get', 'deployments', '-n', 'shop']);
		const lines = out.trim().split('\n');
		expect(lines[0].split(/\s{2,}/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
		const web = lines.find((l) => l.startsWith('web '))?.split(/\s+/);
		expect(web?.slice(0, 4)).toEqual(['web', '3/3', '3', '3']);
		const wide = await ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'wide']);
		expect(wide).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
		expect(wide).toContain('app=web');
	});

	test('-o json returns the stored objects', async () => {
		const list = JSON.parse(await ok(['get', 'deploy', '-n', 'shop', '-o', 'json']));
		const names = list.items.map((d: { metadata: { name: string } }) => d.metadata.name).sort();
		expect(names).toEqual(['checkout', 'checkout-canary', 'web', 'worker']);
		const web = list.items.find((d: { metadata: { name: string } }) => d.metadata.name === 'web');
		expect(web.spec.replicas).toBe(3);
		expect(web.metadata.resourceVersion).toBe(sandbox.get('deployments.apps', 'shop', 'web')?.metadata.resourceVersion);
	});

	test('resources across kinds, short names and custom resources', async () => {
		const out = await ok(['get', 'hpa,ing,so,httproute,cm,lease', '-n', 'shop']);
		expect(out).toMatch(/horizontalpodautoscaler\.autoscaling\/web\s+Deployment\/web\s+cpu: <unknown>\/70%\s+2\s+20\s+3/);
		expect(out).toContain('ingress.networking.k8s.io/checkout-canary');
		expect(out).toMatch(/scaledobject\.keda\.sh\/worker\s+apps\/v1\.Deployment\s+worker\s+2\s+30\s+True/);
		expect(out).toContain('httproute.gateway.networking.k8s.io/checkout');
		expect(out).toContain('configmap/kube-ops-policy');
		const canary = JSON.parse(await ok(['get', 'ingress', 'checkout-canary', '-n', 'shop', '-o', 'json']));
		expect(canary.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' });
		const route = JSON.parse(await ok(['get', 'httproute', 'checkout', '-n', 'shop', '-o', 'json']));
		expect(route.spec.rules[0].backendRefs.map((b: { weight: number }) => b.weight)).toEqual([90, 10]);
	});

	test('get --raw reaches version and discovery documents', async () => {
		const version = JSON.parse(await ok(['get', '--raw', '/version']));
		expect(version).toMatchObject({ major: '1', minor: '32' });
		const apps = JSON.parse(await ok(['get', '--raw', '/apis/apps/v1']));
		const names = apps.resources.map((r: { name: string }) => r.name);
		expect(names).toEqual(expect.arrayContaining(['deployments', 'deployments/scale', 'deployments/status', 'replicasets']));
		const scale = apps.resources.find((r: { name: string }) => r.name === 'deployments/scale');
		expect(scale).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
		expect(await ok(['api-resources', '--api-group=keda.sh', '-o', 'name'])).toContain('scaledobjects.keda.sh');
	});

	test('a namespace is an object; a missing one is 404', async () => {
		expect(await ok(['get', 'ns'])).toMatch(/shop\s+Active/);
		const missing = await kubectl(['get', 'ns', 'nowhere']);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toContain('Error from server (NotFound): namespaces "nowhere" not found');
		const create = await kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'nowhere' } }) });
		expect(create.stderr).toContain('Error from server (NotFound): error when creating "STDIN": namespaces "nowhere" not found');
	});

	test('get -w streams watch events as the object changes', async () => {
		const child = spawn(kubectlBinary(), ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), 'get', 'deploy', 'checkout-canary', '-n', 'shop', '-w', '--output-watch-events']);
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		try {
			await waitFor(() => out, (o) => /ADDED\s+checkout-canary/.test(o), { what: 'the ADDED event' });
			await ok(['scale', 'deploy', 'checkout-canary', '-n', 'shop', '--replicas=2']);
			await waitFor(() => out, (o) => /MODIFIED\s+checkout-canary\s+2\/2/.test(o), { what: 'MODIFIED events up to 2/2 ready' });
		} finally {
			child.kill();
		}
		expect(out.split('\n')[0]).toMatch(/^EVENT\s+NAME\s+READY/);
	});
});

describe('kubectl writes', () => {
	test('scale goes through the scale subresource and converges', async () => {
		expect(await ok(['scale', 'deploy', 'checkout', '-n', 'shop', '--replicas=6'])).toContain('deployment.apps/checkout scaled');
		expect(replicasOf('checkout')).toBe(6);
		const ready = await waitFor(() => sandbox.get('deployments.apps', 'shop', 'checkout')?.status?.readyReplicas, (n) => n === 6, { what: 'checkout 6 ready' });
		expect(ready).toBe(6);
		const scale = JSON.parse(await ok(['get', '--raw', '/apis/apps/v1/namespaces/shop/deployments/checkout/scale']));
		expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 6 }, status: { replicas: 6, selector: 'app=checkout,track=stable' } });
	});

	test('patch --type merge', async () => {
		await ok(['patch', 'deploy', 'checkout-canary', '-n', 'shop', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"payments"}}}']);
		expect(sandbox.get('deployments.apps', 'shop', 'checkout-canary')?.metadata.labels).toEqual({ app: 'checkout', track: 'canary', tier: 'payments' });
	});

	test('patch --type strategic merges container lists by name, where a merge patch replaces them', async () => {
		const before = sandbox.get('deployments.apps', 'shop', 'web');
		const generation = before?.metadata.generation as number;
		const patch = '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"LOG_LEVEL","value":"debug"}]}]}}}}';
		await ok(['patch', 'deploy', 'web', '-n', 'shop', '--type', 'strategic', '-p', patch]);
		const after = sandbox.get('deployments.apps', 'shop', 'web');
		const containers = (after?.spec?.template as { spec: { containers: Record<string, unknown>[] } }).spec.containers;
		expect(containers).toHaveLength(1);
		expect(containers[0]).toMatchObject({ name: 'web', image: 'ghcr.io/kube-ops-demo/web:1.8.0', env: [{ name: 'LOG_LEVEL', value: 'debug' }] });
		expect(after?.metadata.generation).toBe(generation + 1);
		const merge = await kubectl(['patch', 'deploy', 'web', '-n', 'shop', '--type', 'merge', '-p', patch]);
		expect(merge.code).toBe(1);
		expect(merge.stderr).toContain('The Deployment "web" is invalid: spec.template.spec.containers[0].image: Required value');
	});

	test('patch --type json, including a failing test operation', async () => {
		await ok(['patch', 'deploy', 'checkout-canary', '-n', 'shop', '--type', 'json', '-p', '[{"op":"add","path":"/metadata/annotations","value":{"team":"checkout"}}]']);
		expect(sandbox.get('deployments.apps', 'shop', 'checkout-canary')?.metadata.annotations).toMatchObject({ team: 'checkout' });
		const failed = await kubectl(['patch', 'deploy', 'checkout-canary', '-n', 'shop', '--type', 'json', '-p', '[{"op":"test","path":"/metadata/annotations/team","value":"web"},{"op":"remove","path":"/metadata/annotations/team"}]']);
		expect(failed.code).toBe(1);
		expect(failed.stderr).toContain('test failed');
		expect(sandbox.get('deployments.apps', 'shop', 'checkout-canary')?.metadata.annotations).toMatchObject({ team: 'checkout' });
	});

	test('annotate', async () => {
		expect(await ok(['annotate', 'deploy', 'checkout', '-n', 'shop', 'kube-ops.io/pre-scaled-by=forecast'])).toContain('annotated');
		expect(sandbox.get('deployments.apps', 'shop', 'checkout')?.metadata.annotations?.['kube-ops.io/pre-scaled-by']).toBe('forecast');
	});

	test('--dry-run=server validates and persists nothing', async () => {
		const before = sandbox.get('deployments.apps', 'shop', 'checkout');
		const configMapVersion = sandbox.get('configmaps', 'shop', 'kube-ops-policy')?.metadata.resourceVersion;
		expect(await ok(['scale', 'deploy', 'checkout', '-n', 'shop', '--replicas=11', '--dry-run=server'])).toContain('scaled (server dry run)');
		const patched = JSON.parse(await ok(['patch', 'deploy', 'checkout', '-n', 'shop', '--type', 'merge', '-p', '{"spec":{"replicas":12}}', '--dry-run=server', '-o', 'json']));
		expect(patched.spec.replicas).toBe(12);
		expect(await ok(['delete', 'cm', 'kube-ops-policy', '-n', 'shop', '--dry-run=server'])).toContain('deleted (server dry run)');
		const invalid = await kubectl(['patch', 'deploy', 'checkout', '-n', 'shop', '--type', 'merge', '-p', '{"spec":{"replicas":-3}}', '--dry-run=server']);
		expect(invalid.stderr).toContain('must be greater than or equal to 0');
		expect(sandbox.get('deployments.apps', 'shop', 'checkout')).toEqual(before);
		expect(sandbox.get('configmaps', 'shop', 'kube-ops-policy')?.metadata.resourceVersion).toBe(configMapVersion);
	});

	test('replace with a stale resourceVersion is a 409 Conflict', async () => {
		const stale = await ok(['get', 'cm', 'kube-ops-policy', '-n', 'shop', '-o', 'json']);
		await ok(['patch', 'cm', 'kube-ops-policy', '-n', 'shop', '--type', 'merge', '-p', '{"data":{"max-scale-step":"6"}}']);
		const file = path.join(dir, 'stale-cm.json');
		fs.writeFileSync(file, stale);
		const replaced = await kubectl(['replace', '-f', file]);
		expect(replaced.code).toBe(1);
		expect(replaced.stderr).toContain('Error from server (Conflict)');
		expect(replaced.stderr).toContain('Operation cannot be fulfilled on configmaps "kube-ops-policy": the object has been modified');
		expect(sandbox.get('configmaps', 'shop', 'kube-ops-policy')?.data).toMatchObject({ 'max-scale-step': '6' });

		const cm = JSON.parse(stale);
		const raw = await rawRequest(sandbox, 'PUT', '/api/v1/namespaces/shop/configmaps/kube-ops-policy', { token: sandbox.tokens.admin, body: cm });
		expect(raw.status).toBe(409);
		expect(raw.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Conflict', code: 409, details: { name: 'kube-ops-policy', kind: 'configmaps' } });
		// The current resourceVersion is accepted.
		cm.metadata.resourceVersion = sandbox.get('configmaps', 'shop', 'kube-ops-policy')?.metadata.resourceVersion;
		const fresh = await rawRequest(sandbox, 'PUT', '/api/v1/namespaces/shop/configmaps/kube-ops-policy', { token: sandbox.tokens.admin, body: cm });
		expect(fresh.status).toBe(200);
		expect(Number(fresh.json().metadata && (fresh.json().metadata as { resourceVersion: string }).resourceVersion)).toBeGreaterThan(Number(cm.metadata.resourceVersion));
	});
});

describe('errors are metav1.Status with the right code', () => {
	test('401 without a valid token', async () => {
		const denied = await kubectl(['--token', 'not-a-token', 'get', 'deploy', '-n', 'shop']);
		expect(denied.code).toBe(1);
		expect(denied.stderr).toContain('Unauthorized');
		const raw = await rawRequest(sandbox, 'GET', '/apis/apps/v1/namespaces/shop/deployments');
		expect(raw.status).toBe(401);
		expect(raw.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
	});

	test('403 for the limited token outside its namespaces', async () => {
		expect(await ok(['--user', 'sandbox-limited', 'get', 'deploy', 'web', '-n', 'shop', '-o', 'name'])).toBe('deployment.apps/web\n');
		const denied = await kubectl(['--user', 'sandbox-limited', 'get', 'cm', '-n', 'kube-system']);
		expect(denied.code).toBe(1);
		expect(denied.stderr).toContain('Error from server (Forbidden): configmaps is forbidden: User "sandbox-limited" cannot list resource "configmaps" in API group "" in the namespace "kube-system"');
		const raw = await rawRequest(sandbox, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { token: sandbox.tokens.limited, body: { spec: { replicas: 1 } }, contentType: 'application/merge-patch+json' });
		expect(raw.status).toBe(403);
		expect(raw.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, details: { name: 'web', group: 'apps', kind: 'deployments' } });
		expect(String(raw.json().message)).toContain('cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"');
	});

	test('404 for a missing object', async () => {
		const missing = await kubectl(['get', 'deploy', 'nope', '-n', 'shop']);
		expect(missing.stderr).toContain('Error from server (NotFound): deployments.apps "nope" not found');
		const raw = await rawRequest(sandbox, 'GET', '/apis/apps/v1/namespaces/shop/deployments/nope', { token: sandbox.tokens.admin });
		expect(raw.status).toBe(404);
		expect(raw.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404, details: { name: 'nope', group: 'apps', kind: 'deployments' } });
	});

	test('422 for negative replicas, with field causes', async () => {
		const invalid = await kubectl(['patch', 'deploy', 'checkout', '-n', 'shop', '--type', 'merge', '-p', '{"spec":{"replicas":-1}}']);
		expect(invalid.code).toBe(1);
		expect(invalid.stderr).toContain('The Deployment "checkout" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
		const raw = await rawRequest(sandbox, 'PATCH', '/apis/apps/v1/namespaces/shop/deployments/checkout/scale', {
			token: sandbox.tokens.admin,
			body: { spec: { replicas: -1 } },
			contentType: 'application/merge-patch+json',
		});
		expect(raw.status).toBe(422);
		expect(raw.json()).toMatchObject({
			kind: 'Status',
			reason: 'Invalid',
			code: 422,
			message: 'Scale.autoscaling "checkout" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
			details: { name: 'checkout', group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas' }] },
		});
	});
});

describe('other kinds', () => {
	test('Leases: create and get', async () => {
		const lease = `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: kube-ops-failover
  namespace: shop
spec:
  holderIdentity: n8n-worker-1
  leaseDurationSeconds: 15
`;
		expect(await ok(['create', '-f', '-'], lease)).toContain('lease.coordination.k8s.io/kube-ops-failover created');
		expect(await ok(['get', 'lease', '-n', 'shop'])).toMatch(/kube-ops-failover\s+n8n-worker-1/);
		const again = await kubectl(['create', '-f', '-'], { input: lease });
		expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating "STDIN": leases.coordination.k8s.io "kube-ops-failover" already exists');
		const stored = sandbox.get('leases.coordination.k8s.io', 'shop', 'kube-ops-failover');
		expect(stored?.spec).toEqual({ holderIdentity: 'n8n-worker-1', leaseDurationSeconds: 15 });
	});

	test('Events: create, list with a field selector', async () => {
		const event = JSON.stringify({
			apiVersion: 'v1',
			kind: 'Event',
			metadata: { name: 'web.kubeops-prescale', namespace: 'shop' },
			involvedObject: { kind: 'Deployment', name: 'web', namespace: 'shop', apiVersion: 'apps/v1' },
			reason: 'PreScaled',
			message: 'kube-ops raised web ahead of the forecast peak',
			type: 'Normal',
			source: { component: 'kube-ops' },
		});
		await ok(['create', '-f', '-'], event);
		const listed = JSON.parse(await ok(['get', 'events', '-n', 'shop', '--field-selector', 'reason=PreScaled', '-o', 'json']));
		expect(listed.items).toHaveLength(1);
		expect(listed.items[0]).toMatchObject({ reason: 'PreScaled', involvedObject: { name: 'web' } });
		expect(await ok(['get', 'events', '-n', 'shop', '--field-selector', 'involvedObject.name=web,reason=PreScaled'])).toMatch(/Normal\s+PreScaled\s+deployment\/web\s+kube-ops raised web/);
	});

	test('a custom resource patch reaches its controller (KEDA bounds move the HPA)', async () => {
		await ok(['patch', 'scaledobject', 'worker', '-n', 'shop', '--type', 'merge', '-p', '{"spec":{"maxReplicaCount":45}}']);
		expect(sandbox.get('scaledobjects.keda.sh', 'shop', 'worker')?.spec?.maxReplicaCount).toBe(45);
		await waitFor(() => sandbox.get('horizontalpodautoscalers.autoscaling', 'shop', 'keda-hpa-worker')?.spec?.maxReplicas, (m) => m === 45, { what: 'keda HPA max 45' });
		const strategic = await kubectl(['patch', 'scaledobject', 'worker', '-n', 'shop', '--type', 'strategic', '-p', '{"spec":{"maxReplicaCount":46}}']);
		expect(strategic.code).toBe(1);
		expect(strategic.stderr).toContain('application/strategic-merge-patch+json is not supported');
	});

	test('a CRD created through the API is served at once', async () => {
		const crd = {
			apiVersion: 'apiextensions.k8s.io/v1',
			kind: 'CustomResourceDefinition',
			metadata: { name: 'failoverplans.kube-ops.io' },
			spec: {
				group: 'kube-ops.io',
				scope: 'Namespaced',
				names: { kind: 'FailoverPlan', plural: 'failoverplans', singular: 'failoverplan', shortNames: ['fp'] },
				versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
			},
		};
		await ok(['create', '-f', '-'], JSON.stringify(crd));
		await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'kube-ops.io/v1', kind: 'FailoverPlan', metadata: { name: 'east-to-west', namespace: 'shop' }, spec: { from: 'us-east', to: 'us-west' } }));
		expect(await ok(['get', 'fp', '-n', 'shop'])).toMatch(/east-to-west/);
		await ok(['delete', 'crd', 'failoverplans.kube-ops.io']);
		const gone = await kubectl(['get', '--raw', '/apis/kube-ops.io/v1/namespaces/shop/failoverplans']);
		expect(gone.code).toBe(1);
	});
});
