import { asArray, asObject, isObject } from './json';
import type { JsonObject, KubeObject } from './types';

/**
 * API defaulting for the built-in kinds. It matters beyond looks: kubectl
 * compares pod templates it read back (rollout undo) field by field, so the
 * stored template must carry the same defaults a real server adds.
 */
export function applyDefaults(resource: string, obj: KubeObject): void {
	const spec = isObject(obj.spec) ? obj.spec : undefined;
	switch (resource) {
		case 'deployments.apps':
			if (spec) defaultDeployment(spec);
			break;
		case 'replicasets.apps':
			if (spec) {
				if (spec.replicas === undefined) spec.replicas = 1;
				defaultPodTemplate(spec);
			}
			break;
		case 'pods':
			if (spec) defaultPodSpec(spec);
			break;
		case 'horizontalpodautoscalers.autoscaling':
			if (spec) defaultHpa(spec);
			break;
		case 'services':
			if (spec) defaultService(spec);
			break;
		case 'namespaces':
			obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
			obj.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
			break;
		case 'ingresses.networking.k8s.io':
			for (const rule of asArray(spec?.rules)) {
				for (const path of asArray(asObject(asObject(rule).http).paths)) {
					const p = asObject(path);
					if (p.path === undefined && p.pathType !== 'ImplementationSpecific') p.path = '/';
				}
			}
			break;
	}
}

function defaultDeployment(spec: JsonObject): void {
	if (spec.replicas === undefined) spec.replicas = 1;
	const strategy = asObject(spec.strategy);
	if (strategy.type === undefined) strategy.type = 'RollingUpdate';
	if (strategy.type === 'RollingUpdate') {
		const rolling = asObject(strategy.rollingUpdate);
		if (rolling.maxUnavailable === undefined) rolling.maxUnavailable = '25%';
		if (rolling.maxSurge === undefined) rolling.maxSurge = '25%';
		strategy.rollingUpdate = rolling;
	}
	spec.strategy = strategy;
	if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
	if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
	defaultPodTemplate(spec);
}

function defaultPodTemplate(spec: JsonObject): void {
	const template = asObject(spec.template);
	if (isObject(template.spec)) defaultPodSpec(template.spec);
}

export function defaultPodSpec(spec: JsonObject): void {
	for (const list of ['containers', 'initContainers']) {
		for (const raw of asArray(spec[list])) {
			if (!isObject(raw)) continue;
			const c = raw;
			if (c.resources === undefined) c.resources = {};
			if (c.terminationMessagePath === undefined) c.terminationMessagePath = '/dev/termination-log';
			if (c.terminationMessagePolicy === undefined) c.terminationMessagePolicy = 'File';
			if (c.imagePullPolicy === undefined) {
				const image = String(c.image ?? '');
				const tag = image.includes('@') ? 'digest' : image.split('/').pop()?.split(':')[1];
				c.imagePullPolicy = !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
			}
			for (const port of asArray(c.ports)) if (isObject(port) && port.protocol === undefined) port.protocol = 'TCP';
		}
	}
	if (spec.restartPolicy === undefined) spec.restartPolicy = 'Always';
	if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = 30;
	if (spec.dnsPolicy === undefined) spec.dnsPolicy = 'ClusterFirst';
	if (spec.securityContext === undefined) spec.securityContext = {};
	if (spec.schedulerName === undefined) spec.schedulerName = 'default-scheduler';
}

function defaultHpa(spec: JsonObject): void {
	if (spec.minReplicas === undefined) spec.minReplicas = 1;
	if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
		spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
	}
}

function defaultService(spec: JsonObject): void {
	if (spec.type === undefined) spec.type = 'ClusterIP';
	if (spec.sessionAffinity === undefined) spec.sessionAffinity = 'None';
	for (const raw of asArray(spec.ports)) {
		if (!isObject(raw)) continue;
		if (raw.protocol === undefined) raw.protocol = 'TCP';
		if (raw.targetPort === undefined) raw.targetPort = raw.port;
	}
	if (spec.ipFamilies === undefined) spec.ipFamilies = ['IPv4'];
	if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'SingleStack';
	if (spec.internalTrafficPolicy === undefined) spec.internalTrafficPolicy = 'Cluster';
}
