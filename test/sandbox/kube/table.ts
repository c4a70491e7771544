import type { JsonObject, KubeObject, ResourceDef } from './types';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
	includeObject: IncludeObject;
	/** meta.k8s.io version the client asked for (v1 or v1beta1). */
	version: string;
	resourceVersion?: string;
	continueToken?: string;
	remainingItemCount?: number;
	/** Watch events after the first leave the column definitions out, as the real server does. */
	noHeaders?: boolean;
	now: number;
}

export function partialObjectMetadata(obj: KubeObject, version = 'v1'): JsonObject {
	return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

/** A meta.k8s.io Table: what `kubectl get` prints from, one row per object. */
export function toTable(def: ResourceDef, objects: KubeObject[], options: TableOptions): JsonObject {
	const metadata: JsonObject = {};
	if (options.resourceVersion) metadata.resourceVersion = options.resourceVersion;
	if (options.continueToken) metadata.continue = options.continueToken;
	if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
	const columnDefinitions = options.noHeaders
		? []
		: def.columns.map((c) => ({ name: c.name, type: c.type, format: c.format, description: c.description, priority: c.priority }));
	const rows = objects.map((obj) => {
		const row: JsonObject = { cells: def.columns.map((c) => c.cell(obj, options.now) ?? null) };
		if (options.includeObject === 'Object') row.object = obj;
		else if (options.includeObject === 'Metadata') row.object = partialObjectMetadata(obj, options.version);
		return row;
	});
	return { kind: 'Table', apiVersion: `meta.k8s.io/${options.version}`, metadata, columnDefinitions, rows };
}
