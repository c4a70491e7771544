import { createHash } from 'node:crypto';
import type { ResourceRegistry } from './registry';
import type { JsonObject, ResourceDef } from './types';
import { apiVersionOf } from './types';

export const kubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.4+kube-ops-sandbox' };

export function versionInfo(): JsonObject {
	return {
		major: kubernetesVersion.major,
		minor: kubernetesVersion.minor,
		gitVersion: kubernetesVersion.gitVersion,
		gitCommit: '0000000000000000000000000000000000000000',
		gitTreeState: 'clean',
		buildDate: '2025-04-22T00:00:00Z',
		goVersion: 'go1.23.8',
		compiler: 'gc',
		platform: 'linux/amd64',
	};
}

/** The Accept parameters of aggregated discovery, as client-go asks for it. */
export const aggregatedDiscoveryTypes = {
	v2: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
	v2beta1: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
};

const subresourceVerbs = ['get', 'patch', 'update'];

function storageVersionHash(def: ResourceDef): string {
	return createHash('sha256').update(`${def.group}/${def.version}/${def.kind}`).digest('base64').slice(0, 11) + '=';
}

function legacyResources(defs: ResourceDef[]): JsonObject[] {
	const out: JsonObject[] = [];
	for (const def of defs) {
		const entry: JsonObject = { name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: def.verbs };
		if (def.shortNames.length) entry.shortNames = def.shortNames;
		if (def.categories.length) entry.categories = def.categories;
		entry.storageVersionHash = storageVersionHash(def);
		out.push(entry);
		if (def.scale) {
			out.push({ name: `${def.plural}/scale`, singularName: '', namespaced: def.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: subresourceVerbs });
		}
		if (def.statusSubresource) out.push({ name: `${def.plural}/status`, singularName: '', namespaced: def.namespaced, kind: def.kind, verbs: subresourceVerbs });
	}
	return out;
}

function aggregatedResource(def: ResourceDef): JsonObject {
	const entry: JsonObject = {
		resource: def.plural,
		responseKind: { group: def.group, version: def.version, kind: def.kind },
		scope: def.namespaced ? 'Namespaced' : 'Cluster',
		singularResource: def.singular,
		verbs: def.verbs,
	};
	if (def.shortNames.length) entry.shortNames = def.shortNames;
	if (def.categories.length) entry.categories = def.categories;
	const subresources: JsonObject[] = [];
	if (def.scale) subresources.push({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: subresourceVerbs });
	if (def.statusSubresource) subresources.push({ subresource: 'status', responseKind: { group: def.group, version: def.version, kind: def.kind }, verbs: subresourceVerbs });
	if (subresources.length) entry.subresources = subresources;
	return entry;
}

/**
 * Discovery documents in both formats: the legacy per-group-version lists and
 * the aggregated APIGroupDiscoveryList that kubectl 1.30+ asks for first.
 */
export class Discovery {
	constructor(
		private readonly registry: ResourceRegistry,
		private readonly serverAddress: () => string,
	) {}

	apiVersions(): JsonObject {
		return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }] };
	}

	private apiGroup(name: string, versions: string[]): JsonObject {
		const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
		return { name, versions: list, preferredVersion: list[0] };
	}

	apiGroupList(): JsonObject {
		const groups = this.registry.groups().filter((g) => g.name !== '');
		return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => this.apiGroup(g.name, g.versions)) };
	}

	apiGroupDoc(group: string): JsonObject | undefined {
		const found = this.registry.groups().find((g) => g.name === group && group !== '');
		return found ? { kind: 'APIGroup', apiVersion: 'v1', ...this.apiGroup(found.name, found.versions) } : undefined;
	}

	resourceList(group: string, version: string): JsonObject | undefined {
		const defs = this.registry.all().filter((d) => d.group === group && d.version === version);
		if (defs.length === 0) return undefined;
		return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources: legacyResources(defs) };
	}

	/** `/api` (core only) or `/apis` (every named group) in the aggregated format. */
	aggregated(core: boolean, apiVersion: 'v2' | 'v2beta1'): JsonObject {
		const groups = this.registry.groups().filter((g) => (core ? g.name === '' : g.name !== ''));
		const items = groups.map((g) => ({
			metadata: core ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
			versions: g.versions.map((version) => ({
				version,
				resources: this.registry
					.all()
					.filter((d) => d.group === g.name && d.version === version)
					.map(aggregatedResource),
				freshness: 'Current',
			})),
		}));
		return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
	}

	// ---- OpenAPI v3 ---------------------------------------------------------

	private openApiDocs(): Map<string, JsonObject> {
		const docs = new Map<string, JsonObject>();
		for (const g of this.registry.groups()) {
			for (const version of g.versions) {
				const key = g.name === '' ? `api/${version}` : `apis/${g.name}/${version}`;
				docs.set(key, this.openApiDoc(g.name, version));
			}
		}
		return docs;
	}

	/** The index at /openapi/v3; each entry's hash changes when the document does, as client-go's cache expects. */
	openApiIndex(): JsonObject {
		const paths: JsonObject = {};
		for (const [key, doc] of this.openApiDocs()) {
			const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
			paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
		}
		return { paths };
	}

	openApiDocFor(path: string): JsonObject | undefined {
		return this.openApiDocs().get(path.replace(/^\/+|\/+$/g, ''));
	}

	/**
	 * A deliberately small OpenAPI v3 document: the operations with their
	 * `x-kubernetes-group-version-kind` and query parameters, no schemas. That
	 * is what kubectl reads to learn the server validates fields itself
	 * (`fieldValidation`), so `kubectl create/replace/apply` need no client-side
	 * schema; PATCH operations declare no request body, so `kubectl apply`
	 * computes strategic patches from its compiled-in types.
	 */
	private openApiDoc(group: string, version: string): JsonObject {
		const paths: JsonObject = {};
		const prefix = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
		const param = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
		const writeParams = [
			param('dryRun', 'When present, indicates that modifications should not be persisted.'),
			param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
			param('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.'),
		];
		const ok = { '200': { description: 'OK' }, '401': { description: 'Unauthorized' } };
		for (const def of this.registry.all().filter((d) => d.group === group && d.version === version)) {
			const gvk = { group: def.group, version: def.version, kind: def.kind };
			const base = def.namespaced ? `${prefix}/namespaces/{namespace}/${def.plural}` : `${prefix}/${def.plural}`;
			const op = (action: string, verb: string, parameters: JsonObject[]) => ({
				operationId: `${verb}${def.kind}`,
				parameters,
				responses: ok,
				'x-kubernetes-action': action,
				'x-kubernetes-group-version-kind': gvk,
			});
			paths[base] = { get: op('list', 'list', []), post: op('post', 'create', writeParams) };
			paths[`${base}/{name}`] = {
				get: op('get', 'read', []),
				put: op('put', 'replace', writeParams),
				patch: op('patch', 'patch', [...writeParams, param('force', 'Force is going to "force" Apply requests.')]),
				delete: op('delete', 'delete', [param('dryRun', 'When present, indicates that modifications should not be persisted.')]),
			};
		}
		return { openapi: '3.0.0', info: { title: 'Kubernetes', version: kubernetesVersion.gitVersion }, paths, components: { schemas: {} } };
	}
}
