import type { KubeClient } from '../client';
import { type ChangeOptions, type ChangeRecord, type Plan, readModifyWrite } from '../change';
import { type JsonObject, type KubeObject, resources } from '../resources';
import { annotationsOf, checkTarget, refused, wholeNumber } from './common';

export const CANARY_ANNOTATION = 'nginx.ingress.kubernetes.io/canary';
export const CANARY_WEIGHT_ANNOTATION = 'nginx.ingress.kubernetes.io/canary-weight';
export const CANARY_WEIGHT_TOTAL_ANNOTATION = 'nginx.ingress.kubernetes.io/canary-weight-total';

/** The canary-weight annotation as a write sets it: the one place ingress-nginx canary weights are written. */
export function canaryWeightAnnotation(weight: number): Record<string, string> {
	return { [CANARY_WEIGHT_ANNOTATION]: String(weight) };
}

/** An Ingress's ingress-nginx canary state: whether it is a canary, its weight (null when unset or unreadable) and the total the weight is out of. */
export function readCanary(obj: KubeObject): { canary: boolean; weight: number | null; total: number } {
	return { canary: annotationsOf(obj)[CANARY_ANNOTATION] === 'true', weight: weightOf(obj), total: totalOf(obj) };
}

function weightOf(obj: KubeObject): number | null {
	const raw = annotationsOf(obj)[CANARY_WEIGHT_ANNOTATION];
	const n = raw === undefined ? NaN : Number(raw);
	return Number.isFinite(n) ? n : null;
}

function totalOf(obj: KubeObject): number {
	const n = Number(annotationsOf(obj)[CANARY_WEIGHT_TOTAL_ANNOTATION]);
	return Number.isInteger(n) && n > 0 ? n : 100;
}

/**
 * Sets the traffic share of an ingress-nginx canary Ingress (0 takes the
 * canary out of traffic). Only an Ingress marked canary is touched: writing
 * a weight onto the primary Ingress would do nothing, silently.
 */
export async function setCanaryWeight(client: KubeClient, namespace: string, name: string, weightInput: unknown, options: ChangeOptions): Promise<ChangeRecord> {
	checkTarget(namespace, name, 'Ingress name');
	const requested = wholeNumber(weightInput, 'Weight', 0);
	const plan = (current: KubeObject): Plan => {
		if (!readCanary(current).canary) {
			throw refused(
				`Ingress "${name}" in namespace "${namespace}" is not an ingress-nginx canary (annotation ${CANARY_ANNOTATION} is not "true")`,
				'Set the weight on the canary Ingress (the one with nginx.ingress.kubernetes.io/canary: "true"), not on the primary one.',
			);
		}
		const total = totalOf(current);
		const weight = wholeNumber(requested, 'Weight', 0, total);
		return {
			unchanged: weightOf(current) === weight,
			patchType: 'merge',
			patch: { metadata: { annotations: canaryWeightAnnotation(weight) } },
			to: { weight, weightTotal: total },
		};
	};
	const view = (obj: KubeObject): JsonObject => ({ weight: weightOf(obj), weightTotal: totalOf(obj) });
	return readModifyWrite(client, { name: 'canaryWeight', res: resources.ingresses, namespace, objectName: name, view, plan }, options);
}
