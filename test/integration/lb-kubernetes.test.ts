import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';

import { runCli } from '../../src/cli/main';
import { KubernetesWeightsProvider, LoadBalancerError, RESTORE_ANNOTATION } from '../../src/loadbalancer';
import { startKubeSandbox, writeKubeconfig, type KubeSandbox } from '../sandbox/kube';

/*
 * Kubernetes traffic weights against the API sandbox (the real protocol over
 * HTTPS, resourceVersions and 409 conflicts included): Gateway API HTTPRoute
 * backendRef weights and the ingress-nginx canary weight.
 */

let sandbox: KubeSandbox;
let dir: string;
let kubeconfigPath: string;
let provider: KubernetesWeightsProvider;
const route = 'httproute/checkout';
const canaryIngress = 'ingress/checkout-canary';

function kubeConfig(token: string): k8s.KubeConfig {
	const kc = new k8s.KubeConfig();
	kc.loadFromOptions({
		clusters: [{ name: 'sandbox', server: sandbox.url, caData: Buffer.from(sandbox.caCert as string).toString('base64') }],
		users: [{ name: 'u', token }],
		contexts: [{ name: 'ctx', cluster: 'sandbox', user: 'u' }],
		currentContext: 'ctx',
	});
	return kc;
}

beforeAll(async () => {
	sandbox = await startKubeSandbox({ podStartupMs: 100, clusterName: 'lb' });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-lb-kube-'));
	kubeconfigPath = writeKubeconfig(path.join(dir, 'kubeconfig.yaml'), [{ name: 'lb', url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens }]);
	provider = new KubernetesWeightsProvider({ kubeConfig: kubeConfig(sandbox.tokens.admin), namespace: 'shop' });
});

afterEach(() => sandbox.faults.clear());

afterAll(async () => {
	await sandbox?.close();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function routeWeights(name = 'checkout'): number[] {
	const spec = sandbox.get('httproutes.gateway.networking.k8s.io', 'shop', name)?.spec as { rules: Array<{ backendRefs: Array<{ weight: number }> }> };
	return spec.rules.flatMap((r) => r.backendRefs.map((b) => b.weight));
}

function annotations(resource: string, name: string): Record<string, string> {
	return (sandbox.get(resource, 'shop', name)?.metadata?.annotations ?? {}) as Record<string, string>;
}

describe('Gateway API HTTPRoute weights', () => {
	test('status lists the backendRefs with their weights', async () => {
		const status = await provider.status(route);
		expect(status).toMatchObject({ provider: 'kubernetes', endpoint: sandbox.url, backend: route, serving: ['checkout', 'checkout-canary'] });
		expect(status.servers.map((s) => [s.server, s.admin, s.weight, s.serving])).toEqual([
			['checkout', 'ready', 90, true],
			['checkout-canary', 'ready', 10, true],
		]);
		expect(status.servers[1].detail).toEqual({ rules: [{ rule: 0, weight: 10 }], kind: 'Service' });
	});

	test('drain sets the canary weight to 0 and remembers 10 on the object; a repeat is a no-op; restore puts 10 back', async () => {
		const rvBefore = sandbox.get('httproutes.gateway.networking.k8s.io', 'shop', 'checkout')?.metadata?.resourceVersion;
		const drained = await provider.drain({ backend: route, server: 'checkout-canary' });
		expect(drained).toMatchObject({ changed: true, before: { weight: 10, admin: 'ready' }, after: { weight: 0, admin: 'drain', serving: false } });
		expect(routeWeights()).toEqual([90, 0]);
		expect(JSON.parse(annotations('httproutes.gateway.networking.k8s.io', 'checkout')[RESTORE_ANNOTATION])).toEqual({ 'checkout-canary': 10 });
		expect(sandbox.get('httproutes.gateway.networking.k8s.io', 'shop', 'checkout')?.metadata?.resourceVersion).not.toBe(rvBefore);

		expect(await provider.drain({ backend: route, server: 'checkout-canary' })).toMatchObject({ changed: false, message: 'checkout-canary is already drained: it takes no new traffic; nothing changed' });

		const restored = await provider.restore({ backend: route, server: 'checkout-canary' });
		expect(restored).toMatchObject({ changed: true, before: { weight: 0 }, after: { weight: 10, admin: 'ready' } });
		expect(routeWeights()).toEqual([90, 10]);
		expect(annotations('httproutes.gateway.networking.k8s.io', 'checkout')[RESTORE_ANNOTATION]).toBeUndefined();
	});

	test('the last weighted backend of a rule is refused unless forced', async () => {
		await provider.drain({ backend: route, server: 'checkout-canary' });
		const refused = await provider.drain({ backend: route, server: 'checkout' }).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(LoadBalancerError);
		expect((refused as Error).message).toBe(
			'kubernetes httproute shop/checkout backend checkout: refusing to drain checkout: it is the last server that takes traffic in rule 0 (/checkout) of httproute/checkout; the others: checkout-canary (drained, health unknown, weight 0)',
		);
		expect(routeWeights()).toEqual([90, 0]);
		await expect(provider.setWeight({ backend: route, server: 'checkout' }, 0)).rejects.toMatchObject({ kind: 'refused' });
		await provider.restore({ backend: route, server: 'checkout-canary' });
	});

	test('per rule: a Service that is alone in one rule cannot be drained even if another rule has company', async () => {
		const custom = kubeConfig(sandbox.tokens.admin).makeApiClient(k8s.CustomObjectsApi);
		await custom.createNamespacedCustomObject({
			group: 'gateway.networking.k8s.io',
			version: 'v1',
			namespace: 'shop',
			plural: 'httproutes',
			body: {
				apiVersion: 'gateway.networking.k8s.io/v1',
				kind: 'HTTPRoute',
				metadata: { name: 'payments' },
				spec: {
					parentRefs: [{ name: 'shop-gateway' }],
					rules: [
						{ matches: [{ path: { type: 'PathPrefix', value: '/cart' } }], backendRefs: [{ name: 'web', port: 80, weight: 50 }, { name: 'checkout', port: 80, weight: 50 }] },
						{ matches: [{ path: { type: 'PathPrefix', value: '/pay' } }], backendRefs: [{ name: 'checkout', port: 80 }] },
					],
				},
			},
		});
		const status = await provider.status('httproute/payments');
		expect(status.servers.find((s) => s.server === 'checkout')?.detail.rules).toEqual([
			{ rule: 0, weight: 50 },
			{ rule: 1, weight: 1 },
		]);
		await expect(provider.drain({ backend: 'shop/httproute/payments', server: 'checkout' })).rejects.toMatchObject({
			kind: 'refused',
			message: expect.stringMatching(/last server that takes traffic in rule 1 \(\/pay\) of shop\/httproute\/payments/),
		});
		const forced = await provider.drain({ backend: 'httproute/payments', server: 'checkout' }, { force: true });
		expect(forced).toMatchObject({ forced: true, after: { weight: 0 } });
		expect(routeWeights('payments')).toEqual([50, 0, 0]);
		const back = await provider.restore({ backend: 'httproute/payments', server: 'checkout' });
		expect(back.after.weight).toBe(50);
		expect(routeWeights('payments')).toEqual([50, 50, 50]);
	});

	test('resourceVersion-safe: a write that loses a race (409) is planned again from a fresh read; one that always loses fails clearly', async () => {
		const fault = sandbox.faults.add({ type: 'conflict', path: '/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/checkout', times: 1 });
		const result = await provider.setWeight({ backend: route, server: 'checkout-canary' }, 25);
		expect(sandbox.faults.hits(fault.id)).toBe(1);
		expect(result).toMatchObject({ changed: true, before: { weight: 10 }, after: { weight: 25 } });
		expect(routeWeights()).toEqual([90, 25]);

		sandbox.faults.add({ type: 'conflict', path: '/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/checkout' });
		const lost = await provider.setWeight({ backend: route, server: 'checkout-canary' }, 10).catch((e: unknown) => e);
		expect(lost).toMatchObject({ kind: 'conflict', httpStatus: 409 });
		expect((lost as Error).message).toMatch(/^kubernetes httproute shop\/checkout: 409 Conflict: /);
		sandbox.faults.clear();
		await provider.setWeight({ backend: route, server: 'checkout-canary' }, 10);
	});

	test('a stale resourceVersion is really refused by the server: a concurrent edit between read and write wins, ours is re-planned on top of it', async () => {
		const custom = kubeConfig(sandbox.tokens.admin).makeApiClient(k8s.CustomObjectsApi);
		// Slow our PATCH down, and land a concurrent change while it waits.
		sandbox.faults.add({ type: 'latency', latencyMs: 300, methods: ['PATCH'], path: '/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/checkout', times: 1 });
		const ours = provider.setWeight({ backend: route, server: 'checkout-canary' }, 20);
		await new Promise((r) => setTimeout(r, 100));
		await custom.patchNamespacedCustomObject(
			{ group: 'gateway.networking.k8s.io', version: 'v1', namespace: 'shop', plural: 'httproutes', name: 'checkout', body: { metadata: { labels: { touched: 'yes' } }, spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/checkout' } }], backendRefs: [{ name: 'checkout', port: 80, weight: 80 }, { name: 'checkout-canary', port: 80, weight: 10 }] }] } } },
			k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
		);
		const result = await ours;
		// The other writer's 80 survived: our write was refused (409) and re-planned on top of it.
		expect(routeWeights()).toEqual([80, 20]);
		expect(result.after.weight).toBe(20);
		await provider.setWeight({ backend: route, server: 'checkout' }, 90);
		await provider.setWeight({ backend: route, server: 'checkout-canary' }, 10);
	});
});

describe('ingress-nginx canary weight', () => {
	test('status pairs the canary with its stable Ingress by host', async () => {
		const status = await provider.status(canaryIngress);
		expect(status.servers.map((s) => [s.server, s.weight, s.detail.role, s.detail.ingress])).toEqual([
			['checkout-canary', 10, 'canary', 'checkout-canary'],
			['checkout', 90, 'stable', 'checkout'],
		]);
	});

	test('drain the canary: canary-weight 0, remembered; restore: 10 again', async () => {
		const drained = await provider.drain({ backend: canaryIngress, server: 'checkout-canary' });
		expect(drained).toMatchObject({ changed: true, before: { weight: 10 }, after: { weight: 0, admin: 'drain' } });
		expect(annotations('ingresses.networking.k8s.io', 'checkout-canary')['nginx.ingress.kubernetes.io/canary-weight']).toBe('0');
		const stable = (await provider.status(canaryIngress)).servers.find((s) => s.server === 'checkout');
		expect(stable?.weight).toBe(100);
		// With the canary at 0, the stable Ingress is the last that serves.
		await expect(provider.drain({ backend: canaryIngress, server: 'checkout' })).rejects.toMatchObject({ kind: 'refused' });
		const restored = await provider.restore({ backend: canaryIngress, server: 'checkout-canary' });
		expect(restored).toMatchObject({ changed: true, after: { weight: 10 } });
		expect(annotations('ingresses.networking.k8s.io', 'checkout-canary')['nginx.ingress.kubernetes.io/canary-weight']).toBe('10');
		expect(annotations('ingresses.networking.k8s.io', 'checkout-canary')[RESTORE_ANNOTATION]).toBeUndefined();
	});

	test('setWeight on the canary; a weight above canary-weight-total is refused', async () => {
		expect(await provider.setWeight({ backend: canaryIngress, server: 'checkout-canary' }, 30)).toMatchObject({ after: { weight: 30 } });
		await expect(provider.setWeight({ backend: canaryIngress, server: 'checkout-canary' }, 130)).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/outside 0-100/) });
		await provider.setWeight({ backend: canaryIngress, server: 'checkout-canary' }, 10);
	});

	test('setWeight 0 is remembered too; a weight set to 0 behind our back needs an explicit one to restore', async () => {
		await provider.setWeight({ backend: canaryIngress, server: 'checkout-canary' }, 0);
		expect(await provider.restore({ backend: canaryIngress, server: 'checkout-canary' })).toMatchObject({ after: { weight: 10 } });
		// kubectl annotate --overwrite ...canary-weight=0: nothing remembered.
		const networking = kubeConfig(sandbox.tokens.admin).makeApiClient(k8s.NetworkingV1Api);
		await networking.patchNamespacedIngress(
			{ namespace: 'shop', name: 'checkout-canary', body: { metadata: { annotations: { 'nginx.ingress.kubernetes.io/canary-weight': '0' } } } },
			k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
		);
		await expect(provider.restore({ backend: canaryIngress, server: 'checkout-canary' })).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/no weight to restore was remembered/) });
		expect(await provider.restore({ backend: canaryIngress, server: 'checkout-canary' }, { weight: 10 })).toMatchObject({ after: { weight: 10 } });
	});
});

describe('hostile canary annotations', () => {
	test('an unreadable canary-weight or canary-weight-total reads as ingress-nginx reads it (0 and 100), never as NaN weights', async () => {
		const networking = kubeConfig(sandbox.tokens.admin).makeApiClient(k8s.NetworkingV1Api);
		const set = (annotations: Record<string, string | null>) =>
			networking.patchNamespacedIngress({ namespace: 'shop', name: 'checkout-canary', body: { metadata: { annotations } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
		await set({ 'nginx.ingress.kubernetes.io/canary-weight': 'ten', 'nginx.ingress.kubernetes.io/canary-weight-total': '-5' });
		try {
			const status = await provider.status(canaryIngress);
			expect(status.servers.map((s) => [s.server, s.weight, s.detail.canaryWeightTotal])).toEqual([
				['checkout-canary', 0, 100],
				['checkout', 100, 100],
			]);
			await expect(provider.setWeight({ backend: canaryIngress, server: 'checkout-canary' }, 101)).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/outside 0-100/) });
			expect(await provider.setWeight({ backend: canaryIngress, server: 'checkout-canary' }, 10)).toMatchObject({ changed: true, after: { weight: 10 } });
			expect(annotations('ingresses.networking.k8s.io', 'checkout-canary')['nginx.ingress.kubernetes.io/canary-weight']).toBe('10');
		} finally {
			await set({ 'nginx.ingress.kubernetes.io/canary-weight': '10', 'nginx.ingress.kubernetes.io/canary-weight-total': null });
		}
	});
});

describe('errors name the provider, the object and the cause', () => {
	test('missing objects, a non-canary Ingress, a bad backend, a forbidden namespace, a dead API server', async () => {
		await expect(provider.status('httproute/nope')).rejects.toMatchObject({ kind: 'not_found', message: expect.stringMatching(/^kubernetes httproute shop\/nope: 404 NotFound: /) });
		await expect(provider.status('ingress/checkout')).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^kubernetes ingress shop\/checkout: it is not an ingress-nginx canary/) });
		await expect(provider.status('deployment/web')).rejects.toMatchObject({ kind: 'invalid', message: 'kubernetes "deployment/web": not a traffic backend this provider knows' });
		await expect(provider.drain({ backend: route, server: 'nope' })).rejects.toMatchObject({ kind: 'not_found', message: 'kubernetes httproute shop/checkout backend nope: no server "nope" in httproute/checkout; it has: checkout, checkout-canary' });
		const limited = new KubernetesWeightsProvider({ kubeConfig: kubeConfig(sandbox.tokens.limited), namespace: 'kube-system' });
		await expect(limited.status(route)).rejects.toMatchObject({ kind: 'permission', httpStatus: 403, fix: expect.stringMatching(/RBAC/) });
		const dead = new k8s.KubeConfig();
		dead.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
		await expect(new KubernetesWeightsProvider({ kubeConfig: dead }).status(route)).rejects.toMatchObject({
			kind: 'unreachable',
			message: 'kubernetes https://127.0.0.1:1 httproute default/checkout: cannot reach the API server: connection refused',
		});
	});
});

test('the CLI: kube-ops lb drain/restore --provider kubernetes with a kubeconfig', async () => {
	const io = () => {
		const out = { stdout: '', stderr: '' };
		return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), now: () => Date.now() / 1000 } };
	};
	const common = ['--provider', 'kubernetes', '--kubeconfig', kubeconfigPath, '--namespace', 'shop', '--backend', route];
	const drain = io();
	expect(await runCli(['lb', 'drain', ...common, '--server', 'checkout-canary', '--json'], drain.io)).toBe(0);
	expect(JSON.parse(drain.out.stdout)).toMatchObject({ provider: 'kubernetes', changed: true, before: { weight: 10 }, after: { weight: 0 } });
	const refused = io();
	expect(await runCli(['lb', 'drain', ...common, '--server', 'checkout'], refused.io)).toBe(3);
	expect(refused.out.stderr).toMatch(/refusing to drain checkout/);
	const status = io();
	expect(await runCli(['lb', 'status', ...common], status.io)).toBe(0);
	expect(status.out.stdout).toMatch(/checkout-canary\s+drain\s+unknown\s+0\s+-\s+no/);
	const restore = io();
	expect(await runCli(['lb', 'restore', ...common, '--server', 'checkout-canary', '--json'], restore.io)).toBe(0);
	expect(JSON.parse(restore.out.stdout).after.weight).toBe(10);
});
