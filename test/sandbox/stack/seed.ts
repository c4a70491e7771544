import { seedCrds, seedDeployment, seedService } from '../kube/seed';
import type { KubeSandbox } from '../kube';
import type { JsonObject } from '../kube/types';

/**
 * What each cluster of the ops stack holds. us-east runs checkout (4 pods),
 * its canary behind an ingress-nginx canary Ingress at weight 20, and search
 * with a canary that gets no traffic (weight 0); us-west runs checkout with 2
 * pods; `control` holds no workloads, only the namespace where the loops keep
 * their Leases and state. Both canaries have a previous revision, so a
 * rollout undo has somewhere to go back to.
 */

export const NAMESPACE = 'shop';
export const REGIONS = ['us-east', 'us-west'] as const;
export type Region = (typeof REGIONS)[number];
export const CLUSTERS = [...REGIONS, 'control'] as const;
export type ClusterName = (typeof CLUSTERS)[number];

export const CHECKOUT_REPLICAS: Record<Region, number> = { 'us-east': 4, 'us-west': 2 };
export const CHECKOUT_HPA = { minReplicas: 2, maxReplicas: 20 };
export const CHECKOUT_CANARY_WEIGHT = 20;

export const IMAGES = {
	checkout: 'ghcr.io/kube-ops-demo/checkout:2.3.1',
	checkoutCanary: 'ghcr.io/kube-ops-demo/checkout:2.4.0-rc.1',
	search: 'ghcr.io/kube-ops-demo/search:1.4.0',
	searchCanary: 'ghcr.io/kube-ops-demo/search:1.5.0-rc.1',
};

/** The HPA of a seeded Deployment `name` (checkout's bounds, CPU at 70 %). */
export function hpa(name: string): JsonObject {
	return {
		apiVersion: 'autoscaling/v2',
		kind: 'HorizontalPodAutoscaler',
		metadata: { name, namespace: NAMESPACE },
		spec: {
			scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
			...CHECKOUT_HPA,
			metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
		},
	};
}

/** ingress-nginx splits a host between a stable Ingress and a canary Ingress by the canary's weight annotation. */
function ingress(name: string, host: string, backend: string, canaryWeight?: number): JsonObject {
	const annotations: Record<string, string> =
		canaryWeight === undefined ? {} : { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': String(canaryWeight) };
	return {
		apiVersion: 'networking.k8s.io/v1',
		kind: 'Ingress',
		metadata: { name, namespace: NAMESPACE, annotations },
		spec: {
			ingressClassName: 'nginx',
			rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 80 } } } }] } }],
		},
	};
}

/** Seeds one cluster of a sandbox started with `seed: false`, and lets its controllers make every pod Ready. */
export function seedStackCluster(sandbox: KubeSandbox, cluster: ClusterName): void {
	const { api } = sandbox;
	const create = (key: string, body: JsonObject) => api.create(api.def(key), key === 'namespaces' || key.startsWith('customresourcedefinitions') ? undefined : NAMESPACE, body);
	// startKubeSandbox({ seed: false }) already made default and kube-system.
	create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
	if (cluster === 'control') return;
	// The CRDs the nodes may look for (KEDA, Gateway API, Argo Rollouts), as on the demo sandbox.
	for (const body of seedCrds) create('customresourcedefinitions.apiextensions.k8s.io', body);

	const canaries: Array<[string, string]> = [];
	create('deployments.apps', seedDeployment('checkout', CHECKOUT_REPLICAS[cluster], { app: 'checkout', track: 'stable' }, IMAGES.checkout));
	create('services', seedService('checkout', { app: 'checkout', track: 'stable' }));
	create('horizontalpodautoscalers.autoscaling', hpa('checkout'));
	if (cluster === 'us-east') {
		// Canaries start on the stable image and are then rolled to the candidate: revision 1 is what an undo returns to.
		create('deployments.apps', seedDeployment('checkout-canary', 1, { app: 'checkout', track: 'canary' }, IMAGES.checkout));
		create('services', seedService('checkout-canary', { app: 'checkout', track: 'canary' }));
		create('ingresses.networking.k8s.io', ingress('checkout', 'shop.example.com', 'checkout'));
		create('ingresses.networking.k8s.io', ingress('checkout-canary', 'shop.example.com', 'checkout-canary', CHECKOUT_CANARY_WEIGHT));
		create('deployments.apps', seedDeployment('search', 2, { app: 'search', track: 'stable' }, IMAGES.search));
		create('deployments.apps', seedDeployment('search-canary', 1, { app: 'search', track: 'canary' }, IMAGES.search));
		create('services', seedService('search', { app: 'search', track: 'stable' }));
		create('services', seedService('search-canary', { app: 'search', track: 'canary' }));
		create('ingresses.networking.k8s.io', ingress('search', 'search.example.com', 'search'));
		create('ingresses.networking.k8s.io', ingress('search-canary', 'search.example.com', 'search-canary', 0));
		canaries.push(['checkout-canary', IMAGES.checkoutCanary], ['search-canary', IMAGES.searchCanary]);
	}
	sandbox.settle();
	if (canaries.length === 0) return;
	for (const [name, image] of canaries) {
		const container = name.split('-')[0];
		api.patch(api.def('deployments.apps'), NAMESPACE, name, 'strategic', { spec: { template: { spec: { containers: [{ name: container, image }] } } } });
	}
	sandbox.settle();
}
