import type { KubeClient } from '../client';
import { type ChangeOptions, type ChangeRecord, type Plan, readModifyWrite } from '../change';
import { KubeError } from '../errors';
import { getPath } from '../json';
import { type JsonObject, type KubeObject, resources } from '../resources';
import { checkTarget, numberOrNull, refused, stateMoved, wholeNumber } from './common';

export interface Bounds {
	min?: number;
	max?: number;
	/** The floor the gated proposal stated as current: any other live floor means the verdict judged a state that is gone. */
	expectMin?: number;
}

export interface WorkloadRef {
	kind: string;
	name: string;
}

interface BoundsSpec {
	operation: 'hpaBounds' | 'kedaBounds';
	minField: string;
	maxField: string;
	/** What the controller assumes when a field is unset. */
	defaults: { min: number; max: number | null };
	lowestMin: number;
	what: string;
}

const hpaSpec: BoundsSpec = { operation: 'hpaBounds', minField: 'minReplicas', maxField: 'maxReplicas', defaults: { min: 1, max: null }, lowestMin: 1, what: 'HorizontalPodAutoscaler' };
// KEDA scales to zero when minReplicaCount is 0, its default; maxReplicaCount defaults to 100.
const kedaSpec: BoundsSpec = { operation: 'kedaBounds', minField: 'minReplicaCount', maxField: 'maxReplicaCount', defaults: { min: 0, max: 100 }, lowestMin: 0, what: 'ScaledObject' };

function boundsPlan(spec: BoundsSpec, bounds: Bounds, extraCheck?: (current: KubeObject) => void): (current: KubeObject) => Plan {
	return (current) => {
		extraCheck?.(current);
		const currentMin = numberOrNull(getPath(current, ['spec', spec.minField])) ?? spec.defaults.min;
		if (bounds.expectMin !== undefined && currentMin !== bounds.expectMin) throw stateMoved(`${spec.what} "${current.metadata.name}"`, spec.minField, currentMin, bounds.expectMin);
		const currentMax = numberOrNull(getPath(current, ['spec', spec.maxField])) ?? spec.defaults.max;
		const min = bounds.min ?? currentMin;
		const max = bounds.max ?? currentMax;
		if (max !== null && min > max) {
			throw new KubeError(
				'invalid',
				`${spec.minField} ${min} would be above ${spec.maxField} ${max} on ${spec.what} "${current.metadata.name}"`,
				bounds.max === undefined ? `Raise ${spec.maxField} in the same change, or ask for at most ${max}.` : `Set ${spec.minField} to at most ${spec.maxField}.`,
			);
		}
		const patchSpec: JsonObject = {};
		if (bounds.min !== undefined && getPath(current, ['spec', spec.minField]) !== bounds.min) patchSpec[spec.minField] = bounds.min;
		if (bounds.max !== undefined && getPath(current, ['spec', spec.maxField]) !== bounds.max) patchSpec[spec.maxField] = bounds.max;
		return {
			unchanged: Object.keys(patchSpec).length === 0,
			patchType: 'merge',
			patch: { spec: patchSpec },
			to: { [spec.minField]: min, [spec.maxField]: max },
		};
	};
}

function view(spec: BoundsSpec): (obj: KubeObject) => JsonObject {
	return (obj) => ({ [spec.minField]: numberOrNull(getPath(obj, ['spec', spec.minField])), [spec.maxField]: numberOrNull(getPath(obj, ['spec', spec.maxField])) });
}

function readBounds(spec: BoundsSpec, bounds: Bounds): Bounds {
	if (bounds.min === undefined && bounds.max === undefined) {
		throw new KubeError('invalid', `Nothing to set: give ${spec.minField}, ${spec.maxField} or both`, `Add ${spec.minField} and/or ${spec.maxField} to the node's bounds.`);
	}
	return {
		min: bounds.min === undefined ? undefined : wholeNumber(bounds.min, spec.minField, spec.lowestMin),
		max: bounds.max === undefined ? undefined : wholeNumber(bounds.max, spec.maxField, 1),
		...(bounds.expectMin === undefined ? {} : { expectMin: bounds.expectMin }),
	};
}

/** Sets an HPA's minReplicas/maxReplicas: how the forecast raises a floor without fighting the autoscaler. */
export async function setHpaBounds(client: KubeClient, namespace: string, name: string, boundsInput: Bounds, options: ChangeOptions): Promise<ChangeRecord> {
	checkTarget(namespace, name, 'HPA name');
	const bounds = readBounds(hpaSpec, boundsInput);
	const kedaOwned = (current: KubeObject) => {
		const owner = (current.metadata.ownerReferences ?? []).find((o) => o.kind === 'ScaledObject');
		if (owner) {
			throw refused(
				`HorizontalPodAutoscaler "${name}" in namespace "${namespace}" belongs to KEDA ScaledObject "${owner.name}", which would undo this change`,
				`Use Set KEDA Min/Max on ScaledObject "${owner.name}" instead.`,
			);
		}
	};
	return readModifyWrite(client, { name: 'hpaBounds', res: resources.hpa, namespace, objectName: name, view: view(hpaSpec), plan: boundsPlan(hpaSpec, bounds, kedaOwned) }, options);
}

/** Sets a KEDA ScaledObject's minReplicaCount/maxReplicaCount (KEDA then updates the HPA it owns). */
export async function setKedaBounds(client: KubeClient, namespace: string, name: string, boundsInput: Bounds, options: ChangeOptions): Promise<ChangeRecord> {
	checkTarget(namespace, name, 'ScaledObject name');
	const bounds = readBounds(kedaSpec, boundsInput);
	const warnings: string[] = [];
	const paused = (current: KubeObject) => {
		const annotations = current.metadata.annotations ?? {};
		if (annotations['autoscaling.keda.sh/paused'] === 'true' || annotations['autoscaling.keda.sh/paused-replicas'] !== undefined) {
			if (warnings.length === 0) warnings.push(`ScaledObject "${name}" is paused; the new bounds take effect when it is resumed.`);
		}
	};
	return readModifyWrite(client, { name: 'kedaBounds', res: resources.scaledobjects, namespace, objectName: name, view: view(kedaSpec), plan: boundsPlan(kedaSpec, bounds, paused), warnings }, options);
}

function targetsWorkload(obj: KubeObject, workload: WorkloadRef, defaultKind?: string): boolean {
	const kind = (getPath(obj, ['spec', 'scaleTargetRef', 'kind']) as string | undefined) ?? defaultKind;
	return kind === workload.kind && getPath(obj, ['spec', 'scaleTargetRef', 'name']) === workload.name;
}

function pickOne(found: KubeObject[], what: string, namespace: string, workload: WorkloadRef, fix: string): string {
	if (found.length === 0) throw new KubeError('notFound', `No ${what} in namespace "${namespace}" targets ${workload.kind} "${workload.name}"`, fix);
	if (found.length > 1) {
		throw new KubeError('invalid', `${found.length} ${what}s in namespace "${namespace}" target ${workload.kind} "${workload.name}": ${found.map((o) => o.metadata.name).join(', ')}`, `Name the ${what} to change explicitly; two autoscalers on one workload fight each other.`);
	}
	return found[0].metadata.name as string;
}

/** The HPA whose scaleTargetRef is the workload a proposal names. */
export async function findHpaFor(client: KubeClient, namespace: string, workload: WorkloadRef): Promise<string> {
	const { items } = await client.list(resources.hpa, namespace);
	return pickOne(items.filter((hpa) => targetsWorkload(hpa, workload)), 'HorizontalPodAutoscaler', namespace, workload, `Create an HPA for ${workload.kind} "${workload.name}", or use Scale when it has none.`);
}

/** The ScaledObject whose scaleTargetRef is the workload a proposal names (KEDA's default kind is Deployment). */
export async function findScaledObjectFor(client: KubeClient, namespace: string, workload: WorkloadRef): Promise<string> {
	const { items } = await client.list(resources.scaledobjects, namespace);
	return pickOne(items.filter((so) => targetsWorkload(so, workload, 'Deployment')), 'ScaledObject', namespace, workload, `Check that KEDA scales ${workload.kind} "${workload.name}", or use Set HPA Min/Max or Scale.`);
}
