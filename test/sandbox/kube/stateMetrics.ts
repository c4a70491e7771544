import type { KubeApi } from './api';
import { asNumber, getPath } from './json';
import type { KubeObject } from './types';

/**
 * What kube-state-metrics v2 would export for this cluster, limited to the
 * Deployment and HorizontalPodAutoscaler families the ops loops read. Names,
 * labels and HELP texts follow kube-state-metrics' docs
 * (deployment-metrics.md, horizontalpodautoscaler-metrics.md), so a PromQL
 * query written against the sandbox works unchanged on a real cluster.
 * Rendered from the store at every scrape: a scale shows at the next scrape.
 */

interface Family {
	name: string;
	help: string;
	/** Label holding the object's name (`deployment`, `horizontalpodautoscaler`). */
	nameLabel: string;
	/** Absent status fields count as 0, as kube-state-metrics reads the Go zero value. */
	value: (object: KubeObject) => number | undefined;
}

const count = (path: string) => (object: KubeObject) => asNumber(getPath(object, path)) ?? 0;

const deploymentFamilies: Family[] = [
	{ name: 'kube_deployment_spec_replicas', help: 'Number of desired pods for a deployment.', nameLabel: 'deployment', value: count('spec.replicas') },
	{ name: 'kube_deployment_status_replicas', help: 'The number of replicas per deployment.', nameLabel: 'deployment', value: count('status.replicas') },
	{ name: 'kube_deployment_status_replicas_ready', help: 'The number of ready replicas per deployment.', nameLabel: 'deployment', value: count('status.readyReplicas') },
	{ name: 'kube_deployment_status_replicas_available', help: 'The number of available replicas per deployment.', nameLabel: 'deployment', value: count('status.availableReplicas') },
	{ name: 'kube_deployment_status_replicas_unavailable', help: 'The number of unavailable replicas per deployment.', nameLabel: 'deployment', value: count('status.unavailableReplicas') },
	{ name: 'kube_deployment_status_replicas_updated', help: 'The number of updated replicas per deployment.', nameLabel: 'deployment', value: count('status.updatedReplicas') },
];

const hpaFamilies: Family[] = [
	// minReplicas defaults to 1 in the API; kube-state-metrics reports the defaulted value.
	{ name: 'kube_horizontalpodautoscaler_spec_min_replicas', help: 'Lower limit for the number of pods that can be set by the autoscaler, default 1.', nameLabel: 'horizontalpodautoscaler', value: (o) => asNumber(getPath(o, 'spec.minReplicas')) ?? 1 },
	{ name: 'kube_horizontalpodautoscaler_spec_max_replicas', help: 'Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.', nameLabel: 'horizontalpodautoscaler', value: count('spec.maxReplicas') },
	{ name: 'kube_horizontalpodautoscaler_status_current_replicas', help: 'Current number of replicas of pods managed by this autoscaler.', nameLabel: 'horizontalpodautoscaler', value: count('status.currentReplicas') },
	{ name: 'kube_horizontalpodautoscaler_status_desired_replicas', help: 'Desired number of replicas of pods managed by this autoscaler.', nameLabel: 'horizontalpodautoscaler', value: count('status.desiredReplicas') },
];

/** Label values escaped as the text format 0.0.4 requires (backslash, double quote, newline). */
function escapeLabel(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function render(families: Family[], objects: KubeObject[]): string[] {
	const lines: string[] = [];
	for (const family of families) {
		lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`);
		for (const object of objects) {
			const value = family.value(object);
			if (value === undefined) continue;
			const labels = `namespace="${escapeLabel(object.metadata.namespace ?? '')}",${family.nameLabel}="${escapeLabel(object.metadata.name ?? '')}"`;
			lines.push(`${family.name}{${labels}} ${value}`);
		}
	}
	return lines;
}

const live = (objects: KubeObject[]) =>
	objects
		.filter((o) => !o.metadata.deletionTimestamp)
		.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));

/** The `/metrics` body, Prometheus text exposition format 0.0.4. */
export function renderKubeStateMetrics(api: KubeApi): string {
	const deployments = live(api.list(api.def('deployments.apps'), undefined).items);
	const hpas = live(api.list(api.def('horizontalpodautoscalers.autoscaling'), undefined).items);
	return [...render(deploymentFamilies, deployments), ...render(hpaFamilies, hpas)].join('\n') + '\n';
}
