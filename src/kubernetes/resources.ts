import { KubeError, type RequestSubject } from './errors';

/** How a kind is served: enough to build its REST paths. */
export interface ResourceInfo {
	group: string;
	version: string;
	kind: string;
	plural: string;
	namespaced: boolean;
}

/** What a change acts on. `namespace` is undefined for cluster-scoped kinds. */
export interface ObjectRef {
	apiVersion: string;
	kind: string;
	name: string;
	namespace?: string;
}

export type JsonObject = Record<string, unknown>;

/** An object as the API server sends it: kept as plain JSON so no field is ever lost on a write. */
export interface KubeObject extends JsonObject {
	apiVersion?: string;
	kind?: string;
	metadata: {
		name?: string;
		namespace?: string;
		uid?: string;
		resourceVersion?: string;
		generation?: number;
		labels?: Record<string, string>;
		annotations?: Record<string, string>;
		ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }[];
		[key: string]: unknown;
	};
}

// The kinds the loops use, so the common path needs no discovery request.
// Anything else is looked up through API discovery.
const known: ResourceInfo[] = [
	{ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
	{ group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
	{ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
	{ group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
	{ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true },
	{ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
	{ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
	{ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
	{ group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
	{ group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true },
	{ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
	{ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
	{ group: 'keda.sh', version: 'v1alpha1', kind: 'ScaledObject', plural: 'scaledobjects', namespaced: true },
	{ group: 'gateway.networking.k8s.io', version: 'v1', kind: 'HTTPRoute', plural: 'httproutes', namespaced: true },
	{ group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', plural: 'rollouts', namespaced: true },
];

export const resources = {
	deployments: known[0],
	statefulsets: known[1],
	replicasets: known[2],
	hpa: known[4],
	ingresses: known[5],
	leases: known[6],
	events: known[9],
	scaledobjects: known[12],
	httproutes: known[13],
};

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
	const slash = apiVersion.indexOf('/');
	return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(res: Pick<ResourceInfo, 'group' | 'version'>): string {
	return res.group ? `${res.group}/${res.version}` : res.version;
}

export function knownResource(apiVersion: string, kind: string): ResourceInfo | undefined {
	const { group, version } = splitApiVersion(apiVersion);
	return known.find((r) => r.group === group && r.version === version && r.kind === kind);
}

/** `deployments.apps`, `configmaps`: how kubectl and the API server name a resource. */
export function qualifiedName(res: Pick<ResourceInfo, 'group' | 'plural'>): string {
	return res.group ? `${res.plural}.${res.group}` : res.plural;
}

export function groupVersionPath(res: Pick<ResourceInfo, 'group' | 'version'>): string {
	return res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
}

export function objectPath(res: ResourceInfo, namespace: string | undefined, name?: string, subresource?: string): string {
	const ns = res.namespaced && namespace ? `/namespaces/${pathSegment(namespace, 'namespace')}` : '';
	const tail = [name, subresource].filter((p): p is string => p !== undefined && p !== '').map((p) => pathSegment(p, 'name')).join('/');
	return `${groupVersionPath(res)}${ns}/${res.plural}${tail ? `/${tail}` : ''}`;
}

/**
 * One URL path segment. encodeURIComponent leaves "." and "..", which a URL
 * parser resolves: a namespace of ".." would drop a segment and address
 * another resource. Kubernetes names are never "." or "..".
 */
function pathSegment(value: string, what: string): string {
	if (value === '.' || value === '..') {
		throw new KubeError('invalid', `The ${what} "${value}" is not a Kubernetes name`, `Use a DNS-1123 name (lowercase letters, digits and -); check where the ${what} came from (e.g. an alert label).`);
	}
	return encodeURIComponent(value);
}

export function subjectOf(res: ResourceInfo, verb: string, namespace?: string, name?: string, subresource?: string): RequestSubject {
	return { verb, resource: qualifiedName(res), group: res.group, namespace: res.namespaced ? namespace : undefined, name, subresource };
}

/** `deployments.apps "web" in namespace "shop"`, for messages. */
export function describeObject(res: ResourceInfo, namespace: string | undefined, name: string): string {
	return `${qualifiedName(res)} "${name}"${res.namespaced && namespace ? ` in namespace "${namespace}"` : ''}`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks names before they reach a URL, so a typo gets a clear message rather than a 404 on a mangled path. */
export function validateName(name: string, what: string): string | undefined {
	if (!name) return `${what} is empty`;
	if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) return `${what} "${name}" is not a valid Kubernetes name (lowercase letters, digits, '-' and '.')`;
	return undefined;
}

export function validateNamespace(namespace: string): string | undefined {
	if (!namespace) return 'Namespace is empty';
	if (!DNS_LABEL.test(namespace)) return `Namespace "${namespace}" is not a valid namespace name (lowercase letters, digits and '-', at most 63)`;
	return undefined;
}

/** The usual apiVersion of a kind, for proposals that name only the kind. */
export function defaultApiVersion(kind: string): string | undefined {
	const found = known.find((r) => r.kind === kind);
	return found ? apiVersionOf(found) : undefined;
}
