import { asArray, asObject, asString } from './json';
import { builtinColumns, crdColumns, defaultColumns } from './printers';
import type { KubeObject, ResourceDef } from './types';
import { resourceKey } from './types';

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(def: Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>): ResourceDef {
	const full: ResourceDef = {
		listKind: `${def.kind}List`,
		singular: def.kind.toLowerCase(),
		shortNames: [],
		categories: [],
		verbs: allVerbs,
		statusSubresource: false,
		hasGeneration: false,
		custom: false,
		columns: defaultColumns,
		selectableFields: [],
		...def,
	};
	full.columns = builtinColumns[resourceKey(full)] ?? defaultColumns;
	return full;
}

/** The built-in kinds this sandbox serves, in the order discovery lists them. */
export const builtinResources: ResourceDef[] = [
	builtin({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], statusSubresource: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], selectableFields: ['status.phase'] }),
	builtin({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], statusSubresource: true, selectableFields: ['spec.nodeName', 'status.phase', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.podIP'] }),
	builtin({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
	builtin({ group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], selectableFields: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'] }),
	builtin({ group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], statusSubresource: true }),
	builtin({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], statusSubresource: true, hasGeneration: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' } }),
	builtin({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], statusSubresource: true, hasGeneration: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' } }),
	builtin({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ['all'], statusSubresource: true, hasGeneration: true }),
	builtin({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'], statusSubresource: true, hasGeneration: true }),
	builtin({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true }),
	builtin({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], statusSubresource: true, hasGeneration: true }),
];

/** Resource definitions a CustomResourceDefinition object declares, one per served version. */
export function defsFromCrd(crd: KubeObject): ResourceDef[] {
	const spec = asObject(crd.spec);
	const names = asObject(spec.names);
	const group = asString(spec.group);
	const plural = asString(names.plural);
	const kind = asString(names.kind);
	if (!group || !plural || !kind) return [];
	return asArray(spec.versions)
		.map(asObject)
		.filter((v) => v.served !== false && typeof v.name === 'string')
		.map((v) => {
			const subresources = asObject(v.subresources);
			const scale = subresources.scale ? asObject(subresources.scale) : undefined;
			const selectable = asArray(v.selectableFields).map((f) => String(asObject(f).jsonPath ?? '').replace(/^\./, ''));
			return {
				group,
				version: String(v.name),
				kind,
				listKind: asString(names.listKind) ?? `${kind}List`,
				plural,
				singular: asString(names.singular) ?? kind.toLowerCase(),
				namespaced: spec.scope !== 'Cluster',
				shortNames: asArray(names.shortNames).map(String),
				categories: asArray(names.categories).map(String),
				verbs: allVerbs,
				statusSubresource: subresources.status !== undefined,
				scale: scale
					? {
							specReplicasPath: String(scale.specReplicasPath ?? '.spec.replicas'),
							statusReplicasPath: String(scale.statusReplicasPath ?? '.status.replicas'),
							labelSelectorPath: asString(scale.labelSelectorPath),
						}
					: undefined,
				hasGeneration: true,
				custom: true,
				columns: crdColumns(asArray(v.additionalPrinterColumns)),
				selectableFields: selectable,
			};
		});
}

/**
 * Built-in kinds plus whatever the stored CRDs declare; a CRD written through
 * the API shows up in discovery on the next request, as on a real cluster.
 */
export class ResourceRegistry {
	private crdDefs: ResourceDef[] | undefined;

	constructor(private readonly crdSource: () => KubeObject[]) {}

	invalidate(): void {
		this.crdDefs = undefined;
	}

	all(): ResourceDef[] {
		if (!this.crdDefs) {
			this.crdDefs = this.crdSource()
				.filter((crd) => !crd.metadata.deletionTimestamp)
				.flatMap(defsFromCrd)
				.sort((a, b) => a.group.localeCompare(b.group));
		}
		return [...builtinResources, ...this.crdDefs];
	}

	find(group: string, version: string, plural: string): ResourceDef | undefined {
		return this.all().find((d) => d.group === group && d.version === version && d.plural === plural);
	}

	/** The preferred (first served) version of a group/resource. */
	byGroupResource(key: string): ResourceDef | undefined {
		return this.all().find((d) => resourceKey(d) === key);
	}

	byGroupKind(group: string, kind: string): ResourceDef | undefined {
		return this.all().find((d) => d.group === group && d.kind === kind);
	}

	/** Group names with their versions, core first, then in order of appearance. */
	groups(): { name: string; versions: string[] }[] {
		const groups: { name: string; versions: string[] }[] = [];
		for (const def of this.all()) {
			let group = groups.find((g) => g.name === def.group);
			if (!group) {
				group = { name: def.group, versions: [] };
				groups.push(group);
			}
			if (!group.versions.includes(def.version)) group.versions.push(def.version);
		}
		return groups;
	}
}
