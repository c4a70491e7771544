import type { AdmissionOptions } from '../admission';
import { UPSTREAM_FAILURE_FIX, upstreamFailure } from '../policy';
import type { Audit } from './audit';
import type { ChangeOptions, ChangeRecord } from './change';
import type { KubeClient } from './client';
import { findHpaFor, findScaledObjectFor, setHpaBounds, setKedaBounds } from './operations/bounds';
import { scaleWorkload } from './operations/scale';
import { type GatedItem, admitKube, checkCluster, refusal } from './proposal';
import { defaultApiVersion } from './resources';
import { claimVerdict } from './verdictLedger';

/**
 * Carrying out a gated item, one way for Kubernetes Patch and `kube-ops kube`:
 * the same admission (signature, freshness, permit), the same cluster check,
 * the permit's value on the proposal's target, the live-state compare and the
 * single-use claim right before the write. The callers add only what is
 * theirs: the node checks its own parameters against the proposal first.
 */
export type CarriedOperation = 'scale' | 'hpaBounds' | 'kedaBounds';
export const CARRIED_OPERATIONS: readonly CarriedOperation[] = ['scale', 'hpaBounds', 'kedaBounds'];

export interface ItemAdmissionOptions extends AdmissionOptions {
	/** The cluster the connection points at, as proposals name it; undefined when nothing names it. */
	clusterName: string | undefined;
}

export interface ItemAdmission {
	/** Undefined for a manual change (only when requireVerdict is off). */
	gated?: GatedItem;
	/** For the caller to show: what was not checked, what was left out. */
	notes: string[];
}

/** An item's way in: no earlier failure, the admission rule, and a proposal for the cluster this connection reaches. */
export function admitKubeItem(json: Record<string, unknown>, options: ItemAdmissionOptions): ItemAdmission {
	const failedBefore = upstreamFailure(json);
	if (failedBefore !== undefined) throw refusal(`Refusing to ${options.operation}: an earlier step failed: ${failedBefore}`, UPSTREAM_FAILURE_FIX);
	const gated = admitKube(json, options);
	if (!gated) return { notes: [] };
	const notes = [...gated.notes];
	const unchecked = checkCluster(gated, options.clusterName);
	if (unchecked) notes.push(unchecked);
	return { gated, notes };
}

/** Who acted, for the last-change annotation and the Event: the approver of an approved verdict goes next to the actor. */
export function auditFor(gated: GatedItem | undefined, actor: string, reportingInstance: string): Audit {
	const approvedBy = gated?.verdict.approvedBy;
	return {
		actor: `${actor}${approvedBy ? `, approved by ${approvedBy.by} at ${approvedBy.at}` : ''}`,
		decision: gated?.decision,
		reportingInstance,
	};
}

/**
 * The options with single use attached: the verdict is claimed on the ledger
 * once the live state checked out, right before the first write; a dry run
 * spends nothing, and a manual change has nothing to spend.
 */
export function spendingVerdict(client: KubeClient, gated: GatedItem | undefined, options: ChangeOptions, by: string): ChangeOptions {
	if (!gated || options.dryRun) return options;
	return { ...options, beforeWrite: async () => void (await claimVerdict(client, { namespace: gated.target.namespace, key: gated.claimKey, by })) };
}

export interface CarryOutOptions extends Omit<ChangeOptions, 'beforeWrite'> {
	/** Who carried it out, as the ledger records it. */
	by: string;
	/** hpaBounds/kedaBounds: an autoscaler the caller was told to change; it must be the one the proposal's target resolves to. */
	autoscalerName?: string;
}

/** The proposal's target apiVersion, or the known one for its kind. */
export function targetApiVersion(gated: GatedItem): string {
	const apiVersion = gated.target.apiVersion ?? defaultApiVersion(gated.target.kind);
	if (!apiVersion) {
		throw refusal(`Refusing to act: the proposal's target kind "${gated.target.kind}" has no known apiVersion`, 'Add target.apiVersion to the proposal (e.g. example.com/v1).');
	}
	return apiVersion;
}

type AutoscalerKind = 'HorizontalPodAutoscaler' | 'ScaledObject';

/** The autoscaler to change: the target itself, or the one whose scaleTargetRef is the proposed workload. */
async function autoscalerOf(client: KubeClient, gated: GatedItem, kind: AutoscalerKind, explicit: string | undefined): Promise<string> {
	if (gated.target.kind === kind) {
		if (explicit && explicit !== gated.target.name) {
			throw refusal(
				`Refusing to act: the ${kind} Name ("${explicit}") contradicts the proposal's target (${kind} "${gated.target.name}" in namespace "${gated.target.namespace}")`,
				'Leave the name empty (the proposal supplies the target), or fix the workflow so the right proposal reaches this step.',
			);
		}
		return gated.target.name;
	}
	const workload = { kind: gated.target.kind, name: gated.target.name };
	const found = kind === 'HorizontalPodAutoscaler' ? await findHpaFor(client, gated.target.namespace, workload) : await findScaledObjectFor(client, gated.target.namespace, workload);
	if (explicit && explicit !== found) {
		throw refusal(
			`Refusing to act: the ${kind} Name parameter ("${explicit}") is not the ${kind} of the proposal's target (${found} scales ${workload.kind} "${workload.name}")`,
			'Leave the name empty (it follows from the proposal), or fix the workflow so the right proposal reaches this node.',
		);
	}
	return found;
}

function permitMismatch(gated: GatedItem, operation: CarriedOperation): Error {
	// admit() built the permit for this very operation; anything else is a wiring bug, never a verdict to act on.
	return new Error(`internal: a ${gated.permit.operation} permit reached ${operation}`);
}

/**
 * Carries out one admitted item: the permit's value (never a caller's), the
 * live state compared with what the proposal stated, the verdict claimed as
 * used right before the write.
 */
export async function carryOut(client: KubeClient, gated: GatedItem, operation: CarriedOperation, options: CarryOutOptions): Promise<ChangeRecord> {
	const { by, autoscalerName, ...change } = options;
	const spending = spendingVerdict(client, gated, change, by);
	const permit = gated.permit;
	if (operation === 'scale') {
		if (permit.operation !== 'scale') throw permitMismatch(gated, operation);
		const target = { apiVersion: targetApiVersion(gated), kind: gated.target.kind, namespace: gated.target.namespace, name: gated.target.name };
		return scaleWorkload(client, target, permit.replicas, {
			...spending,
			expectReplicas: permit.expectReplicas,
			// A failover verdict moves traffic here; it never sizes the region down.
			atLeast: permit.atLeast ? `this region receives the traffic of a ${gated.action}` : undefined,
		});
	}
	if (permit.operation !== operation) throw permitMismatch(gated, operation);
	// A scale verdict sets the floor and nothing else; the live floor must be the count the proposal stated.
	const bounds = { min: permit.min, expectMin: permit.expectReplicas };
	if (operation === 'hpaBounds') return setHpaBounds(client, gated.target.namespace, await autoscalerOf(client, gated, 'HorizontalPodAutoscaler', autoscalerName), bounds, spending);
	return setKedaBounds(client, gated.target.namespace, await autoscalerOf(client, gated, 'ScaledObject', autoscalerName), bounds, spending);
}
