import { isRecord } from '../shared/records';
import { Entry, readEntries } from './entries';

/** One canary the rollback loop watches. */
export interface WatchedCanary {
	/** Must equal "Cluster Name" in the Kubernetes credential the loop uses. */
	cluster: string;
	/** The region and service labels Prometheus has on the service's metrics. */
	region: string;
	namespace: string;
	service: string;
	canaryDeployment: string;
	/** The ingress-nginx canary Ingress that sends the canary its traffic. */
	canaryIngress: string;
}

function readCanary(raw: unknown, where: string): WatchedCanary {
	const entry = new Entry(raw, where);
	return {
		cluster: entry.text('cluster', 'set the Cluster Name of the Kubernetes credential, e.g. "us-east"'),
		region: entry.text('region', 'set the region label of the service\'s metrics, e.g. "us-east"'),
		namespace: entry.label('namespace', 'set the canary\'s namespace, e.g. "shop"'),
		service: entry.label('service', 'set the service label of its metrics, e.g. "checkout"'),
		canaryDeployment: entry.objectName('canaryDeployment', 'set the canary Deployment, e.g. "checkout-canary"'),
		canaryIngress: entry.objectName('canaryIngress', 'set the canary Ingress, e.g. "checkout-canary"'),
	};
}

export function readCanaries(raw: unknown): WatchedCanary[] {
	return readEntries(raw, 'Canaries', readCanary, (c) => `Lease kube-ops-canary-${c.service} in ${c.namespace}`);
}

/**
 * The canaries a run looks at: all of them on a schedule (or when no alert
 * names a service); when alerts name services, only those canaries (an alert
 * naming no watched canary looks at nothing). Each comes with the index of the
 * input item that asked for it.
 */
export function canariesFor(canaries: readonly WatchedCanary[], inputs: readonly unknown[]): Array<{ canary: WatchedCanary; input: number }> {
	const named = new Map<string, number>();
	inputs.forEach((input, index) => {
		const alert = isRecord(input) ? input.alert : undefined;
		if (!isRecord(alert)) return;
		const service = isRecord(alert.labels) ? alert.labels.service : undefined;
		if (typeof service === 'string' && !named.has(service)) named.set(service, index);
	});
	if (named.size === 0) return canaries.map((canary) => ({ canary, input: 0 }));
	return canaries.filter((c) => named.has(c.service)).map((canary) => ({ canary, input: named.get(canary.service) as number }));
}
