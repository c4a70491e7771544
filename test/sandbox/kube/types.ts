/** A JSON object as it travels over the wire; the sandbox stores objects as plain JSON. */
export type JsonObject = { [key: string]: unknown };

export interface OwnerReference {
	apiVersion: string;
	kind: string;
	name: string;
	uid: string;
	controller?: boolean;
	blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
	name?: string;
	generateName?: string;
	namespace?: string;
	uid?: string;
	resourceVersion?: string;
	generation?: number;
	creationTimestamp?: string | null;
	deletionTimestamp?: string;
	deletionGracePeriodSeconds?: number;
	labels?: Record<string, string>;
	annotations?: Record<string, string>;
	ownerReferences?: OwnerReference[];
	finalizers?: string[];
	[key: string]: unknown;
}

export interface KubeObject {
	apiVersion?: string;
	kind?: string;
	metadata: ObjectMeta;
	spec?: JsonObject;
	status?: JsonObject;
	[key: string]: unknown;
}

export interface ScalePaths {
	specReplicasPath: string;
	statusReplicasPath: string;
	labelSelectorPath?: string;
}

export interface ColumnDefinition {
	name: string;
	type: string;
	format: string;
	description: string;
	priority: number;
}

/** One printed column: how kubectl's table looks, and how a cell is computed from the object. */
export interface PrinterColumn extends ColumnDefinition {
	cell: (obj: KubeObject, now: number) => unknown;
}

/** Everything the server needs to know about one REST resource. */
export interface ResourceDef {
	group: string;
	version: string;
	kind: string;
	listKind: string;
	plural: string;
	singular: string;
	namespaced: boolean;
	shortNames: string[];
	categories: string[];
	verbs: string[];
	statusSubresource: boolean;
	scale?: ScalePaths;
	/** Objects whose spec changes bump metadata.generation. */
	hasGeneration: boolean;
	/** Custom resources accept no strategic merge patch, as on a real server. */
	custom: boolean;
	columns: PrinterColumn[];
	/** Field selectors beyond metadata.name and metadata.namespace. */
	selectableFields: string[];
}

export function resourceKey(def: Pick<ResourceDef, 'plural' | 'group'>): string {
	return def.group ? `${def.plural}.${def.group}` : def.plural;
}

export function apiVersionOf(def: Pick<ResourceDef, 'group' | 'version'>): string {
	return def.group ? `${def.group}/${def.version}` : def.version;
}
