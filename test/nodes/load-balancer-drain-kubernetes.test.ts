import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';

import { KubeOpsSigningKey } from '../../credentials/KubeOpsSigningKey.credentials';
import { KubernetesApi } from '../../credentials/KubernetesApi.credentials';
import { LoadBalancerDrain } from '../../nodes/LoadBalancerDrain/LoadBalancerDrain.node';
import { RESTORE_ANNOTATION } from '../../src/loadbalancer';
import { closeN8n, runNode } from '../harness/n8n';
import { signingKeyCredential } from '../harness/signing';
import { type KubeSandbox, renderKubeconfig, startKubeSandbox } from '../sandbox/kube';
import { failoverProposal, gatedItem } from '../unit/loadbalancer/verdicts';

/*
 * The Load Balancer Drain node on Kubernetes traffic weights, inside n8n's
 * executor, against the Kubernetes API sandbox over HTTPS with the Kubernetes
 * API credential: the seeded HTTPRoute shop/checkout (checkout 90,
 * checkout-canary 10) and the ingress-nginx canary shop/checkout-canary
 * (canary-weight 10).
 */

let sandbox: KubeSandbox;

beforeEach(async () => {
	sandbox = await startKubeSandbox({ port: 0, podStartupMs: 50 });
});

afterEach(async () => {
	await sandbox?.close();
});

afterAll(() => closeN8n());

function tokenCredential(): ICredentialDataDecryptedObject {
	return { source: 'token', server: sandbox.url, token: sandbox.tokens.admin, caCertificate: sandbox.caCert as string, timeout: 5000 };
}

interface RunExtra {
	input?: INodeExecutionData[];
	continueOnFail?: boolean;
	credential?: ICredentialDataDecryptedObject;
}

function run(parameters: Record<string, unknown>, extra: RunExtra = {}) {
	return runNode({
		node: LoadBalancerDrain,
		credentialTypes: [KubernetesApi, KubeOpsSigningKey],
		credentials: { kubeOpsKubernetesApi: extra.credential ?? tokenCredential(), kubeOpsSigningKey: signingKeyCredential },
		// Manual operations unless a test says otherwise: items with a verdict are checked either way.
		parameters: { provider: 'kubernetes', kubernetesNamespace: 'shop', requireVerdict: false, ...parameters } as never,
		input: extra.input,
		continueOnFail: extra.continueOnFail,
	});
}

const route = { kubernetesKind: 'httproute', kubernetesRoute: 'checkout' };
const canary = { kubernetesKind: 'ingress', kubernetesIngress: 'checkout-canary' };

function routeWeights(): Record<string, number> {
	const spec = sandbox.get('httproutes.gateway.networking.k8s.io', 'shop', 'checkout')?.spec as { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> };
	return Object.fromEntries(spec.rules.flatMap((r) => r.backendRefs.map((b) => [b.name, b.weight])));
}

function annotations(resource: string, name: string): Record<string, string> {
	return sandbox.get(resource, 'shop', name)?.metadata.annotations ?? {};
}

describe('HTTPRoute backendRef weights', () => {
	test('status lists every backendRef with its weight, one item per input item', async () => {
		const result = await run({ operation: 'status', ...route }, { input: [{ json: {} }, { json: {} }] });
		expect(result.error).toBeUndefined();
		expect(result.outputs[0]).toHaveLength(2);
		expect(result.outputs[0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.outputs[0][0].json).toMatchObject({
			operation: 'status',
			provider: 'kubernetes',
			endpoint: sandbox.url,
			backend: 'httproute/checkout',
			serving: ['checkout', 'checkout-canary'],
			servers: [
				{ server: 'checkout', admin: 'ready', weight: 90, serving: true },
				{ server: 'checkout-canary', admin: 'ready', weight: 10, serving: true },
			],
		});
	});

	test('drain sets the backendRef weight to 0, read back from the cluster; restore puts the old weight back', async () => {
		const drained = await run({ operation: 'drain', ...route, kubernetesService: 'checkout-canary' });
		expect(drained.error).toBeUndefined();
		expect(drained.outputs[0][0]).toMatchObject({
			json: { provider: 'kubernetes', backend: 'httproute/checkout', server: 'checkout-canary', changed: true, before: { weight: 10, serving: true }, after: { admin: 'drain', weight: 0, serving: false } },
			pairedItem: { item: 0 },
		});
		expect(routeWeights()).toEqual({ checkout: 90, 'checkout-canary': 0 });
		expect(JSON.parse(annotations('httproutes.gateway.networking.k8s.io', 'checkout')[RESTORE_ANNOTATION])).toEqual({ 'checkout-canary': 10 });

		const restored = await run({ operation: 'restore', ...route, kubernetesService: 'checkout-canary' });
		expect(restored.error).toBeUndefined();
		expect(restored.outputs[0][0].json).toMatchObject({ changed: true, before: { weight: 0 }, after: { admin: 'ready', weight: 10, serving: true } });
		expect(routeWeights()).toEqual({ checkout: 90, 'checkout-canary': 10 });
		expect(annotations('httproutes.gateway.networking.k8s.io', 'checkout')[RESTORE_ANNOTATION]).toBeUndefined();
	});

	test('draining the last serving backendRef is refused unless forced', async () => {
		await run({ operation: 'drain', ...route, kubernetesService: 'checkout-canary' });

		const refused = await run({ operation: 'drain', ...route, kubernetesService: 'checkout' }, { continueOnFail: true });
		expect(refused.outputs[0][0]).toMatchObject({ json: { errorKind: 'refused', error: expect.stringMatching(/refusing to drain checkout/) }, pairedItem: { item: 0 } });
		expect(routeWeights()).toEqual({ checkout: 90, 'checkout-canary': 0 });

		const failed = await run({ operation: 'drain', ...route, kubernetesService: 'checkout' });
		expect(failed.error?.message).toMatch(/refus/);
		expect(routeWeights()).toEqual({ checkout: 90, 'checkout-canary': 0 });

		const forced = await run({ operation: 'drain', ...route, kubernetesService: 'checkout', force: true });
		expect(forced.error).toBeUndefined();
		expect(forced.outputs[0][0].json).toMatchObject({ changed: true, forced: true, after: { weight: 0 } });
		expect(forced.outputs[0][0].json.warnings).not.toEqual([]);
		expect(routeWeights()).toEqual({ checkout: 0, 'checkout-canary': 0 });
	});

	test('set weight changes one backendRef and reads it back', async () => {
		const result = await run({ operation: 'setWeight', ...route, kubernetesService: 'checkout-canary', weight: 25 });
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toMatchObject({ changed: true, before: { weight: 10 }, after: { weight: 25 } });
		expect(routeWeights()).toEqual({ checkout: 90, 'checkout-canary': 25 });
	});

	test('the verdict rule applies: an Apply verdict drains the proposal\'s server, half a gate is refused', async () => {
		const now = new Date();
		const item = gatedItem(failoverProposal('checkout-canary', 'checkout', now), now);
		const gated = await run({ operation: 'drain', ...route, kubernetesService: '={{ $json.proposal.from }}' }, { input: [{ json: item }] });
		expect(gated.error).toBeUndefined();
		expect(gated.outputs[0][0].json).toMatchObject({ server: 'checkout-canary', changed: true, gate: { verified: true }, verdict: { decision: 'apply' } });
		expect(routeWeights()).toEqual({ checkout: 90, 'checkout-canary': 0 });

		const half = await run({ operation: 'setWeight', ...route, kubernetesService: 'checkout', weight: 50 }, { input: [{ json: { proposal: item.proposal } }], continueOnFail: true });
		expect(half.outputs[0][0]).toMatchObject({ json: { errorKind: 'refused', proposal: item.proposal }, pairedItem: { item: 0 } });
		expect(routeWeights()).toEqual({ checkout: 90, 'checkout-canary': 0 });
	});
});

describe('ingress-nginx canary weight', () => {
	test('status lists the canary and the stable Service; drain sets canary-weight to 0, restore puts 10 back', async () => {
		const status = await run({ operation: 'status', ...canary });
		expect(status.error).toBeUndefined();
		expect(status.outputs[0][0].json).toMatchObject({
			backend: 'ingress/checkout-canary',
			servers: [
				{ server: 'checkout-canary', weight: 10, detail: { role: 'canary' } },
				{ server: 'checkout', weight: 90, detail: { role: 'stable', ingress: 'checkout' } },
			],
		});

		const drained = await run({ operation: 'drain', ...canary, kubernetesService: 'checkout-canary' });
		expect(drained.error).toBeUndefined();
		expect(drained.outputs[0][0].json).toMatchObject({ changed: true, before: { weight: 10 }, after: { weight: 0, serving: false } });
		expect(annotations('ingresses.networking.k8s.io', 'checkout-canary')['nginx.ingress.kubernetes.io/canary-weight']).toBe('0');

		const restored = await run({ operation: 'restore', ...canary, kubernetesService: 'checkout-canary' });
		expect(restored.error).toBeUndefined();
		expect(restored.outputs[0][0].json).toMatchObject({ changed: true, after: { weight: 10, serving: true } });
		expect(annotations('ingresses.networking.k8s.io', 'checkout-canary')['nginx.ingress.kubernetes.io/canary-weight']).toBe('10');
	});
});

describe('credential', () => {
	test('a kubeconfig that would run a command on the n8n host is refused while the switch is off', async () => {
		const kubeconfig = [
			'apiVersion: v1',
			'kind: Config',
			'clusters:',
			`- name: c\n  cluster:\n    server: ${sandbox.url}`,
			'users:',
			'- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/true',
			'contexts:',
			'- name: ctx\n  context:\n    cluster: c\n    user: u',
			'current-context: ctx',
		].join('\n');
		const result = await run({ operation: 'drain', ...route, kubernetesService: 'checkout-canary' }, { credential: { source: 'kubeconfig', kubeconfig }, continueOnFail: true });
		expect(result.outputs[0][0]).toMatchObject({ json: { error: expect.stringMatching(/has "exec", which makes n8n run a command on its host.*"Allow Exec Plugins and Local Files" is off/) }, pairedItem: { item: 0 } });
		expect(routeWeights()).toEqual({ checkout: 90, 'checkout-canary': 10 });
	});

	test('a credential that skips TLS verification needs "Allow Insecure Connection"; then the output and the hints say so', async () => {
		const kubeconfig = renderKubeconfig([{ name: 'shop', url: sandbox.url, tokens: sandbox.tokens }]).replace(/(    server: .*\n)/, '$1    insecure-skip-tls-verify: true\n');
		const insecure = { source: 'kubeconfig', kubeconfig };
		const refused = await run({ operation: 'status', ...route }, { credential: insecure });
		expect(refused.error?.message).toMatch(/Allow Insecure Connection/);
		const allowed = await run({ operation: 'status', ...route }, { credential: { ...insecure, allowInsecure: true } });
		expect(allowed.error).toBeUndefined();
		expect(allowed.outputs[0][0].json.insecure).toMatch(/^Insecure connection allowed by the credential/);
		expect(allowed.taskData?.hints?.map((h) => h.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^Insecure connection allowed by the credential/)]));
	});
});
