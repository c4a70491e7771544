import type { KubeApi } from './api';
import type { JsonObject } from './types';

function crd(group: string, kind: string, plural: string, version: string, extra: { shortNames?: string[]; categories?: string[]; scale?: JsonObject; columns?: JsonObject[] }): JsonObject {
	return {
		apiVersion: 'apiextensions.k8s.io/v1',
		kind: 'CustomResourceDefinition',
		metadata: { name: `${plural}.${group}` },
		spec: {
			group,
			scope: 'Namespaced',
			names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: extra.shortNames, categories: extra.categories },
			versions: [
				{
					name: version,
					served: true,
					storage: true,
					schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
					subresources: { status: {}, ...(extra.scale ? { scale: extra.scale } : {}) },
					additionalPrinterColumns: extra.columns ?? [],
				},
			],
		},
	};
}

/** The CRDs of the controllers kube-ops talks to: KEDA, Gateway API and Argo Rollouts. */
export const seedCrds: JsonObject[] = [
	crd('keda.sh', 'ScaledObject', 'scaledobjects', 'v1alpha1', {
		shortNames: ['so'],
		categories: ['keda'],
		columns: [
			{ name: 'ScaleTargetKind', type: 'string', jsonPath: '.status.scaleTargetKind' },
			{ name: 'ScaleTargetName', type: 'string', jsonPath: '.spec.scaleTargetRef.name' },
			{ name: 'Min', type: 'integer', jsonPath: '.spec.minReplicaCount' },
			{ name: 'Max', type: 'integer', jsonPath: '.spec.maxReplicaCount' },
			{ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
			{ name: 'Active', type: 'string', jsonPath: '.status.conditions[?(@.type=="Active")].status' },
			{ name: 'Paused', type: 'string', jsonPath: '.status.conditions[?(@.type=="Paused")].status' },
			{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
		],
	}),
	crd('gateway.networking.k8s.io', 'HTTPRoute', 'httproutes', 'v1', {
		categories: ['gateway-api'],
		columns: [
			{ name: 'Hostnames', type: 'string', jsonPath: '.spec.hostnames' },
			{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
		],
	}),
	crd('argoproj.io', 'Rollout', 'rollouts', 'v1alpha1', {
		shortNames: ['ro'],
		scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.HPAReplicas', labelSelectorPath: '.status.selector' },
		columns: [
			{ name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', description: 'Number of desired pods' },
			{ name: 'Current', type: 'integer', jsonPath: '.status.replicas', description: 'Total number of non-terminated pods targeted by this rollout' },
			{ name: 'Up-to-date', type: 'integer', jsonPath: '.status.updatedReplicas', description: 'Total number of non-terminated pods targeted by this rollout that have the desired template spec' },
			{ name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this rollout' },
			{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
		],
	}),
];

/** A Deployment in namespace `shop` as the seeds write them (one container, port http, a readiness probe). */
export function seedDeployment(name: string, replicas: number, labels: Record<string, string>, image: string, extraAnnotations: Record<string, string> = {}): JsonObject {
	return {
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: { name, namespace: 'shop', labels, annotations: extraAnnotations },
		spec: {
			replicas,
			selector: { matchLabels: labels },
			template: {
				metadata: { labels },
				spec: {
					containers: [
						{
							name: labels.app,
							image,
							ports: [{ name: 'http', containerPort: 8080 }],
							resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
							readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
						},
					],
				},
			},
		},
	};
}

/** A Service in namespace `shop` in front of the pods with `selector`. */
export function seedService(name: string, selector: Record<string, string>): JsonObject {
	return {
		apiVersion: 'v1',
		kind: 'Service',
		metadata: { name, namespace: 'shop', labels: { app: selector.app } },
		spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
	};
}

function ingress(name: string, backend: string, annotations: Record<string, string>): JsonObject {
	return {
		apiVersion: 'networking.k8s.io/v1',
		kind: 'Ingress',
		metadata: { name, namespace: 'shop', annotations },
		spec: {
			ingressClassName: 'nginx',
			rules: [
				{
					host: 'shop.example.com',
					http: { paths: [{ path: '/checkout', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 80 } } } }] },
				},
			],
		},
	};
}

/** The demo shop every sandbox starts with, so nodes and workflows have something real to act on. */
export function seedDemo(api: KubeApi): void {
	const create = (key: string, namespace: string | undefined, body: JsonObject) => api.create(api.def(key), namespace, body);
	for (const name of ['default', 'kube-system', 'shop']) create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
	for (const body of seedCrds) create('customresourcedefinitions.apiextensions.k8s.io', undefined, body);

	create('deployments.apps', 'shop', seedDeployment('web', 3, { app: 'web' }, 'ghcr.io/kube-ops-demo/web:1.8.0'));
	create('deployments.apps', 'shop', seedDeployment('checkout', 4, { app: 'checkout', track: 'stable' }, 'ghcr.io/kube-ops-demo/checkout:2.3.1'));
	create('deployments.apps', 'shop', seedDeployment('checkout-canary', 1, { app: 'checkout', track: 'canary' }, 'ghcr.io/kube-ops-demo/checkout:2.4.0-rc.1'));
	create('deployments.apps', 'shop', seedDeployment('worker', 2, { app: 'worker' }, 'ghcr.io/kube-ops-demo/worker:1.2.0'));
	create('services', 'shop', seedService('web', { app: 'web' }));
	create('services', 'shop', seedService('checkout', { app: 'checkout', track: 'stable' }));
	create('services', 'shop', seedService('checkout-canary', { app: 'checkout', track: 'canary' }));

	create('horizontalpodautoscalers.autoscaling', 'shop', {
		apiVersion: 'autoscaling/v2',
		kind: 'HorizontalPodAutoscaler',
		metadata: { name: 'web', namespace: 'shop' },
		spec: {
			scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
			minReplicas: 2,
			maxReplicas: 20,
			metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
		},
	});

	create('ingresses.networking.k8s.io', 'shop', ingress('checkout', 'checkout', {}));
	create('ingresses.networking.k8s.io', 'shop', ingress('checkout-canary', 'checkout-canary', { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' }));

	create('scaledobjects.keda.sh', 'shop', {
		apiVersion: 'keda.sh/v1alpha1',
		kind: 'ScaledObject',
		metadata: { name: 'worker', namespace: 'shop' },
		spec: {
			scaleTargetRef: { name: 'worker' },
			minReplicaCount: 2,
			maxReplicaCount: 30,
			pollingInterval: 30,
			cooldownPeriod: 300,
			triggers: [
				{
					type: 'prometheus',
					metadata: {
						serverAddress: 'http://prometheus.monitoring.svc:9090',
						query: 'sum(rate(shop_orders_enqueued_total[2m]))',
						threshold: '50',
					},
				},
			],
		},
	});

	create('httproutes.gateway.networking.k8s.io', 'shop', {
		apiVersion: 'gateway.networking.k8s.io/v1',
		kind: 'HTTPRoute',
		metadata: { name: 'checkout', namespace: 'shop' },
		spec: {
			parentRefs: [{ name: 'shop-gateway', namespace: 'shop' }],
			hostnames: ['shop.example.com'],
			rules: [
				{
					matches: [{ path: { type: 'PathPrefix', value: '/checkout' } }],
					backendRefs: [
						{ name: 'checkout', port: 80, weight: 90 },
						{ name: 'checkout-canary', port: 80, weight: 10 },
					],
				},
			],
		},
	});

	create('configmaps', 'shop', {
		apiVersion: 'v1',
		kind: 'ConfigMap',
		metadata: { name: 'kube-ops-policy', namespace: 'shop' },
		data: {
			'max-scale-step': '5',
			'min-replicas-floor': '2',
			'canary-max-weight': '50',
			'canary-error-budget': '0.02',
		},
	});
}
