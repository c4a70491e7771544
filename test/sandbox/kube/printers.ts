import { ageOf } from './age';
import { asArray, asNumber, asObject, asString, getPath } from './json';
import { jsonPathAll } from './jsonpath';
import type { KubeObject, PrinterColumn } from './types';

/** Server-side printing: the columns `kubectl get` shows, as the real printers define them. */

function column(name: string, type: string, cell: PrinterColumn['cell'], opts: { priority?: number; format?: string; description?: string } = {}): PrinterColumn {
	return { name, type, format: opts.format ?? '', description: opts.description ?? name, priority: opts.priority ?? 0, cell };
}

const nameColumn = column('Name', 'string', (o) => o.metadata.name ?? '', {
	format: 'name',
	description: 'Name must be unique within a namespace. Cannot be updated.',
});
const ageColumn = column('Age', 'string', (o, now) => ageOf(o.metadata.creationTimestamp, now), {
	description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
});

export const defaultColumns: PrinterColumn[] = [nameColumn, ageColumn];

function containers(o: KubeObject, podSpecPath: string): { name: string; image: string }[] {
	return asArray(getPath(o, `${podSpecPath}.containers`)).map((c) => ({
		name: asString(asObject(c).name) ?? '',
		image: asString(asObject(c).image) ?? '',
	}));
}

function selectorString(o: KubeObject): string {
	const selector = asObject(getPath(o, 'spec.selector'));
	const parts: string[] = [];
	for (const [k, v] of Object.entries(asObject(selector.matchLabels))) parts.push(`${k}=${String(v)}`);
	for (const expr of asArray(selector.matchExpressions)) {
		const e = asObject(expr);
		const values = asArray(e.values).map(String);
		const op = String(e.operator);
		if (op === 'In') parts.push(`${String(e.key)} in (${values.join(',')})`);
		else if (op === 'NotIn') parts.push(`${String(e.key)} notin (${values.join(',')})`);
		else if (op === 'Exists') parts.push(String(e.key));
		else if (op === 'DoesNotExist') parts.push(`!${String(e.key)}`);
	}
	return parts.length ? parts.join(',') : '<none>';
}

function podTemplateColumns(path: string): PrinterColumn[] {
	return [
		column('Containers', 'string', (o) => containers(o, path).map((c) => c.name).join(','), { priority: 1, description: 'Names of each container in the template.' }),
		column('Images', 'string', (o) => containers(o, path).map((c) => c.image).join(','), { priority: 1, description: 'Images referenced by each container in the template.' }),
		column('Selector', 'string', selectorString, { priority: 1, description: 'Label selector for pods.' }),
	];
}

function int(value: unknown): number {
	return asNumber(value) ?? 0;
}

function podStatus(o: KubeObject): string {
	if (o.metadata.deletionTimestamp) return 'Terminating';
	const status = asObject(o.status);
	const phase = asString(status.phase) ?? 'Pending';
	for (const cs of asArray(status.containerStatuses)) {
		const waiting = asObject(asObject(asObject(cs).state).waiting);
		if (asString(waiting.reason)) return String(waiting.reason);
	}
	return asString(status.reason) ?? phase;
}

function hpaTargets(o: KubeObject): string {
	const metrics = asArray(getPath(o, 'spec.metrics'));
	if (metrics.length === 0) return '<none>';
	const current = asArray(getPath(o, 'status.currentMetrics'));
	return metrics
		.map((m, i) => {
			const metric = asObject(m);
			const type = String(metric.type);
			const source = asObject(metric[type.charAt(0).toLowerCase() + type.slice(1)]);
			const target = asObject(source.target);
			const now = asObject(asObject(asObject(current[i])[type.charAt(0).toLowerCase() + type.slice(1)]).current);
			if (type === 'Resource' || type === 'ContainerResource') {
				const name = String(source.name);
				if (target.type === 'Utilization') {
					const value = asNumber(now.averageUtilization);
					return `${name}: ${value === undefined ? '<unknown>' : `${value}%`}/${String(target.averageUtilization)}%`;
				}
				return `${name}: ${String(now.averageValue ?? '<unknown>')}/${String(target.averageValue ?? target.value)}`;
			}
			const metricName = String(asObject(source.metric).name ?? type);
			const wanted = target.type === 'AverageValue' ? `${String(target.averageValue)} (avg)` : String(target.value ?? target.averageValue);
			return `${metricName}: ${String(now.averageValue ?? now.value ?? '<unknown>')}/${wanted}`;
		})
		.join(', ');
}

function ingressHosts(o: KubeObject): string {
	const hosts = asArray(getPath(o, 'spec.rules')).map((r) => asString(asObject(r).host) ?? '*');
	return hosts.length ? hosts.join(',') : '*';
}

function servicePorts(o: KubeObject): string {
	const ports = asArray(getPath(o, 'spec.ports')).map((p) => {
		const port = asObject(p);
		const nodePort = asNumber(port.nodePort);
		return `${String(port.port)}${nodePort ? `:${nodePort}` : ''}/${String(port.protocol ?? 'TCP')}`;
	});
	return ports.length ? ports.join(',') : '<none>';
}

function eventObject(o: KubeObject): string {
	const involved = asObject(o.involvedObject);
	return `${String(involved.kind ?? '').toLowerCase()}/${String(involved.name ?? '')}`;
}

function eventLastSeen(o: KubeObject, now: number): string {
	const at = o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp;
	return ageOf(at, now);
}

export const builtinColumns: Record<string, PrinterColumn[]> = {
	namespaces: [nameColumn, column('Status', 'string', (o) => String(getPath(o, 'status.phase') ?? 'Active'), { description: 'The status of the namespace' }), ageColumn],
	pods: [
		nameColumn,
		column('Ready', 'string', (o) => {
			const statuses = asArray(getPath(o, 'status.containerStatuses'));
			const ready = statuses.filter((s) => asObject(s).ready === true).length;
			return `${ready}/${asArray(getPath(o, 'spec.containers')).length}`;
		}, { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
		column('Status', 'string', podStatus, { description: 'The aggregate status of the containers in this pod.' }),
		column('Restarts', 'string', (o) => String(asArray(getPath(o, 'status.containerStatuses')).reduce<number>((n, s) => n + int(asObject(s).restartCount), 0)), {
			description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
		}),
		ageColumn,
		column('IP', 'string', (o) => String(getPath(o, 'status.podIP') ?? '<none>'), { priority: 1, description: 'The IP address assigned to the pod' }),
		column('Node', 'string', (o) => String(getPath(o, 'spec.nodeName') ?? '<none>'), { priority: 1, description: 'The name of the node this pod is running on' }),
		column('Nominated Node', 'string', () => '<none>', { priority: 1, description: 'The node name a preemption placed this pod on' }),
		column('Readiness Gates', 'string', () => '<none>', { priority: 1, description: 'The readiness gates of the pod' }),
	],
	configmaps: [
		nameColumn,
		column('Data', 'integer', (o) => Object.keys(asObject(o.data)).length + Object.keys(asObject(o.binaryData)).length, { description: 'The number of keys in the ConfigMap' }),
		ageColumn,
	],
	events: [
		column('Last Seen', 'string', eventLastSeen, { description: 'Time of the last occurrence' }),
		column('Type', 'string', (o) => String(o.type ?? 'Normal'), { description: 'Type of this event' }),
		column('Reason', 'string', (o) => String(o.reason ?? ''), { description: 'Why the action was taken' }),
		column('Object', 'string', eventObject, { description: 'The object this event is about' }),
		column('Subobject', 'string', (o) => String(asObject(o.involvedObject).fieldPath ?? ''), { priority: 1, description: 'The subobject this event is about' }),
		column('Source', 'string', (o) => String(asObject(o.source).component ?? o.reportingComponent ?? ''), { priority: 1, description: 'The component reporting this event' }),
		column('Message', 'string', (o) => String(o.message ?? ''), { description: 'A human-readable description of the status of this operation' }),
		column('First Seen', 'string', (o, now) => ageOf(o.firstTimestamp ?? o.metadata.creationTimestamp, now), { priority: 1, description: 'Time of the first occurrence' }),
		column('Count', 'string', (o) => String(o.count ?? 1), { priority: 1, description: 'Number of occurrences' }),
		column('Name', 'string', (o) => o.metadata.name ?? '', { priority: 1, format: 'name', description: 'Name of the event' }),
	],
	services: [
		nameColumn,
		column('Type', 'string', (o) => String(getPath(o, 'spec.type') ?? 'ClusterIP'), { description: 'The type of the service' }),
		column('Cluster-IP', 'string', (o) => String(getPath(o, 'spec.clusterIP') ?? '<none>'), { description: 'The IP address of the service' }),
		column('External-IP', 'string', () => '<none>', { description: 'The external IP addresses of the service' }),
		column('Port(s)', 'string', servicePorts, { description: 'The ports of the service' }),
		ageColumn,
		column('Selector', 'string', (o) => {
			const sel = Object.entries(asObject(getPath(o, 'spec.selector'))).map(([k, v]) => `${k}=${String(v)}`);
			return sel.length ? sel.join(',') : '<none>';
		}, { priority: 1, description: 'The selector of the service' }),
	],
	'deployments.apps': [
		nameColumn,
		column('Ready', 'string', (o) => `${int(getPath(o, 'status.readyReplicas'))}/${int(getPath(o, 'spec.replicas'))}`, { description: 'Number of the pod with ready state' }),
		column('Up-to-date', 'integer', (o) => int(getPath(o, 'status.updatedReplicas')), { description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.' }),
		column('Available', 'integer', (o) => int(getPath(o, 'status.availableReplicas')), { description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.' }),
		ageColumn,
		...podTemplateColumns('spec.template.spec'),
	],
	'replicasets.apps': [
		nameColumn,
		column('Desired', 'integer', (o) => int(getPath(o, 'spec.replicas')), { description: 'Replicas is the number of desired replicas.' }),
		column('Current', 'integer', (o) => int(getPath(o, 'status.replicas')), { description: 'Replicas is the most recently observed number of replicas.' }),
		column('Ready', 'integer', (o) => int(getPath(o, 'status.readyReplicas')), { description: 'The number of ready replicas for this replica set.' }),
		ageColumn,
		...podTemplateColumns('spec.template.spec'),
	],
	'horizontalpodautoscalers.autoscaling': [
		nameColumn,
		column('Reference', 'string', (o) => `${String(getPath(o, 'spec.scaleTargetRef.kind'))}/${String(getPath(o, 'spec.scaleTargetRef.name'))}`, { description: 'Reference to the object to scale' }),
		column('Targets', 'string', hpaTargets, { description: 'Current and target metric values' }),
		column('MinPods', 'string', (o) => String(getPath(o, 'spec.minReplicas') ?? '<unset>'), { description: 'Lower limit for the number of pods' }),
		column('MaxPods', 'integer', (o) => int(getPath(o, 'spec.maxReplicas')), { description: 'Upper limit for the number of pods' }),
		column('Replicas', 'integer', (o) => int(getPath(o, 'status.currentReplicas')), { description: 'Current number of replicas' }),
		ageColumn,
	],
	'ingresses.networking.k8s.io': [
		nameColumn,
		column('Class', 'string', (o) => String(getPath(o, 'spec.ingressClassName') ?? '<none>'), { description: 'The name of the IngressClass resource' }),
		column('Hosts', 'string', ingressHosts, { description: 'Hosts that incoming requests are matched against' }),
		column('Address', 'string', (o) => asArray(getPath(o, 'status.loadBalancer.ingress')).map((i) => String(asObject(i).ip ?? asObject(i).hostname)).join(','), { description: 'Address is a list containing ingress points for the load-balancer' }),
		column('Ports', 'string', (o) => (asArray(getPath(o, 'spec.tls')).length ? '80, 443' : '80'), { description: 'Ports of TLS configurations that open' }),
		ageColumn,
	],
	'leases.coordination.k8s.io': [
		nameColumn,
		column('Holder', 'string', (o) => String(getPath(o, 'spec.holderIdentity') ?? ''), { description: 'The identity of the current holder of the lease' }),
		ageColumn,
	],
	'customresourcedefinitions.apiextensions.k8s.io': [
		nameColumn,
		column('Created At', 'date', (o) => o.metadata.creationTimestamp ?? '', { description: 'The time the object was created' }),
	],
};

/** Columns a CRD declares in additionalPrinterColumns, after NAME and before AGE as the real server places them. */
export function crdColumns(printerColumns: unknown[]): PrinterColumn[] {
	if (printerColumns.length === 0) return defaultColumns;
	const extra = printerColumns.map((raw) => {
		const spec = asObject(raw);
		const path = String(spec.jsonPath ?? '');
		const type = String(spec.type ?? 'string');
		return column(
			String(spec.name ?? path),
			type,
			(o, now) => {
				let values: unknown[];
				try {
					values = jsonPathAll(o, path);
				} catch {
					return null;
				}
				if (values.length === 0) return null;
				if (type === 'date') return ageOf(values[0], now);
				if (type === 'integer' || type === 'number') return asNumber(values[0]) ?? null;
				return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
			},
			{ priority: asNumber(spec.priority) ?? 0, description: String(spec.description ?? spec.name ?? path), format: String(spec.format ?? '') },
		);
	});
	const hasAge = extra.some((c) => c.name.toLowerCase() === 'age');
	return hasAge ? [nameColumn, ...extra] : [nameColumn, ...extra, ageColumn];
}
