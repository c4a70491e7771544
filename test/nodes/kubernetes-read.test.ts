import { object, only, runPatch, sandboxCluster } from '../unit/kubernetes/support';

/* Read Workload through n8n's executor: one flat shape for workloads and autoscalers, nulls where a field does not apply. */

const cluster = sandboxCluster('whole file');

const read = (readKind: string, name: string, json = {}) => runPatch(cluster, { operation: 'read', readKind, namespace: 'shop', name }, { input: [{ json }] });

test('a Deployment: spec and status replicas; autoscaler fields null', async () => {
	const json = only(await read('deployment', 'web', { alert: 'x' }));
	expect(json).toEqual({
		alert: 'x',
		workload: {
			kind: 'Deployment',
			namespace: 'shop',
			name: 'web',
			replicas: 3,
			readyReplicas: 3,
			availableReplicas: 3,
			minReplicas: null,
			maxReplicas: null,
			currentReplicas: 3,
			desiredReplicas: 3,
			scaleTargetRef: null,
			resourceVersion: object(cluster, 'deployments.apps', 'web').metadata.resourceVersion,
		},
	});
});

test('an HPA: its bounds and status, what it scales; workload fields null', async () => {
	const hpa = object(cluster, 'horizontalpodautoscalers.autoscaling', 'web');
	expect(only(await read('horizontalPodAutoscaler', 'web')).workload).toEqual({
		kind: 'HorizontalPodAutoscaler',
		namespace: 'shop',
		name: 'web',
		replicas: null,
		readyReplicas: null,
		availableReplicas: null,
		minReplicas: 2,
		maxReplicas: 20,
		currentReplicas: (hpa.status as { currentReplicas?: number } | undefined)?.currentReplicas ?? null,
		desiredReplicas: (hpa.status as { desiredReplicas?: number } | undefined)?.desiredReplicas ?? null,
		scaleTargetRef: { kind: 'Deployment', name: 'web' },
		resourceVersion: hpa.metadata.resourceVersion,
	});
});

// The sandbox serves no StatefulSets; they share the Deployment's reading.
test('a KEDA ScaledObject: its replica counts with KEDA\'s defaults, its target', async () => {
	expect(only(await read('scaledObject', 'worker')).workload).toMatchObject({ kind: 'ScaledObject', minReplicas: expect.any(Number), maxReplicas: 30, replicas: null, currentReplicas: null, scaleTargetRef: { kind: 'Deployment', name: 'worker' } });
});

test('a missing object: an error naming it and the fix', async () => {
	const { error } = await read('deployment', 'nope');
	expect(error?.message).toBe('deployments.apps "nope" not found in namespace "shop"');
	expect(error?.description).toMatch(/^Fix: Check the name and the namespace \(kubectl get deployments\.apps -n shop\), and that the credential points at the right cluster\./);
	expect((await read('horizontalPodAutoscaler', 'nope')).error?.message).toBe('horizontalpodautoscalers.autoscaling "nope" not found in namespace "shop"');
});
