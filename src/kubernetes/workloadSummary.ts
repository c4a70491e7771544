import type { KubeClient } from './client';
import { getPath } from './json';
import { checkTarget, numberOrNull } from './operations/common';
import { type ResourceInfo, resources } from './resources';

/**
 * One flat view of a workload or its autoscaler, for the steps around a
 * change: the Forecast node's current replicas (an HPA's floor), and checks
 * after a scale. Fields that do not apply to the kind are null, so an
 * expression reads the same field whatever the kind.
 */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'HorizontalPodAutoscaler' | 'ScaledObject';

export interface WorkloadSummary {
	kind: WorkloadKind;
	namespace: string;
	name: string;
	/** Workloads: spec.replicas. */
	replicas: number | null;
	readyReplicas: number | null;
	availableReplicas: number | null;
	/** Autoscalers: HPA minReplicas/maxReplicas, ScaledObject minReplicaCount/maxReplicaCount (with the controllers' defaults). */
	minReplicas: number | null;
	maxReplicas: number | null;
	/** HPA status; for a workload, status.replicas (pods that exist). */
	currentReplicas: number | null;
	/** HPA status; for a workload, spec.replicas. */
	desiredReplicas: number | null;
	/** Autoscalers: what they scale. */
	scaleTargetRef: { kind: string; name: string } | null;
	resourceVersion: string;
}

const RESOURCE: Record<WorkloadKind, ResourceInfo> = {
	Deployment: resources.deployments,
	StatefulSet: resources.statefulsets,
	HorizontalPodAutoscaler: resources.hpa,
	ScaledObject: resources.scaledobjects,
};

export const WORKLOAD_KINDS = Object.keys(RESOURCE) as WorkloadKind[];

function num(obj: unknown, path: string[]): number | null {
	return numberOrNull(getPath(obj, path));
}

function targetRef(obj: unknown): { kind: string; name: string } | null {
	const kind = getPath(obj, ['spec', 'scaleTargetRef', 'kind']);
	const name = getPath(obj, ['spec', 'scaleTargetRef', 'name']);
	// KEDA's scaleTargetRef defaults its kind to Deployment.
	return typeof name === 'string' ? { kind: typeof kind === 'string' ? kind : 'Deployment', name } : null;
}

/** Reads one object; a missing one is the client's notFound error, naming the object and what to check. */
export async function readWorkload(client: KubeClient, kind: WorkloadKind, namespace: string, name: string): Promise<WorkloadSummary> {
	checkTarget(namespace, name, `${kind} name`);
	const obj = await client.get(RESOURCE[kind], namespace, name);
	const base = { kind, namespace, name, resourceVersion: obj.metadata.resourceVersion ?? '' };
	if (kind === 'Deployment' || kind === 'StatefulSet') {
		// Status counters are omitted when zero; spec.replicas defaults to 1.
		const replicas = num(obj, ['spec', 'replicas']) ?? 1;
		return {
			...base,
			replicas,
			readyReplicas: num(obj, ['status', 'readyReplicas']) ?? 0,
			availableReplicas: num(obj, ['status', 'availableReplicas']) ?? 0,
			minReplicas: null,
			maxReplicas: null,
			currentReplicas: num(obj, ['status', 'replicas']) ?? 0,
			desiredReplicas: replicas,
			scaleTargetRef: null,
		};
	}
	const hpa = kind === 'HorizontalPodAutoscaler';
	return {
		...base,
		replicas: null,
		readyReplicas: null,
		availableReplicas: null,
		minReplicas: hpa ? (num(obj, ['spec', 'minReplicas']) ?? 1) : (num(obj, ['spec', 'minReplicaCount']) ?? 0),
		maxReplicas: hpa ? num(obj, ['spec', 'maxReplicas']) : (num(obj, ['spec', 'maxReplicaCount']) ?? 100),
		currentReplicas: hpa ? num(obj, ['status', 'currentReplicas']) : null,
		desiredReplicas: hpa ? num(obj, ['status', 'desiredReplicas']) : null,
		scaleTargetRef: targetRef(obj),
	};
}
