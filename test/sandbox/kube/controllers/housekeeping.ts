import { asArray, asObject, getPath, semanticEqual } from '../json';
import { defsFromCrd } from '../registry';
import type { JsonObject, KubeObject } from '../types';
import { resourceKey } from '../types';
import { type Controller, setCondition, unconditional } from './common';

/** Background cascading deletion: objects whose owners are all gone are deleted. */
export const garbageCollector: Controller = {
	name: 'garbage-collector',
	reconcile(ctx) {
		for (const def of ctx.api.registry.all()) {
			// Only orphans are copied: every pass looks at every object (the loops' Events pile up).
			const orphaned = (obj: Readonly<KubeObject>) => {
				const owners = obj.metadata.ownerReferences ?? [];
				return owners.length > 0 && !owners.some((o) => ctx.api.store.hasUid(o.uid));
			};
			for (const obj of ctx.api.store.list(resourceKey(def), undefined, orphaned)) {
				try {
					ctx.api.delete(def, obj.metadata.namespace, obj.metadata.name as string);
				} catch {
					// Already gone.
				}
			}
		}
	},
};

/** Empties a terminating namespace, then lets it go. */
export const namespaceController: Controller = {
	name: 'namespace',
	reconcile(ctx) {
		for (const ns of ctx.api.store.list('namespaces')) {
			if (!ns.metadata.deletionTimestamp) continue;
			const name = ns.metadata.name as string;
			for (const def of ctx.api.registry.all().filter((d) => d.namespaced)) {
				for (const obj of ctx.api.store.list(resourceKey(def), name)) ctx.api.store.remove(resourceKey(def), name, obj.metadata.name as string);
			}
			ctx.api.store.remove('namespaces', undefined, name);
		}
	},
};

/** Marks CRDs Established, and drops the custom objects of a CRD that was deleted. */
export function createCrdController(): Controller {
	const served = new Set<string>();
	return {
		name: 'apiextensions',
		reconcile(ctx) {
			const crdDef = ctx.api.def('customresourcedefinitions.apiextensions.k8s.io');
			const live = new Set<string>();
			for (const crd of ctx.api.list(crdDef, undefined).items) {
				for (const def of defsFromCrd(crd)) live.add(resourceKey(def));
				const names = asObject(getPath(crd, 'spec.names'));
				const storage = asArray(getPath(crd, 'spec.versions')).map(asObject).find((v) => v.storage === true);
				let conditions: unknown = getPath(crd, 'status.conditions');
				conditions = setCondition(conditions, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, ctx.now);
				conditions = setCondition(conditions, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, ctx.now);
				const status: JsonObject = {
					conditions,
					acceptedNames: { ...names, listKind: names.listKind ?? `${String(names.kind)}List`, singular: names.singular ?? String(names.kind).toLowerCase() },
					storedVersions: storage ? [storage.name] : [],
				};
				if (!semanticEqual(status, crd.status)) ctx.api.update(crdDef, undefined, crd.metadata.name as string, unconditional({ ...crd, status }), { subresource: 'status' });
			}
			for (const key of served) {
				if (live.has(key)) continue;
				for (const obj of ctx.api.store.list(key)) ctx.api.store.remove(key, obj.metadata.namespace, obj.metadata.name as string);
				served.delete(key);
			}
			for (const key of live) served.add(key);
		},
	};
}
