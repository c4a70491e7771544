import { waitFor } from '../sandbox/kube/testing';
import { eventsFor, fingerprint, lastChange, object, only, runPatch, sandboxCluster } from '../unit/kubernetes/support';

/*
 * Every operation of the Kubernetes Patch node, inside n8n-core's
 * WorkflowExecute, against the Kubernetes API sandbox over HTTPS: the real
 * @kubernetes/client-node KubeConfig and transport, real REST semantics
 * (resourceVersion, dryRun=All, scale subresource, controllers).
 */

const cluster = sandboxCluster('each test');

const outputKeys = ['after', 'attempts', 'before', 'changed', 'decisionId', 'dryRun', 'event', 'operation', 'resourceVersion', 'target', 'warnings'];

describe('scale', () => {
	test('sets replicas through the scale subresource, annotates the target and records an Event on it', async () => {
		const result = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'checkout', replicas: 6 });
		const json = only(result);
		expect(Object.keys(json).sort()).toEqual(outputKeys);
		expect(json).toMatchObject({
			operation: 'scale',
			target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'checkout', cluster: 'prod-eu-1' },
			before: { replicas: 4 },
			after: { replicas: 6 },
			changed: true,
			dryRun: false,
			attempts: 1,
			decisionId: null,
			warnings: [],
			event: { written: true, reason: 'Scaled' },
		});
		expect(result.outputs[0][0].pairedItem).toEqual({ item: 0 });
		const checkout = object(cluster, 'deployments.apps', 'checkout');
		expect(checkout.spec?.replicas).toBe(6);
		// The controllers move the resourceVersion on (status); ours is the one our last write got.
		expect(Number(json.resourceVersion)).toBeGreaterThan(0);
		expect(Number(json.resourceVersion)).toBeLessThanOrEqual(Number(checkout.metadata.resourceVersion));
		expect(lastChange(checkout)).toMatchObject({ operation: 'scale', from: { replicas: 4 }, to: { replicas: 6 }, by: expect.stringMatching(/^n8n workflow ".*" \(id kube-ops-test\), execution \d+$/) });
		expect(Date.parse(lastChange(checkout).at as string)).toBeGreaterThan(Date.now() - 60_000);
		const [event] = eventsFor(cluster, 'checkout');
		expect(event).toMatchObject({
			reason: 'Scaled',
			type: 'Normal',
			involvedObject: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'checkout', namespace: 'shop', uid: checkout.metadata.uid },
			source: { component: 'kube-ops' },
		});
		expect(event.message).toMatch(/^scale deployments\/checkout: \{"replicas":4\} → \{"replicas":6\} by n8n workflow/);
		expect((json.event as { name: string }).name).toBe(event.metadata.name);
	});

	test('warns when an HPA manages the workload, in the output and as a hint', async () => {
		const result = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 30 });
		const json = only(result);
		expect(json.warnings).toEqual([expect.stringMatching(/^HorizontalPodAutoscaler "web" manages deployments\.apps "web" \(min 2, max 20\): 30 is outside that range.*use Set HPA Min\/Max/)]);
		expect(result.taskData?.hints?.map((h) => h.message)).toEqual(json.warnings);
	});

	test('asking for the current count changes nothing and writes no Event', async () => {
		const before = object(cluster, 'deployments.apps', 'checkout');
		const json = only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'checkout', replicas: 4 }));
		expect(json).toMatchObject({ changed: false, attempts: 0, before: { replicas: 4 }, after: { replicas: 4 }, event: { written: false, skipped: expect.stringMatching(/no change/) } });
		expect(object(cluster, 'deployments.apps', 'checkout')).toEqual(before);
		expect(eventsFor(cluster, 'checkout')).toEqual([]);
	});

	test('scales a custom kind with a scale subresource by API version and kind (Argo Rollout)', async () => {
		cluster.sandbox.api.create(cluster.sandbox.api.def('rollouts.argoproj.io'), 'shop', {
			apiVersion: 'argoproj.io/v1alpha1',
			kind: 'Rollout',
			metadata: { name: 'cart', namespace: 'shop' },
			spec: { replicas: 2, selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'cart:1' }] } } },
		});
		const json = only(await runPatch(cluster, { operation: 'scale', workloadKind: 'custom', customApiVersion: 'argoproj.io/v1alpha1', customKind: 'Rollout', namespace: 'shop', name: 'cart', replicas: 5 }));
		expect(json).toMatchObject({ target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' }, before: { replicas: 2 }, after: { replicas: 5 } });
		expect(object(cluster, 'rollouts.argoproj.io', 'cart').spec?.replicas).toBe(5);
	});
});

describe('HPA and KEDA bounds', () => {
	test('Set HPA Min/Max raises the floor; the HPA then scales the Deployment up', async () => {
		const json = only(await runPatch(cluster, { operation: 'hpaBounds', namespace: 'shop', name: 'web', bounds: { min: 5, max: 25 } }));
		expect(json).toMatchObject({ operation: 'hpaBounds', target: { kind: 'HorizontalPodAutoscaler', name: 'web' }, before: { minReplicas: 2, maxReplicas: 20 }, after: { minReplicas: 5, maxReplicas: 25 }, changed: true });
		cluster.sandbox.settle();
		expect(object(cluster, 'deployments.apps', 'web').spec?.replicas).toBe(5);
		expect(lastChange(object(cluster, 'horizontalpodautoscalers.autoscaling', 'web'))).toMatchObject({ operation: 'hpaBounds', to: { minReplicas: 5, maxReplicas: 25 } });
		expect(eventsFor(cluster, 'web').map((e) => e.reason)).toEqual(['HPABoundsSet']);
	});

	test('one bound alone leaves the other; a floor above the ceiling is refused before any write', async () => {
		expect(only(await runPatch(cluster, { operation: 'hpaBounds', namespace: 'shop', name: 'web', bounds: { max: 12 } }))).toMatchObject({ after: { minReplicas: 2, maxReplicas: 12 } });
		const { error } = await runPatch(cluster, { operation: 'hpaBounds', namespace: 'shop', name: 'web', bounds: { min: 15 } });
		expect(error?.message).toBe('minReplicas 15 would be above maxReplicas 12 on HorizontalPodAutoscaler "web"');
		expect(error?.description).toMatch(/^Fix: Raise maxReplicas in the same change/);
		expect(object(cluster, 'horizontalpodautoscalers.autoscaling', 'web').spec).toMatchObject({ minReplicas: 2, maxReplicas: 12 });
	});

	test('the HPA that KEDA owns is refused with a pointer to the ScaledObject', async () => {
		const { error } = await runPatch(cluster, { operation: 'hpaBounds', namespace: 'shop', name: 'keda-hpa-worker', bounds: { min: 4 } });
		expect(error?.message).toBe('HorizontalPodAutoscaler "keda-hpa-worker" in namespace "shop" belongs to KEDA ScaledObject "worker", which would undo this change');
		expect(error?.description).toMatch(/Set KEDA Min\/Max on ScaledObject "worker"/);
	});

	test('Set KEDA Min/Max changes the ScaledObject; KEDA moves the workload', async () => {
		const json = only(await runPatch(cluster, { operation: 'kedaBounds', namespace: 'shop', name: 'worker', kedaBounds: { min: 4, max: 40 } }));
		expect(json).toMatchObject({ target: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'worker' }, before: { minReplicaCount: 2, maxReplicaCount: 30 }, after: { minReplicaCount: 4, maxReplicaCount: 40 } });
		cluster.sandbox.settle();
		expect(object(cluster, 'deployments.apps', 'worker').spec?.replicas).toBe(4);
		expect(eventsFor(cluster, 'worker').map((e) => [e.reason, (e.involvedObject as { kind: string }).kind])).toEqual([['KEDABoundsSet', 'ScaledObject']]);
	});
});

describe('patch', () => {
	test('merge patch on a ConfigMap shows only the fields it names', async () => {
		const json = only(await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'v1', kind: 'ConfigMap', name: 'kube-ops-policy', patchType: 'merge', patchBody: '{"data": {"max-scale-step": "8", "canary-max-weight": null}}' }));
		expect(json).toMatchObject({ before: { data: { 'max-scale-step': '5', 'canary-max-weight': '50' } }, after: { data: { 'max-scale-step': '8', 'canary-max-weight': null } }, changed: true });
		expect(object(cluster, 'configmaps', 'kube-ops-policy').data).toEqual({ 'max-scale-step': '8', 'min-replicas-floor': '2', 'canary-error-budget': '0.02' });
	});

	test('a merge patch that changes nothing is not sent', async () => {
		const json = only(await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'v1', kind: 'ConfigMap', name: 'kube-ops-policy', patchType: 'merge', patchBody: { data: { 'max-scale-step': '5' } } }));
		expect(json).toMatchObject({ changed: false, attempts: 0 });
		expect(object(cluster, 'configmaps', 'kube-ops-policy').metadata.annotations?.['kube-ops/last-change']).toBeUndefined();
	});

	test('strategic merge patch merges containers by name', async () => {
		const body = { spec: { template: { spec: { containers: [{ name: 'checkout', env: [{ name: 'CANARY', value: 'true' }] }] } } } };
		only(await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout-canary', patchType: 'strategic', patchBody: JSON.stringify(body) }));
		const containers = (object(cluster, 'deployments.apps', 'checkout-canary').spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers;
		expect(containers).toHaveLength(1);
		expect(containers[0]).toMatchObject({ name: 'checkout', image: 'ghcr.io/kube-ops-demo/checkout:2.4.0-rc.1', env: [{ name: 'CANARY', value: 'true' }] });
	});

	test('JSON patch on a Gateway API HTTPRoute (found through discovery) reports the values at its paths', async () => {
		const ops = [
			{ op: 'test', path: '/spec/rules/0/backendRefs/1/name', value: 'checkout-canary' },
			{ op: 'replace', path: '/spec/rules/0/backendRefs/0/weight', value: 100 },
			{ op: 'replace', path: '/spec/rules/0/backendRefs/1/weight', value: 0 },
		];
		const json = only(await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'checkout', patchType: 'json', patchBody: JSON.stringify(ops) }));
		expect(json.before).toEqual({ '/spec/rules/0/backendRefs/1/name': 'checkout-canary', '/spec/rules/0/backendRefs/0/weight': 90, '/spec/rules/0/backendRefs/1/weight': 10 });
		expect(json.after).toEqual({ '/spec/rules/0/backendRefs/1/name': 'checkout-canary', '/spec/rules/0/backendRefs/0/weight': 100, '/spec/rules/0/backendRefs/1/weight': 0 });
		expect(lastChange(object(cluster, 'httproutes.gateway.networking.k8s.io', 'checkout'))).toMatchObject({ operation: 'patch', to: { '/spec/rules/0/backendRefs/0/weight': 100 } });
	});

	test('strategic merge on a custom resource is refused by the server, and the error says what to use', async () => {
		const { error } = await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'worker', patchType: 'strategic', patchBody: '{"spec": {"minReplicaCount": 3}}' });
		expect(error?.message).toMatch(/^The cluster does not accept this patch type for scaledobjects\.keda\.sh "worker" in namespace "shop"/);
		expect(error?.description).toMatch(/use Merge Patch \(or JSON Patch\)/);
	});

	test('a patch with its own stale resourceVersion is the caller\'s precondition: one attempt, then a clear conflict', async () => {
		const { error } = await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'v1', kind: 'ConfigMap', name: 'kube-ops-policy', patchType: 'merge', patchBody: '{"metadata": {"resourceVersion": "1"}, "data": {"a": "b"}}' });
		expect(error?.message).toBe('Conflict: configmaps "kube-ops-policy" in namespace "shop" no longer has the resourceVersion the patch requires (409 Conflict)');
	});

	test('malformed patches are named before anything is sent', async () => {
		const cases: [string, string, RegExp][] = [
			['merge', '{"spec": ', /^Patch is not valid JSON/],
			['merge', '[]', /must be a non-empty JSON object/],
			['json', '{"op": "replace"}', /must be a non-empty array of operations/],
			['json', '[{"op": "replace", "path": "spec/replicas", "value": 1}]', /operation 0 has no valid "path"/],
			['merge', '{"metadata": {"name": "other"}}', /changes metadata\.name/],
		];
		for (const [patchType, patchBody, message] of cases) {
			const { error } = await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'v1', kind: 'ConfigMap', name: 'kube-ops-policy', patchType, patchBody });
			expect(error?.message).toMatch(message);
		}
	});
});

describe('rollout undo', () => {
	async function newImage(image: string): Promise<void> {
		only(
			await runPatch(cluster, {
				operation: 'patch',
				namespace: 'shop',
				apiVersion: 'apps/v1',
				kind: 'Deployment',
				name: 'web',
				patchType: 'strategic',
				patchBody: JSON.stringify({ metadata: { annotations: { 'kubernetes.io/change-cause': `image ${image}` } }, spec: { template: { spec: { containers: [{ name: 'web', image }] } } } }),
			}),
		);
		cluster.sandbox.settle();
	}

	const image = () => (object(cluster, 'deployments.apps', 'web').spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image;

	test('returns to the previous revision as kubectl rollout undo does', async () => {
		await newImage('ghcr.io/kube-ops-demo/web:1.9.0');
		expect(object(cluster, 'deployments.apps', 'web').metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
		const json = only(await runPatch(cluster, { operation: 'rolloutUndo', namespace: 'shop', name: 'web' }));
		expect(json).toMatchObject({
			operation: 'rolloutUndo',
			before: { revision: 2, images: { web: 'ghcr.io/kube-ops-demo/web:1.9.0' } },
			after: { revision: 1, images: { web: 'ghcr.io/kube-ops-demo/web:1.8.0' } },
			changed: true,
			event: { written: true, reason: 'RolledBack' },
		});
		expect(image()).toBe('ghcr.io/kube-ops-demo/web:1.8.0');
		cluster.sandbox.settle();
		const web = object(cluster, 'deployments.apps', 'web');
		expect(web.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
		// Revision 1 carried no change-cause: restoring its annotations drops the later one, as kubectl does.
		expect(web.metadata.annotations?.['kubernetes.io/change-cause']).toBeUndefined();
		expect(lastChange(web)).toMatchObject({ operation: 'rolloutUndo', to: { revision: 1 } });
		expect(eventsFor(cluster, 'web').map((e) => [e.reason, e.type]).sort()).toEqual([
			['Patched', 'Normal'],
			['RolledBack', 'Warning'],
		]);
	});

	test('to a given revision; the current one is a no-op; a missing one lists those there are', async () => {
		await newImage('ghcr.io/kube-ops-demo/web:1.9.0');
		await newImage('ghcr.io/kube-ops-demo/web:2.0.0');
		expect(only(await runPatch(cluster, { operation: 'rolloutUndo', namespace: 'shop', name: 'web', toRevision: 2 }))).toMatchObject({ after: { revision: 2, images: { web: 'ghcr.io/kube-ops-demo/web:1.9.0' } } });
		cluster.sandbox.settle();
		const again = only(await runPatch(cluster, { operation: 'rolloutUndo', namespace: 'shop', name: 'web', toRevision: 4 }));
		expect(again).toMatchObject({ changed: false, attempts: 0 });
		const { error } = await runPatch(cluster, { operation: 'rolloutUndo', namespace: 'shop', name: 'web', toRevision: 9 });
		expect(error?.message).toBe('deployments.apps "web" in namespace "shop" has no revision 9 (revisions: 1, 3, 4)');
	});

	test('a Deployment with one revision has nothing to return to; a paused one is refused', async () => {
		const { error } = await runPatch(cluster, { operation: 'rolloutUndo', namespace: 'shop', name: 'checkout' });
		expect(error?.message).toBe('deployments.apps "checkout" in namespace "shop" has no previous revision to roll back to (revisions: 1)');
		await newImage('ghcr.io/kube-ops-demo/web:1.9.0');
		only(await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', patchType: 'merge', patchBody: '{"spec": {"paused": true}}' }));
		const paused = await runPatch(cluster, { operation: 'rolloutUndo', namespace: 'shop', name: 'web' });
		expect(paused.error?.message).toBe('deployments.apps "web" in namespace "shop" is paused; a paused Deployment cannot be rolled back');
		expect(paused.error?.description).toMatch(/kubectl rollout resume deployment\/web -n shop/);
	});
});

describe('canary weight and annotate', () => {
	test('sets the ingress-nginx canary weight; the primary Ingress is refused', async () => {
		const json = only(await runPatch(cluster, { operation: 'canaryWeight', namespace: 'shop', name: 'checkout-canary', weight: 0 }));
		expect(json).toMatchObject({ target: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' }, before: { weight: 10, weightTotal: 100 }, after: { weight: 0, weightTotal: 100 }, event: { reason: 'CanaryWeightSet' } });
		expect(object(cluster, 'ingresses.networking.k8s.io', 'checkout-canary').metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight']).toBe('0');
		const { error } = await runPatch(cluster, { operation: 'canaryWeight', namespace: 'shop', name: 'checkout', weight: 50 });
		expect(error?.message).toMatch(/^Ingress "checkout" in namespace "shop" is not an ingress-nginx canary/);
		const tooMuch = await runPatch(cluster, { operation: 'canaryWeight', namespace: 'shop', name: 'checkout-canary', weight: 101 });
		expect(tooMuch.error?.message).toBe('Weight must be a whole number from 0 to 100, got 101');
	});

	test('sets and removes annotations; its own audit key is off limits', async () => {
		const json = only(
			await runPatch(cluster, {
				operation: 'annotate',
				namespace: 'shop',
				apiVersion: 'v1',
				kind: 'Service',
				name: 'web',
				annotations: { annotation: [{ key: 'example.com/owner', value: 'team-shop' }] },
				removeAnnotations: 'example.com/absent',
			}),
		);
		expect(json).toMatchObject({ before: { annotations: { 'example.com/owner': null, 'example.com/absent': null } }, after: { annotations: { 'example.com/owner': 'team-shop', 'example.com/absent': null } } });
		only(await runPatch(cluster, { operation: 'annotate', namespace: 'shop', apiVersion: 'v1', kind: 'Service', name: 'web', removeAnnotations: 'example.com/owner' }));
		expect(object(cluster, 'services', 'web').metadata.annotations?.['example.com/owner']).toBeUndefined();
		const { error } = await runPatch(cluster, { operation: 'annotate', namespace: 'shop', apiVersion: 'v1', kind: 'Service', name: 'web', annotations: { annotation: [{ key: 'kube-ops/last-change', value: 'x' }] } });
		expect(error?.message).toBe('kube-ops/last-change is written by the node itself');
	});

	test('annotates a cluster-scoped object without a namespace', async () => {
		const json = only(await runPatch(cluster, { operation: 'annotate', apiVersion: 'v1', kind: 'Namespace', name: 'shop', annotations: { annotation: [{ key: 'example.com/frozen', value: 'true' }] } }));
		expect(json.target).toEqual({ apiVersion: 'v1', kind: 'Namespace', name: 'shop', cluster: 'prod-eu-1' });
		expect(cluster.sandbox.get('namespaces', undefined, 'shop')?.metadata.annotations?.['example.com/frozen']).toBe('true');
	});
});

describe('dry run', () => {
	const operations: [string, Record<string, unknown>][] = [
		['scale', { name: 'checkout', replicas: 9 }],
		['hpaBounds', { name: 'web', bounds: { min: 6 } }],
		['kedaBounds', { name: 'worker', kedaBounds: { max: 50 } }],
		['patch', { apiVersion: 'v1', kind: 'ConfigMap', name: 'kube-ops-policy', patchType: 'merge', patchBody: '{"data": {"x": "y"}}' }],
		['canaryWeight', { name: 'checkout-canary', weight: 30 }],
		['annotate', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', annotations: { annotation: [{ key: 'example.com/a', value: 'b' }] } }],
	];

	test.each(operations)('%s: the server answers with the result, nothing is stored, no Event is written', async (operation, parameters) => {
		const before = fingerprint(cluster);
		const json = only(await runPatch(cluster, { operation, namespace: 'shop', dryRun: true, ...parameters }));
		expect(json).toMatchObject({ operation, dryRun: true, changed: true, event: { written: false, skipped: 'dry run: nothing was changed' } });
		expect(json.after).not.toEqual(json.before);
		expect(fingerprint(cluster)).toBe(before);
	});

	test('rolloutUndo: the dry run shows the restored template and stores nothing', async () => {
		only(await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', patchType: 'strategic', patchBody: '{"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:2"}]}}}}' }));
		cluster.sandbox.settle();
		const before = fingerprint(cluster);
		const json = only(await runPatch(cluster, { operation: 'rolloutUndo', namespace: 'shop', name: 'web', dryRun: true }));
		expect(json).toMatchObject({ dryRun: true, before: { images: { web: 'web:2' } }, after: { revision: 1, images: { web: 'ghcr.io/kube-ops-demo/web:1.8.0' } } });
		expect(fingerprint(cluster)).toBe(before);
	});

	test('the dry run still fails what the real write would fail (validation by the server)', async () => {
		const { error } = await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', patchType: 'merge', patchBody: '{"spec": {"replicas": -1}}', dryRun: true });
		expect(error?.message).toMatch(/^The API server rejected the change to deployments\.apps "web" in namespace "shop": Deployment\.apps "web" is invalid: spec\.replicas/);
	});
});

describe('wait for ready', () => {
	test('polls until the new replicas are Ready and reports how long it took', async () => {
		cluster.sandbox.config.podStartupMs = 600;
		only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'checkout', replicas: 7 }));
		const json = only(await runPatch(cluster, { operation: 'waitReady', namespace: 'shop', name: 'checkout', timeoutSeconds: 20, pollSeconds: 0.1 }));
		expect(json).toMatchObject({ operation: 'waitReady', ready: true, targetReplicas: 7, readyReplicas: 7, updatedReplicas: 7, target: { kind: 'Deployment', name: 'checkout', cluster: 'prod-eu-1' } });
		expect(json.waitedSeconds as number).toBeGreaterThanOrEqual(0.4);
		expect(json.polls as number).toBeGreaterThan(1);
	});

	test('times out with the last status and what to check; or outputs it when asked', async () => {
		cluster.sandbox.config.podStartupMs = 60_000;
		only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'checkout', replicas: 6 }));
		const started = Date.now();
		const { error } = await runPatch(cluster, { operation: 'waitReady', namespace: 'shop', name: 'checkout', timeoutSeconds: 1, pollSeconds: 0.2 });
		expect(Date.now() - started).toBeLessThan(5000);
		expect(error?.message).toMatch(/^Timed out after 1(\.\d)?s waiting for deployments\.apps "checkout" in namespace "shop" to be ready \(4 of 6 ready, 6 updated, observed generation 2 of 2\)$/);
		expect(error?.description).toMatch(/kubectl get pods -n shop/);
		const json = only(await runPatch(cluster, { operation: 'waitReady', namespace: 'shop', name: 'checkout', timeoutSeconds: 1, pollSeconds: 0.2, onTimeout: 'output' }));
		expect(json).toMatchObject({ ready: false, readyReplicas: 4, targetReplicas: 6 });
	});

	test('items wait side by side, come out in input order, and the first failing item in that order fails the node', async () => {
		// Each Deployment's first read is held back 4 s: one item after another, the second read could not arrive within 3 s.
		const faults = ['checkout', 'web'].map((name) =>
			cluster.sandbox.faults.add({ type: 'latency', latencyMs: 4000, path: new RegExp(`^/apis/apps/v1/namespaces/shop/deployments/${name}$`), methods: ['GET'], times: 1 }),
		);
		const input = [{ json: { name: 'checkout' } }, { json: { name: 'web' } }];
		const running = runPatch(cluster, { operation: 'waitReady', namespace: 'shop', name: '={{ $json.name }}', timeoutSeconds: 20, pollSeconds: 0.1 }, { input });
		await waitFor(() => faults.map((f) => cluster.sandbox.faults.hits(f.id)), (hits) => hits.every((h) => h > 0), { timeoutMs: 3000, what: 'both items reading at once' });
		const result = await running;
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((o) => [(o.json.target as { name: string }).name, o.json.ready, o.pairedItem])).toEqual([
			['checkout', true, { item: 0 }],
			['web', true, { item: 1 }],
		]);
		const failed = await runPatch(cluster, { operation: 'waitReady', namespace: 'shop', name: '={{ $json.name }}', timeoutSeconds: 5 }, { input: [{ json: { name: 'checkout' } }, { json: { name: 'db' } }, { json: { name: 'nope' } }] });
		expect(failed.error?.message).toBe('deployments.apps "db" not found in namespace "shop"');
	});

	test('an explicit target; a missing Deployment ends the wait at once', async () => {
		expect(only(await runPatch(cluster, { operation: 'waitReady', namespace: 'shop', name: 'web', targetReplicas: 2, timeoutSeconds: 5 }))).toMatchObject({ ready: true, targetReplicas: 2, readyReplicas: 3 });
		const started = Date.now();
		const { error } = await runPatch(cluster, { operation: 'waitReady', namespace: 'shop', name: 'db', timeoutSeconds: 30 });
		expect(error?.message).toBe('deployments.apps "db" not found in namespace "shop"');
		expect(Date.now() - started).toBeLessThan(5000);
	});
});

describe('conflicts', () => {
	const hpaPath = '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/web';

	test('a lost race is retried from a fresh read and reported in attempts', async () => {
		const fault = cluster.sandbox.faults.add({ type: 'conflict', path: hpaPath, times: 2 });
		const json = only(await runPatch(cluster, { operation: 'hpaBounds', namespace: 'shop', name: 'web', bounds: { min: 3 } }));
		expect(json).toMatchObject({ attempts: 3, changed: true, after: { minReplicas: 3 } });
		expect(cluster.sandbox.faults.hits(fault.id)).toBe(2);
	});

	test('a writer that always wins: bounded attempts, then a conflict that names the object and the fix', async () => {
		cluster.sandbox.faults.add({ type: 'conflict', path: hpaPath });
		const { error } = await runPatch(cluster, { operation: 'hpaBounds', namespace: 'shop', name: 'web', bounds: { min: 3 }, options: { maxAttempts: 3 } });
		expect(error?.message).toBe('Conflict: horizontalpodautoscalers.autoscaling "web" in namespace "shop" kept changing; all 3 attempt(s) lost to a concurrent write (409 Conflict)');
		expect(error?.description).toMatch(/^Fix: Another writer .*\nHTTP status: 409 \(Conflict\)\nAttempts: 3$/s);
		expect(object(cluster, 'horizontalpodautoscalers.autoscaling', 'web').spec?.minReplicas).toBe(2);
	});

	test('the scale subresource retries the same way', async () => {
		cluster.sandbox.faults.add({ type: 'conflict', path: '/apis/apps/v1/namespaces/shop/deployments/checkout/scale', times: 1 });
		expect(only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'checkout', replicas: 5 }))).toMatchObject({ attempts: 2, after: { replicas: 5 } });
	});

	test('a real concurrent change between read and write is detected by resourceVersion, not overwritten', async () => {
		// The fault delays our PATCH; meanwhile someone else changes maxReplicas. Our retry re-reads and keeps their value.
		const held = cluster.sandbox.faults.add({ type: 'latency', path: hpaPath, methods: ['PATCH'], latencyMs: 300, times: 1 });
		const pending = runPatch(cluster, { operation: 'hpaBounds', namespace: 'shop', name: 'web', bounds: { min: 4 } });
		await waitFor(() => cluster.sandbox.faults.hits(held.id), (hits) => hits === 1, { what: 'our PATCH to be in flight' });
		const hpaDef = cluster.sandbox.api.def('horizontalpodautoscalers.autoscaling');
		cluster.sandbox.api.patch(hpaDef, 'shop', 'web', 'merge', { spec: { maxReplicas: 33 } });
		const json = only(await pending);
		expect(json).toMatchObject({ attempts: 2, before: { minReplicas: 2, maxReplicas: 33 }, after: { minReplicas: 4, maxReplicas: 33 } });
	});
});

describe('errors name the object and the fix', () => {
	test('404: the object, its namespace and how to check', async () => {
		const { error } = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web-typo', replicas: 2 });
		expect(error?.message).toBe('deployments.apps "web-typo" not found in namespace "shop"');
		expect(error?.description).toMatch(/^Fix: Check the name and the namespace \(kubectl get deployments\.apps -n shop\).*\nKubernetes said: deployments\.apps "web-typo" not found\nHTTP status: 404 \(NotFound\)$/s);
	});

	test('404 for a kind the cluster does not serve', async () => {
		const { error } = await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'example.com/v1', kind: 'Widget', name: 'a', patchType: 'merge', patchBody: '{"spec": {}}' });
		expect(error?.message).toBe('The cluster does not serve API version example.com/v1');
		const kind = await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', name: 'a', patchType: 'merge', patchBody: '{"spec": {}}' });
		expect(kind.error?.message).toBe('The cluster serves keda.sh/v1alpha1 but no kind "ScaledJob" in it');
	});

	test('403 from RBAC: the verb, the resource and the namespace', async () => {
		const limited = { ...cluster.credential, kubeconfig: cluster.kubeconfig.replace(cluster.sandbox.tokens.admin, cluster.sandbox.tokens.limited) };
		cluster.sandbox.api.create(cluster.sandbox.api.def('deployments.apps'), 'kube-system', {
			metadata: { name: 'coredns', namespace: 'kube-system' },
			spec: { replicas: 2, selector: { matchLabels: { k: 'dns' } }, template: { metadata: { labels: { k: 'dns' } }, spec: { containers: [{ name: 'dns', image: 'coredns' }] } } },
		});
		const { error } = await runPatch(cluster, { operation: 'scale', namespace: 'kube-system', name: 'coredns', replicas: 3 }, { credential: limited });
		expect(error?.message).toBe('Forbidden: cannot get deployments/scale (API group "apps") "coredns" in namespace "kube-system"');
		expect(error?.description).toMatch(/^Fix: Grant this identity the verb "get" on "deployments\/scale" in apiGroup "apps" in namespace "kube-system" \(see deploy\/rbac\/kube-ops-role\.yaml\)/);
		expect(error?.description).toMatch(/Kubernetes said: deployments\.apps "coredns" is forbidden: User "sandbox-limited" cannot get resource "deployments\/scale"/);
	});

	test('403 on the write only (read allowed): names the patch verb', async () => {
		cluster.sandbox.faults.add({ type: 'error', status: 403, methods: ['PATCH'], path: '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/checkout-canary', message: 'ingresses.networking.k8s.io "checkout-canary" is forbidden' });
		const { error } = await runPatch(cluster, { operation: 'canaryWeight', namespace: 'shop', name: 'checkout-canary', weight: 0 });
		expect(error?.message).toBe('Forbidden: cannot patch ingresses (API group "networking.k8s.io") "checkout-canary" in namespace "shop"');
	});

	test('401: the credentials, not the object', async () => {
		const wrong = { ...cluster.credential, kubeconfig: cluster.kubeconfig.replace(cluster.sandbox.tokens.admin, 'not-a-token') };
		const { error } = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 3 }, { credential: wrong });
		expect(error?.message).toBe(`The cluster at ${cluster.sandbox.url} rejected the credentials (401 Unauthorized)`);
	});

	test('a request timeout names the server and the request, and says a write may have happened', async () => {
		cluster.sandbox.faults.add({ type: 'latency', path: '/apis/apps/v1/namespaces/shop/deployments/web/scale', latencyMs: 2000 });
		const { error } = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 4 }, { credential: { ...cluster.credential, timeout: 500 } });
		expect(error?.message).toBe(`No answer from the API server at ${cluster.sandbox.url} within 0.5s (get deployments.apps "web" (scale subresource) in namespace "shop")`);
		expect(error?.description).toMatch(/may still have been applied/);
	});

	test('with Continue On Fail each failed item is an error item paired with its input', async () => {
		const result = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: '={{ $json.name }}', replicas: 5 }, { continueOnFail: true, input: [{ json: { name: 'checkout' } }, { json: { name: 'nope' } }] });
		expect(result.error).toBeUndefined();
		const [ok, failed] = result.outputs[0];
		expect(ok.json).toMatchObject({ changed: true, after: { replicas: 5 } });
		expect(failed.pairedItem).toEqual({ item: 1 });
		expect(failed.json).toEqual({
			operation: 'scale',
			error: 'deployments.apps "nope" not found in namespace "shop"',
			errorKind: 'notFound',
			fix: expect.stringMatching(/^Check the name/),
			httpStatus: 404,
			kubernetesMessage: 'deployments.apps "nope" not found',
		});
	});

	test('missing target parameters without a proposal', async () => {
		expect((await runPatch(cluster, { operation: 'scale', namespace: 'shop', replicas: 3 })).error?.message).toBe('Name is empty');
		expect((await runPatch(cluster, { operation: 'scale', name: 'web', replicas: 3 })).error?.message).toBe('Namespace is empty');
		expect((await runPatch(cluster, { operation: 'scale', namespace: 'Shop', name: 'web', replicas: 3 })).error?.message).toMatch(/^Namespace "Shop" is not a valid namespace name/);
	});
});

describe('a failed Event write never undoes or fails the change', () => {
	test('the change stands and the output carries a warning', async () => {
		cluster.sandbox.faults.add({ type: 'error', status: 500, path: '/api/v1/namespaces/shop/events', methods: ['POST'] });
		const result = await runPatch(cluster, { operation: 'canaryWeight', namespace: 'shop', name: 'checkout-canary', weight: 20 });
		const json = only(result);
		expect(json).toMatchObject({ changed: true, after: { weight: 20 }, event: { written: false, warning: expect.stringMatching(/^The change was made, but its Event could not be recorded: The API server failed on events/) } });
		expect(json.warnings).toEqual([(json.event as { warning: string }).warning]);
		expect(object(cluster, 'ingresses.networking.k8s.io', 'checkout-canary').metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight']).toBe('20');
	});
});
