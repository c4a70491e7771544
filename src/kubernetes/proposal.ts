import type { DecisionRecord } from '../decision';
import { verifyVerdict } from '../policy';
import type { Decision, ProposalAction, Target, Verdict } from '../policy';
import { type Approval, readApproval, withApprovalNote } from './approval';
import { KubeError } from './errors';
import { isObject } from './json';

/**
 * The rule between the Policy Gate and the cluster: an item that carries a
 * proposal is acted on only with an `apply` verdict issued for exactly that
 * proposal; the target and, where the gate decides it, the value come from
 * the proposal and verdict, and explicit node parameters may not contradict
 * them. An item without a proposal is a manual change from parameters.
 */
export type KubeOperation = 'scale' | 'hpaBounds' | 'kedaBounds' | 'patch' | 'rolloutUndo' | 'canaryWeight' | 'annotate' | 'waitReady';

export interface GatedItem {
	action: ProposalAction;
	target: Target;
	verdict: Verdict;
	proposalHash: string;
	/** The gate's decision record, when the item carries the one that belongs to this verdict. */
	decision?: DecisionRecord;
	/** Things the output should mention (e.g. a decision record that did not match). */
	notes: string[];
	/** Set when an `approve` verdict was accepted on a human's approval (option Accept Approved Verdicts). */
	approval?: Approval;
}

export interface GateCheckOptions {
	now: Date;
	/** Refuse verdicts older than this; 0 or undefined = no limit. */
	maxAgeSeconds?: number;
	/** Also act on an `approve` verdict when the item carries `approval: { approved: true, by }`. */
	acceptApproved?: boolean;
}

const ROUTE_FIX =
	'Connect only the Policy Gate\'s Apply output to this node and do not change proposal or verdict in between. For a manual change, remove proposal and verdict from the item (e.g. with an Edit Fields node).';

export function refusal(message: string, fix: string = ROUTE_FIX): KubeError {
	return new KubeError('refused', message, fix);
}

function present(value: unknown): boolean {
	return value !== undefined && value !== null;
}

function readTarget(proposal: Record<string, unknown>): Target {
	const raw = proposal.target;
	if (!isObject(raw)) throw refusal('Refusing to act: the proposal has no target');
	const field = (key: keyof Target): string | undefined => (typeof raw[key] === 'string' && raw[key] !== '' ? (raw[key] as string) : undefined);
	const cluster = field('cluster');
	const namespace = field('namespace');
	const kind = field('kind');
	const name = field('name');
	if (!cluster || !namespace || !kind || !name) throw refusal('Refusing to act: the proposal\'s target lacks cluster, namespace, kind or name');
	const apiVersion = field('apiVersion');
	return { cluster, namespace, kind, name, ...(apiVersion ? { apiVersion } : {}) };
}

function decisionFor(json: Record<string, unknown>, verdict: Verdict, notes: string[]): DecisionRecord | undefined {
	const decision = json.decision;
	if (!present(decision)) return undefined;
	const record = decision as Partial<DecisionRecord>;
	const matches = isObject(decision) && typeof record.id === 'string' && isObject(record.verdict) && (record.verdict as Partial<Verdict>).verdictHash === verdict.verdictHash;
	if (!matches) {
		notes.push('The item\'s decision record does not belong to its verdict; the Event was written without it.');
		return undefined;
	}
	return record as DecisionRecord;
}

/** Reads the item's proposal and verdict; undefined when it carries neither (a manual change). */
export function gateOf(json: Record<string, unknown>, options: GateCheckOptions): GatedItem | undefined {
	const hasProposal = present(json.proposal);
	const hasVerdict = present(json.verdict);
	if (!hasProposal && !hasVerdict) return undefined;
	if (!hasVerdict) throw refusal('Refusing to act: the input item carries a proposal but no verdict', 'Send the proposal through the Policy Gate first and connect its Apply output to this node.');
	if (!hasProposal) throw refusal('Refusing to act: the input item carries a verdict but no proposal to check it against');
	const maxAge = options.maxAgeSeconds && options.maxAgeSeconds > 0 ? options.maxAgeSeconds : undefined;
	const expectDecision: Decision[] = options.acceptApproved ? ['apply', 'approve'] : ['apply'];
	const check = verifyVerdict(json.proposal, json.verdict, { expectDecision, maxAgeSeconds: maxAge, now: options.now });
	if (!check.ok) {
		const stale = /older than/.test(check.reason);
		throw refusal(`Refusing to act on the proposal: ${check.reason}`, stale ? 'Evaluate the proposal again with the Policy Gate right before this node, or raise Max Verdict Age.' : ROUTE_FIX);
	}
	const proposal = json.proposal as Record<string, unknown>;
	const verdict = json.verdict as Verdict;
	const notes: string[] = [];
	let approval: Approval | undefined;
	if (verdict.decision === 'approve') {
		const reading = readApproval(json);
		if (!reading.approved) {
			throw refusal(
				`Refusing to act on the proposal: the verdict needs approval and ${reading.reason}`,
				'Put the approval step (e.g. a Wait node resumed by a person) between the Policy Gate\'s Needs Approval output and this node, and have it add approval: { approved: true, by: <who> } to the item.',
			);
		}
		approval = reading.approval;
	}
	const decision = decisionFor(json, verdict, notes);
	return {
		action: proposal.action as ProposalAction,
		target: readTarget(proposal),
		verdict,
		proposalHash: verdict.proposalHash,
		decision: decision && approval ? withApprovalNote(decision, approval) : decision,
		notes,
		...(approval ? { approval } : {}),
	};
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

export type ValueSource = { from: 'verdict'; replicas: number } | { from: 'verdict'; rollback: true } | { from: 'parameters' };

const fromVerdict: Record<ProposalAction, Partial<Record<KubeOperation, 'replicas' | 'rollback' | 'refuse'>>> = {
	scale: { scale: 'replicas', hpaBounds: 'replicas', kedaBounds: 'replicas', waitReady: 'replicas', rolloutUndo: 'refuse', canaryWeight: 'refuse' },
	rollback: { rolloutUndo: 'rollback', canaryWeight: 'rollback', hpaBounds: 'refuse', kedaBounds: 'refuse' },
	failover: { rolloutUndo: 'refuse' },
	failback: { rolloutUndo: 'refuse' },
};

/**
 * Where the operation's value comes from. A scale verdict's value is the
 * gate's final (clamped) replica count; a rollback verdict says 'rollback'.
 * Operations the gate does not size (patch, annotate, a failover's scale-up)
 * take their value from the node's parameters.
 */
export function valueFor(gated: GatedItem, operation: KubeOperation): ValueSource {
	const rule = fromVerdict[gated.action]?.[operation];
	if (rule === 'refuse') {
		throw refusal(`Refusing to act: a ${gated.action} proposal cannot drive ${operation}`, `Use an operation that carries out a ${gated.action} verdict${gated.action === 'scale' ? ' (Scale, Set HPA Min/Max or Set KEDA Min/Max)' : gated.action === 'rollback' ? ' (Rollout Undo or Set Canary Weight)' : ''}.`);
	}
	if (rule === 'replicas') {
		const value = gated.verdict.value;
		if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw refusal(`Refusing to act: the scale verdict's value ${JSON.stringify(value)} is not a replica count`);
		return { from: 'verdict', replicas: value };
	}
	if (rule === 'rollback') {
		if (gated.verdict.value !== 'rollback') throw refusal(`Refusing to act: the canary verdict's value is "${String(gated.verdict.value)}", not "rollback"`);
		return { from: 'verdict', rollback: true };
	}
	return { from: 'parameters' };
}
