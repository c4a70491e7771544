import { AdmissionError, type AdmissionOptions, type GatedAdmission, admit, maxVerdictAge } from '../admission';
import { KubeError } from './errors';

/**
 * Kubernetes Patch's side of the admission rule (src/admission): the item is
 * either a manual change (only with Require Policy Gate Verdict off) or a
 * gated one whose permit fixes the operation, target and value. Explicit
 * node parameters may repeat the proposal's target, never contradict it.
 */
export type { KubeOperation } from '../admission';
export type GatedItem = GatedAdmission;

export function refusal(message: string, fix: string): KubeError {
	return new KubeError('refused', message, fix);
}

/** The Max Verdict Age option, or an 'invalid' KubeError saying the allowed range. */
export function kubeVerdictAge(option: unknown): number {
	try {
		return maxVerdictAge(option);
	} catch (error) {
		if (error instanceof AdmissionError) throw new KubeError('invalid', error.message, error.fix);
		throw error;
	}
}

/** The admitted item, or undefined for a manual change; a refusal is a KubeError naming the fix. */
export function admitKube(json: Record<string, unknown>, options: AdmissionOptions): GatedItem | undefined {
	try {
		const admission = admit(json, options);
		return admission.mode === 'gated' ? admission : undefined;
	} catch (error) {
		if (error instanceof AdmissionError) throw refusal(error.message, error.fix);
		throw error;
	}
}

/**
 * A proposal for cluster A must never be applied through a credential for
 * cluster B. For failover the cluster that acts is the one receiving the
 * traffic (the verdict's value), otherwise the target's.
 */
export function checkCluster(gated: GatedItem, clusterName: string | undefined): string | undefined {
	const expected = (gated.action === 'failover' || gated.action === 'failback') && typeof gated.verdict.value === 'string' ? gated.verdict.value : gated.target.cluster;
	if (clusterName === undefined) {
		return `The credential does not name its cluster, so the proposal's cluster "${expected}" was not checked; set Cluster Name in the credential.`;
	}
	if (clusterName !== expected) {
		throw refusal(
			`Refusing to act: the proposal is for cluster "${expected}", but this credential is for cluster "${clusterName}"`,
			'Route the item to the Kubernetes Patch node whose credential points at that cluster, or set Cluster Name in the credential if it names the same cluster differently.',
		);
	}
	return undefined;
}

export interface ExplicitTarget {
	namespace?: string;
	name?: string;
	kind?: string;
	apiVersion?: string;
}

/** Explicit parameters may repeat the proposal's target, never contradict it. */
export function checkExplicit(gated: GatedItem, explicit: ExplicitTarget, labels: Partial<Record<keyof ExplicitTarget, string>> = {}): void {
	const target = gated.target;
	const describe = `${target.kind} "${target.name}" in namespace "${target.namespace}"`;
	for (const key of ['namespace', 'name', 'kind', 'apiVersion'] as const) {
		const given = explicit[key]?.trim();
		const expected = target[key];
		if (!given || expected === undefined) continue;
		if (given !== expected) {
			const label = labels[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
			throw refusal(
				`Refusing to act: the ${label} parameter ("${given}") contradicts the proposal's target (${describe})`,
				`Leave ${label} empty (the proposal supplies the target), or fix the workflow so the right proposal reaches this node.`,
			);
		}
	}
}
