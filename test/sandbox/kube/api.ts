import { randomUUID } from 'node:crypto';
import { rfc3339 } from './age';
import { applyDefaults } from './defaults';
import { asArray, asObject, asString, clone, getPath, isObject, semanticEqual } from './json';
import { jsonPathFirst, jsonPathSet } from './jsonpath';
import { jsonPatch, mergePatch, strategicMergePatch, type PatchKind, patchContentTypes } from './patch';
import type { ResourceRegistry } from './registry';
import { labelSelectorString, parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiError, errors, successStatus } from './status';
import type { ObjectStore } from './store';
import { apiVersionOf, type JsonObject, type KubeObject, type ResourceDef, resourceKey } from './types';
import { validateObject, validateScaleReplicas } from './validation';

export interface WriteOptions {
	dryRun?: boolean;
	fieldManager?: string;
	subresource?: 'status';
}

export interface DeleteOptions {
	dryRun?: boolean;
	propagationPolicy?: string;
	preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
	labelSelector?: string | null;
	fieldSelector?: string | null;
	limit?: number;
	continueToken?: string | null;
}

export interface ListResult {
	items: KubeObject[];
	resourceVersion: string;
	continueToken?: string;
	remainingItemCount?: number;
}

const nameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** The random suffix Kubernetes appends for generateName (5 characters of a vowel-free alphabet). */
export function randomSuffix(length = 5): string {
	let out = '';
	for (let i = 0; i < length; i++) out += nameAlphabet[Math.floor(Math.random() * nameAlphabet.length)];
	return out;
}

/** Everything but metadata and status: what a change to bumps `metadata.generation`. */
function specPart(obj: KubeObject): JsonObject {
	const rest: JsonObject = {};
	for (const [k, v] of Object.entries(obj)) if (!['metadata', 'status', 'apiVersion', 'kind'].includes(k)) rest[k] = v;
	return rest;
}

function withoutVersion(obj: KubeObject): KubeObject {
	const copy = clone(obj);
	delete copy.metadata.resourceVersion;
	return copy;
}

/**
 * The REST semantics of the API server, shared by HTTP handlers and the
 * sandbox's own controllers: defaulting, validation, optimistic concurrency,
 * generation, status subresources, dry runs and the scale subresource.
 */
export class KubeApi {
	private nextServiceIp = 10;

	constructor(
		readonly store: ObjectStore,
		readonly registry: ResourceRegistry,
		readonly now: () => number = Date.now,
	) {
		store.subscribe((event) => {
			if (event.key === 'customresourcedefinitions.apiextensions.k8s.io') registry.invalidate();
		});
	}

	/** Looks a resource up by its group-resource name, e.g. `deployments.apps`. */
	def(key: string): ResourceDef {
		const found = this.registry.byGroupResource(key);
		if (!found) throw errors.pathNotFound();
		return found;
	}

	private present(def: ResourceDef, obj: KubeObject): KubeObject {
		const out: KubeObject = { apiVersion: apiVersionOf(def), kind: def.kind, ...obj };
		out.apiVersion = apiVersionOf(def);
		out.kind = def.kind;
		return out;
	}

	private checkTypeMeta(def: ResourceDef, obj: KubeObject): void {
		if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(def)) {
			// Other served versions of the same custom resource store unconverted, like a CRD with conversion strategy None.
			const sameGroup = this.registry.all().some((d) => d.group === def.group && d.plural === def.plural && apiVersionOf(d) === obj.apiVersion);
			if (!sameGroup) throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`);
		}
		if (obj.kind !== undefined && obj.kind !== def.kind) {
			throw errors.badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`);
		}
	}

	private ensureNamespace(def: ResourceDef, namespace: string | undefined, creating: boolean): void {
		if (!def.namespaced) return;
		if (!namespace) throw errors.badRequest('the namespace of the object is required for a namespaced resource');
		const ns = this.store.get('namespaces', undefined, namespace);
		if (!ns) throw errors.notFound({ plural: 'namespaces', group: '' }, namespace);
		if (creating && ns.metadata.deletionTimestamp) {
			throw new ApiError(403, 'Forbidden', `${def.plural}${def.group ? `.${def.group}` : ''} "" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
				kind: def.plural,
				...(def.group ? { group: def.group } : {}),
			});
		}
	}

	get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
		const found = this.store.get(resourceKey(def), def.namespaced ? namespace : undefined, name);
		if (!found) throw errors.notFound(def, name);
		return this.present(def, found);
	}

	find(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
		const found = this.store.get(resourceKey(def), def.namespaced ? namespace : undefined, name);
		return found ? this.present(def, found) : undefined;
	}

	/** The objects of `def` in `namespace` that `where` picks, judged before they are copied (controllers' own lists). */
	listWhere(def: ResourceDef, namespace: string | undefined, where: (stored: Readonly<KubeObject>) => boolean): KubeObject[] {
		return this.store.list(resourceKey(def), def.namespaced ? namespace : undefined, where).map((o) => this.present(def, o));
	}

	list(def: ResourceDef, namespace: string | undefined, options: ListOptions = {}): ListResult {
		const labelMatch = parseLabelSelector(options.labelSelector);
		const fieldMatch = parseFieldSelector(options.fieldSelector, def.selectableFields);
		const resourceVersion = String(this.store.revision);
		let items = this.store
			.list(resourceKey(def), def.namespaced ? namespace : undefined)
			.filter((o) => labelMatch(o.metadata.labels) && fieldMatch(o))
			.map((o) => this.present(def, o));
		if (options.continueToken) {
			let start: string;
			try {
				start = String(JSON.parse(Buffer.from(options.continueToken, 'base64url').toString('utf8')).start);
			} catch {
				throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
			}
			items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > start);
		}
		const limit = options.limit ?? 0;
		if (limit > 0 && items.length > limit) {
			const page = items.slice(0, limit);
			const last = page[page.length - 1];
			const token = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: `${last.metadata.namespace ?? ''}/${last.metadata.name}` })).toString('base64url');
			return { items: page, resourceVersion, continueToken: token, remainingItemCount: items.length - limit };
		}
		return { items, resourceVersion };
	}

	create(def: ResourceDef, namespace: string | undefined, body: unknown, options: WriteOptions = {}): KubeObject {
		if (!isObject(body)) throw errors.badRequest('the body of the request must be a JSON object');
		const obj = clone(body) as KubeObject;
		obj.metadata = asObject(obj.metadata);
		this.checkTypeMeta(def, obj);
		if (def.namespaced) {
			if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
				throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
			}
			obj.metadata.namespace = namespace ?? obj.metadata.namespace;
		} else delete obj.metadata.namespace;
		const key = resourceKey(def);
		this.ensureNamespace(def, obj.metadata.namespace, true);
		if (obj.metadata.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
		if (!obj.metadata.name && obj.metadata.generateName) {
			let candidate: string;
			do candidate = `${obj.metadata.generateName}${randomSuffix()}`;
			while (this.store.get(key, obj.metadata.namespace, candidate));
			obj.metadata.name = candidate;
		}
		for (const field of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'managedFields']) delete obj.metadata[field];
		if (def.statusSubresource) delete obj.status;
		applyDefaults(key, obj);
		this.prepareForCreate(key, obj);
		const invalid = validateObject(key, obj);
		if (invalid.length) throw errors.invalid(def.group, def.kind, obj.metadata.name ?? '', invalid);
		const name = obj.metadata.name as string;
		if (this.store.get(key, obj.metadata.namespace, name)) throw errors.alreadyExists(def, name);
		obj.metadata.uid = randomUUID();
		obj.metadata.creationTimestamp = rfc3339(this.now());
		if (def.hasGeneration) obj.metadata.generation = 1;
		const typed = this.present(def, obj);
		if (options.dryRun) return typed;
		return this.present(def, this.store.write(key, typed));
	}

	private prepareForCreate(key: string, obj: KubeObject): void {
		if (key === 'pods') {
			const containers = asArray(getPath(obj, 'spec.containers')).map(asObject);
			const requests = containers.some((c) => Object.keys(asObject(asObject(c.resources).requests)).length > 0);
			const guaranteed = containers.length > 0 && containers.every((c) => {
				const r = asObject(c.resources);
				return Object.keys(asObject(r.limits)).length > 0 && semanticEqual(r.limits, r.requests ?? r.limits);
			});
			obj.status = { phase: 'Pending', qosClass: guaranteed ? 'Guaranteed' : requests ? 'Burstable' : 'BestEffort' };
		} else if (key === 'services') {
			const spec = asObject(obj.spec);
			if (spec.type !== 'ExternalName' && spec.clusterIP === undefined) {
				const n = this.nextServiceIp++;
				spec.clusterIP = `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
				spec.clusterIPs = [spec.clusterIP];
			}
			obj.spec = spec;
			obj.status = { loadBalancer: {} };
		} else if (key === 'namespaces') {
			obj.status = { phase: 'Active' };
		}
	}

	update(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}): KubeObject {
		if (!isObject(body)) throw errors.badRequest('the body of the request must be a JSON object');
		const existing = this.get(def, namespace, name);
		const obj = clone(body) as KubeObject;
		obj.metadata = asObject(obj.metadata);
		this.checkTypeMeta(def, obj);
		return this.commitUpdate(def, existing, obj, options);
	}

	private commitUpdate(def: ResourceDef, existing: KubeObject, incoming: KubeObject, options: WriteOptions): KubeObject {
		const key = resourceKey(def);
		const name = existing.metadata.name as string;
		if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
			throw errors.badRequest(`the name of the object (${String(incoming.metadata.name)}) does not match the name on the URL (${name})`);
		}
		if (def.namespaced && incoming.metadata.namespace !== undefined && incoming.metadata.namespace !== existing.metadata.namespace) {
			throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
		}
		const expected = incoming.metadata.resourceVersion;
		if (expected !== undefined && expected !== '' && expected !== existing.metadata.resourceVersion) throw errors.conflict(def, name);
		let next: KubeObject;
		if (options.subresource === 'status') {
			next = clone(existing);
			next.status = clone(incoming.status);
			if (next.status === undefined) delete next.status;
		} else {
			next = clone(incoming);
			next.metadata = {
				...incoming.metadata,
				name,
				namespace: existing.metadata.namespace,
				uid: existing.metadata.uid,
				creationTimestamp: existing.metadata.creationTimestamp,
				resourceVersion: existing.metadata.resourceVersion,
			};
			if (!def.namespaced) delete next.metadata.namespace;
			delete next.metadata.generation;
			if (existing.metadata.deletionTimestamp) {
				next.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
				next.metadata.deletionGracePeriodSeconds = existing.metadata.deletionGracePeriodSeconds;
			} else {
				delete next.metadata.deletionTimestamp;
				delete next.metadata.deletionGracePeriodSeconds;
			}
			if (def.statusSubresource) {
				if (existing.status === undefined) delete next.status;
				else next.status = clone(existing.status);
			}
		}
		next = this.present(def, next);
		applyDefaults(key, next);
		const invalid = validateObject(key, next, existing);
		if (invalid.length) throw errors.invalid(def.group, def.kind, name, invalid);
		if (def.hasGeneration) {
			const generation = existing.metadata.generation ?? 1;
			next.metadata.generation = semanticEqual(specPart(existing), specPart(next)) ? generation : generation + 1;
		}
		if (next.metadata.deletionTimestamp && asArray(next.metadata.finalizers).length === 0) {
			// The last finalizer is gone: the deletion that was waiting for it completes now.
			if (options.dryRun) return next;
			return this.present(def, this.store.remove(key, next.metadata.namespace, name) ?? next);
		}
		if (semanticEqual(withoutVersion(existing), withoutVersion(next))) return existing;
		if (options.dryRun) return next;
		return this.present(def, this.store.write(key, next));
	}

	patch(def: ResourceDef, namespace: string | undefined, name: string, kind: PatchKind, patch: unknown, options: WriteOptions = {}): KubeObject {
		if (kind === 'strategic' && def.custom) throw this.unsupportedStrategic();
		if (kind === 'apply') return this.apply(def, namespace, name, patch, options);
		const existing = this.get(def, namespace, name);
		const patched = this.applyPatch(def, existing, kind, patch);
		return this.commitUpdate(def, existing, patched, options);
	}

	private unsupportedStrategic(): ApiError {
		return errors.unsupportedMediaType(patchContentTypes.strategic, [patchContentTypes.json, patchContentTypes.merge, patchContentTypes.apply]);
	}

	private applyPatch(def: ResourceDef, current: KubeObject, kind: PatchKind, patch: unknown): KubeObject {
		let result: unknown;
		if (kind === 'json') result = jsonPatch(current, patch);
		else if (kind === 'merge') {
			if (!isObject(patch)) throw errors.badRequest('merge patch must be a JSON object');
			result = mergePatch(current, patch);
		} else result = strategicMergePatch(resourceKey(def), current, patch);
		if (!isObject(result) || !isObject(result.metadata)) throw errors.unprocessable('the patched object is not a valid Kubernetes object');
		return result as KubeObject;
	}

	/** Server-side apply, simplified: create when missing, otherwise merge the applied configuration without field ownership. */
	private apply(def: ResourceDef, namespace: string | undefined, name: string, patch: unknown, options: WriteOptions): KubeObject {
		if (!options.fieldManager) throw errors.badRequest('PATCH request must have a fieldManager when using server-side apply (application/apply-patch+yaml)');
		if (!isObject(patch)) throw errors.badRequest('the applied configuration must be an object');
		const applied = clone(patch) as KubeObject;
		applied.metadata = { ...asObject(applied.metadata), name };
		const existing = this.find(def, namespace, name);
		if (!existing) return this.create(def, namespace, applied, options);
		const merged = def.custom ? (mergePatch(existing, applied) as KubeObject) : strategicMergePatch(resourceKey(def), existing, applied);
		return this.commitUpdate(def, existing, merged as KubeObject, options);
	}

	delete(def: ResourceDef, namespace: string | undefined, name: string, options: DeleteOptions = {}): JsonObject {
		const key = resourceKey(def);
		const existing = this.get(def, namespace, name);
		const pre = options.preconditions ?? {};
		if (pre.uid && pre.uid !== existing.metadata.uid) {
			throw errors.conflict(def, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`);
		}
		if (pre.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
			throw errors.conflict(
				def,
				name,
				`the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${existing.metadata.resourceVersion}). The object might have been modified`,
			);
		}
		const details = { name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: existing.metadata.uid };
		const waitsForFinalizers = key === 'namespaces' || asArray(existing.metadata.finalizers).length > 0;
		if (waitsForFinalizers) {
			const marked = clone(existing);
			marked.metadata.deletionTimestamp = existing.metadata.deletionTimestamp ?? rfc3339(this.now());
			marked.metadata.deletionGracePeriodSeconds = 0;
			if (key === 'namespaces') marked.status = { ...asObject(marked.status), phase: 'Terminating' };
			if (options.dryRun || existing.metadata.deletionTimestamp) return marked;
			return this.present(def, this.store.write(key, marked));
		}
		if (options.dryRun) return successStatus(details);
		if (options.propagationPolicy === 'Orphan') this.orphanDependents(existing.metadata.uid);
		this.store.remove(key, existing.metadata.namespace, name);
		return successStatus(details);
	}

	/** Drops owner references to a deleted owner, so the garbage collector leaves the dependents alone. */
	private orphanDependents(uid: string | undefined): void {
		if (!uid) return;
		for (const def of this.registry.all()) {
			for (const obj of this.store.list(resourceKey(def))) {
				const refs = obj.metadata.ownerReferences ?? [];
				if (!refs.some((r) => r.uid === uid)) continue;
				obj.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
				if (obj.metadata.ownerReferences.length === 0) delete obj.metadata.ownerReferences;
				this.store.write(resourceKey(def), obj);
			}
		}
	}

	deleteCollection(def: ResourceDef, namespace: string | undefined, listOptions: ListOptions, options: DeleteOptions = {}): KubeObject[] {
		const { items } = this.list(def, namespace, { labelSelector: listOptions.labelSelector, fieldSelector: listOptions.fieldSelector });
		for (const item of items) this.delete(def, item.metadata.namespace, item.metadata.name as string, { dryRun: options.dryRun, propagationPolicy: options.propagationPolicy });
		return items;
	}

	// ---- scale subresource ----------------------------------------------

	scaleOf(def: ResourceDef, obj: KubeObject): KubeObject {
		const paths = def.scale;
		if (!paths) throw errors.pathNotFound();
		const selector = paths.labelSelectorPath ? jsonPathFirst(obj, paths.labelSelectorPath) : undefined;
		const status: JsonObject = { replicas: Number(jsonPathFirst(obj, paths.statusReplicasPath) ?? 0) };
		const selectorText = isObject(selector) ? labelSelectorString(selector) : asString(selector);
		if (selectorText) status.selector = selectorText;
		return {
			kind: 'Scale',
			apiVersion: 'autoscaling/v1',
			metadata: {
				name: obj.metadata.name,
				...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
				uid: obj.metadata.uid,
				resourceVersion: obj.metadata.resourceVersion,
				creationTimestamp: obj.metadata.creationTimestamp,
			},
			spec: { replicas: Number(jsonPathFirst(obj, paths.specReplicasPath) ?? 0) },
			status,
		};
	}

	getScale(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
		return this.scaleOf(def, this.get(def, namespace, name));
	}

	updateScale(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}): KubeObject {
		if (!def.scale) throw errors.pathNotFound();
		const existing = this.get(def, namespace, name);
		const scale = asObject(body);
		const meta = asObject(scale.metadata);
		if (meta.name !== undefined && meta.name !== name) throw errors.badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
		const replicas = getPath(scale, 'spec.replicas');
		const invalid = validateScaleReplicas(replicas);
		if (invalid.length) throw errors.invalid('autoscaling', 'Scale', name, invalid);
		const next = clone(existing);
		jsonPathSet(next, def.scale.specReplicasPath, replicas);
		next.metadata.resourceVersion = asString(meta.resourceVersion) || existing.metadata.resourceVersion;
		return this.scaleOf(def, this.commitUpdate(def, existing, next, { dryRun: options.dryRun }));
	}

	patchScale(def: ResourceDef, namespace: string | undefined, name: string, kind: PatchKind, patch: unknown, options: WriteOptions = {}): KubeObject {
		const current = this.getScale(def, namespace, name);
		let patched: unknown;
		if (kind === 'json') patched = jsonPatch(current, patch);
		else if (kind === 'apply') {
			if (!options.fieldManager) throw errors.badRequest('PATCH request must have a fieldManager when using server-side apply (application/apply-patch+yaml)');
			patched = mergePatch(current, patch);
		} else {
			if (!isObject(patch)) throw errors.badRequest('patch must be a JSON object');
			patched = mergePatch(current, patch);
		}
		return this.updateScale(def, namespace, name, patched, options);
	}
}
