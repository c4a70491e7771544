import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startKubeSandbox, writeKubeconfig, type KubeObject, type KubeSandbox } from '../sandbox/kube';
import { makeKubectl, waitFor, type Kubectl } from '../sandbox/kube/testing';

/*
 * The controllers, seen through kubectl: rollouts, ReplicaSet revisions,
 * rollback, and the HPA / KEDA bounds.
 */

// Long enough that kubectl (a process start, then a watch) sees the rollout in progress, whatever the machine's load.
const podStartupMs = 2000;
let sandbox: KubeSandbox;
let kubectl: Kubectl;
let dir: string;

beforeAll(async () => {
	sandbox = await startKubeSandbox({ podStartupMs, clusterName: 'rollouts' });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sandbox-rollout-'));
	const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig.yaml'), [{ name: 'rollouts', url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens, namespace: 'shop' }]);
	kubectl = makeKubectl(kubeconfig, path.join(dir, 'cache'));
});

afterAll(async () => {
	await sandbox?.close();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function ok(args: string[]): Promise<string> {
	const result = await kubectl(args);
	if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
	return result.stdout;
}

interface RsView {
	name: string;
	revision: string;
	replicas: number;
	image: string;
}

async function replicaSets(app: string): Promise<RsView[]> {
	const list = JSON.parse(await ok(['get', 'rs', '-l', `app=${app}`, '-o', 'json']));
	return list.items
		.map((rs: KubeObject) => ({
			name: rs.metadata.name as string,
			revision: rs.metadata.annotations?.['deployment.kubernetes.io/revision'] as string,
			replicas: Number(rs.spec?.replicas),
			image: (rs.spec?.template as { spec: { containers: { image: string }[] } }).spec.containers[0].image,
		}))
		.sort((a: RsView, b: RsView) => Number(a.revision) - Number(b.revision));
}

const deployment = (name: string) => sandbox.get('deployments.apps', 'shop', name) as KubeObject;

test('rollout status waits for the pod start-up delay, then reports success', async () => {
	const started = Date.now();
	await ok(['scale', 'deploy', 'checkout', '--replicas=7']);
	const out = await ok(['rollout', 'status', 'deploy/checkout', '--timeout=20s']);
	const elapsed = Date.now() - started;
	expect(out).toContain('Waiting for deployment "checkout" rollout to finish: 4 of 7 updated replicas are available...');
	expect(out.trim().split('\n').pop()).toBe('deployment "checkout" successfully rolled out');
	expect(elapsed).toBeGreaterThanOrEqual(podStartupMs);
	expect(deployment('checkout').status).toMatchObject({ replicas: 7, readyReplicas: 7, availableReplicas: 7, updatedReplicas: 7, observedGeneration: deployment('checkout').metadata.generation });
	expect(await ok(['get', 'pods', '-l', 'app=checkout,track=stable', '--no-headers'])).toMatch(/(.*1\/1\s+Running.*\n){7}/);
});

test('a template change creates revision 2; rollout undo returns to revision 1 as revision 3', async () => {
	const [first] = await replicaSets('web');
	expect(first).toMatchObject({ revision: '1', replicas: 3, image: 'ghcr.io/kube-ops-demo/web:1.8.0' });

	await ok(['set', 'image', 'deploy/web', 'web=ghcr.io/kube-ops-demo/web:1.9.0']);
	expect(await ok(['rollout', 'status', 'deploy/web', '--timeout=20s'])).toContain('successfully rolled out');
	const afterUpdate = await replicaSets('web');
	expect(afterUpdate).toEqual([
		{ ...first, replicas: 0 },
		{ name: expect.stringMatching(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/), revision: '2', replicas: 3, image: 'ghcr.io/kube-ops-demo/web:1.9.0' },
	]);
	expect(deployment('web').metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
	expect(await ok(['rollout', 'history', 'deploy/web'])).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

	expect(await ok(['rollout', 'undo', 'deploy/web'])).toContain('deployment.apps/web rolled back');
	expect(await ok(['rollout', 'status', 'deploy/web', '--timeout=20s'])).toContain('successfully rolled out');
	const afterUndo = await replicaSets('web');
	expect(afterUndo).toEqual([
		{ ...afterUpdate[1], replicas: 0 },
		{ ...first, revision: '3', replicas: 3 },
	]);
	const web = deployment('web');
	expect((web.spec?.template as { spec: { containers: { image: string }[] } }).spec.containers[0].image).toBe('ghcr.io/kube-ops-demo/web:1.8.0');
	expect(web.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
	const pods = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as KubeObject[];
	expect(pods).toHaveLength(3);
	expect(pods.every((p) => p.metadata.labels?.['pod-template-hash'] === first.name.slice('web-'.length))).toBe(true);
});

test('the rolling update never drops below the available minimum', async () => {
	const seen: number[] = [];
	const unsubscribe = sandbox.store.subscribe((event) => {
		if (event.key === 'deployments.apps' && event.object.metadata.name === 'checkout-canary') seen.push(Number(event.object.status?.availableReplicas ?? 0));
	});
	try {
		await ok(['scale', 'deploy', 'checkout-canary', '--replicas=4']);
		await waitFor(() => deployment('checkout-canary').status?.availableReplicas, (n) => n === 4, { what: 'canary at 4 available' });
		seen.length = 0;
		await ok(['set', 'env', 'deploy/checkout-canary', 'FEATURE_FLAGS=fast-checkout']);
		await ok(['rollout', 'status', 'deploy/checkout-canary', '--timeout=20s']);
	} finally {
		unsubscribe();
	}
	// 25% maxUnavailable of 4 replicas: at least 3 available throughout.
	expect(seen.length).toBeGreaterThan(0);
	expect(Math.min(...seen)).toBeGreaterThanOrEqual(3);
	expect(deployment('checkout-canary').status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
});

test('raising the HPA minReplicas scales the Deployment up; lowering maxReplicas scales it down', async () => {
	await ok(['patch', 'hpa', 'web', '--type', 'merge', '-p', '{"spec":{"minReplicas":6}}']);
	await waitFor(() => deployment('web').spec?.replicas, (n) => n === 6, { what: 'web scaled to the HPA minimum' });
	await ok(['rollout', 'status', 'deploy/web', '--timeout=20s']);
	const hpa = await waitFor(
		async () => JSON.parse(await ok(['get', 'hpa', 'web', '-o', 'json'])),
		(h) => h.status?.currentReplicas === 6,
		{ what: 'HPA status at 6' },
	);
	expect(hpa.status).toMatchObject({ currentReplicas: 6, desiredReplicas: 6 });
	expect(hpa.status.lastScaleTime).toEqual(expect.any(String));
	const events = await ok(['get', 'events', '--field-selector', 'reason=SuccessfulRescale,involvedObject.name=web']);
	expect(events).toContain('New size: 6; reason: Current number of replicas below Spec.MinReplicas');

	// A manual scale outside the bounds is corrected, as the HPA would on a real cluster.
	await ok(['scale', 'deploy', 'web', '--replicas=2']);
	await waitFor(() => deployment('web').spec?.replicas, (n) => n === 6, { what: 'web back at 6' });

	await ok(['patch', 'hpa', 'web', '--type', 'merge', '-p', '{"spec":{"minReplicas":2,"maxReplicas":4}}']);
	await waitFor(() => deployment('web').spec?.replicas, (n) => n === 4, { what: 'web capped at the HPA maximum' });
	const invalid = await kubectl(['patch', 'hpa', 'web', '--type', 'merge', '-p', '{"spec":{"minReplicas":5}}']);
	expect(invalid.stderr).toContain('spec.maxReplicas: Invalid value: 4: must be greater than or equal to `minReplicas`');
});

test('KEDA ScaledObject bounds drive its HPA and the target', async () => {
	await ok(['patch', 'scaledobject', 'worker', '--type', 'merge', '-p', '{"spec":{"minReplicaCount":5}}']);
	await waitFor(() => sandbox.get('horizontalpodautoscalers.autoscaling', 'shop', 'keda-hpa-worker')?.spec?.minReplicas, (n) => n === 5, { what: 'keda HPA min 5' });
	await waitFor(() => deployment('worker').status?.readyReplicas, (n) => n === 5, { what: 'worker at 5 ready' });
	const so = JSON.parse(await ok(['get', 'so', 'worker', '-o', 'json']));
	expect(so.status).toMatchObject({ hpaName: 'keda-hpa-worker', scaleTargetKind: 'apps/v1.Deployment', originalReplicaCount: 2 });
	expect(so.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'ScaledObjectReady' });
});

test('deleting a Deployment garbage-collects its ReplicaSets and pods', async () => {
	expect(await ok(['delete', 'deploy', 'worker'])).toContain('deployment.apps "worker" deleted');
	await waitFor(() => sandbox.list('replicasets.apps', 'shop').filter((rs) => rs.metadata.labels?.app === 'worker').length, (n) => n === 0, { what: 'worker ReplicaSets gone' });
	await waitFor(() => sandbox.list('pods', 'shop').filter((p) => p.metadata.labels?.app === 'worker').length, (n) => n === 0, { what: 'worker pods gone' });
	expect((await kubectl(['get', 'deploy', 'worker'])).stderr).toContain('NotFound');
});
