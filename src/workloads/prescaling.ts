import { Entry, readEntries } from './entries';

/** One workload the pre-scaling loop manages. */
export interface PrescalingWorkload {
	/** Must equal "Cluster Name" in the Kubernetes credential the loop uses. */
	cluster: string;
	namespace: string;
	deployment: string;
	/** PromQL for the demand; one pod serves perPodCapacity of it. */
	demandQuery: string;
	perPodCapacity: number;
	/** Bounds for the forecast's floor; the Policy Gate has its own and the tighter wins. */
	minReplicas: number;
	maxReplicas: number;
}

function readWorkload(raw: unknown, where: string): PrescalingWorkload {
	const entry = new Entry(raw, where);
	const minReplicas = entry.number('minReplicas', { min: 0, integer: true }, 'set the fewest replicas the forecast may propose, e.g. 2');
	const maxReplicas = entry.number('maxReplicas', { min: 1, integer: true }, 'set the most replicas the forecast may propose, e.g. 20');
	if (maxReplicas < minReplicas) entry.fail('maxReplicas', `(${maxReplicas}) is below minReplicas (${minReplicas})`, 'raise maxReplicas or lower minReplicas');
	return {
		cluster: entry.text('cluster', 'set the Cluster Name of the Kubernetes credential, e.g. "us-east"'),
		namespace: entry.label('namespace', 'set the workload\'s namespace, e.g. "shop"'),
		deployment: entry.objectName('deployment', 'set the Deployment (and its HPA) name, e.g. "checkout"'),
		demandQuery: entry.text('demandQuery', 'set the PromQL for the demand, e.g. sum(rate(http_requests_total{service="checkout"}[5m]))'),
		perPodCapacity: entry.number('perPodCapacity', { min: 0, above: true }, 'set the demand one pod serves at its target utilisation, e.g. 50'),
		minReplicas,
		maxReplicas,
	};
}

/** The workload list as typed into the node; one Lease per Deployment and namespace, so a repeat is refused. */
export function readPrescalingWorkloads(raw: unknown): PrescalingWorkload[] {
	return readEntries(raw, 'Workloads', readWorkload, (w) => `Lease kube-ops-prescale-${w.deployment} in ${w.namespace}`);
}
