import type { DecisionRecord } from '../decision';
import { type PlainObject, type SigningKey, type Target, type Verdict, checkSignature, snapshot, verifyVerdict } from '../policy';
import { isRecord } from '../shared/records';
import { TARGET_FIELDS, statedTarget } from '../shared/target';
import { type MutatingOperation, type Permit, PermitError, permitFor } from './permits';

/**
 * The one admission rule between a Policy Gate verdict and a change (DESIGN.md,
 * trust chain). Every mutating path calls `admit` and acts only on what it
 * returns: a manual change (only when its caller allows them), or a gated
 * item whose verdict is intact, signed by a known key, fresh, an `apply`, and
 * whose permit says exactly which operation, target and value it covers.
 * Binding to live state and single use need the cluster, so the callers do
 * them with what this returns (expectReplicas, claimKey).
 */

/** Verdicts act within minutes of being issued; an hour is the most a node may allow. */
export const DEFAULT_MAX_VERDICT_AGE_SECONDS = 300;
export const MAX_VERDICT_AGE_SECONDS = 3600;

export interface AdmissionOptions {
	operation: MutatingOperation;
	/** Off: items without proposal and verdict are manual changes from the node's parameters. */
	requireVerdict: boolean;
	/** The signing keys verdicts are checked against (the Kube-Ops Signing Key credential). */
	keys: readonly SigningKey[];
	maxAgeSeconds?: number;
	now: Date;
}

export interface GatedAdmission {
	mode: 'gated';
	action: NonNullable<Verdict['action']>;
	target: Target;
	proposal: PlainObject;
	verdict: Verdict;
	permit: Permit;
	/** What single use is recorded under: one verdict, one operation. */
	claimKey: string;
	/** The gate's decision record for this verdict, when the item carries it. */
	decision?: DecisionRecord;
	notes: string[];
}

export type Admission = { mode: 'manual' } | GatedAdmission;

export class AdmissionError extends Error {
	constructor(
		message: string,
		readonly fix: string,
	) {
		super(message);
	}
}

const ROUTE_FIX = 'Connect only the Policy Gate\'s Apply output to this node and do not change proposal or verdict in between.';
const MANUAL_FIX = 'Send the proposal through the Policy Gate first; for a deliberate manual change, turn Require Policy Gate Verdict off on this node.';

function present(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '';
}

/** The verdict's age limit from a node option or flag: unset = the default, always within (0, 1 h]. */
export function maxVerdictAge(option: unknown): number {
	if (option === undefined || option === null || option === '') return DEFAULT_MAX_VERDICT_AGE_SECONDS;
	const seconds = Number(option);
	if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_VERDICT_AGE_SECONDS) {
		throw new AdmissionError(`Max Verdict Age ${JSON.stringify(option)} is outside 1-${MAX_VERDICT_AGE_SECONDS} seconds`, `Set Max Verdict Age between 1 and ${MAX_VERDICT_AGE_SECONDS} seconds (default ${DEFAULT_MAX_VERDICT_AGE_SECONDS}); approvals take longer and re-run the gate instead.`);
	}
	return seconds;
}

/** The proposal's target, for every mutating path: all four fields, or a refusal naming the missing one. */
export function targetOf(proposal: PlainObject): Target {
	const stated = statedTarget(proposal);
	if (stated === undefined) throw new AdmissionError('Refusing to act: the proposal has no target', ROUTE_FIX);
	for (const key of TARGET_FIELDS) {
		if (stated[key] === undefined) throw new AdmissionError(`Refusing to act: the proposal's target has no ${key}`, ROUTE_FIX);
	}
	return stated as Target;
}

function decisionOf(json: Record<string, unknown>, verdict: Verdict, notes: string[]): DecisionRecord | undefined {
	const decision = json.decision;
	if (!present(decision)) return undefined;
	if (isRecord(decision) && typeof decision.id === 'string' && isRecord(decision.verdict) && decision.verdict.verdictHash === verdict.verdictHash) return decision as unknown as DecisionRecord;
	notes.push('The item\'s decision record does not belong to its verdict; the Event was written without it.');
	return undefined;
}

function inert(value: unknown): unknown {
	const copy = snapshot(value);
	// verifyVerdict has already read both; a failure here means they changed under us.
	if (!copy.ok) throw new AdmissionError('Refusing to act: the item could not be read twice the same way', ROUTE_FIX);
	return copy.value;
}

export function admit(json: Record<string, unknown>, options: AdmissionOptions): Admission {
	const hasProposal = present(json.proposal);
	const hasVerdict = present(json.verdict);
	const { operation } = options;
	if (!hasProposal && !hasVerdict) {
		if (!options.requireVerdict) return { mode: 'manual' };
		throw new AdmissionError(`Refusing to ${operation}: the item carries no Policy Gate verdict, and this node requires one`, MANUAL_FIX);
	}
	if (!hasVerdict) throw new AdmissionError(`Refusing to ${operation}: the item carries a proposal but no verdict`, 'Send the proposal through the Policy Gate first and connect its Apply output to this node.');
	if (!hasProposal) throw new AdmissionError(`Refusing to ${operation}: the item carries a verdict but no proposal to check it against`, ROUTE_FIX);

	const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_VERDICT_AGE_SECONDS;
	const integrity = verifyVerdict(json.proposal, json.verdict, { maxAgeSeconds, now: options.now });
	if (!integrity.ok) {
		const stale = /older than|future/.test(integrity.reason);
		throw new AdmissionError(`Refusing to ${operation}: ${integrity.reason}`, stale ? 'Evaluate the proposal again with the Policy Gate right before this node.' : ROUTE_FIX);
	}
	// From here on only inert copies are read: nothing on the item can change between checks.
	const proposal = inert(json.proposal) as PlainObject;
	const verdict = inert(json.verdict) as unknown as Verdict;
	const signed = checkSignature(verdict.signature, options.keys, verdict.verdictHash, verdict.proposalHash);
	if (!signed.ok) {
		throw new AdmissionError(
			`Refusing to ${operation}: ${signed.reason}`,
			'Give the Policy Gate and this node the same Kube-Ops Signing Key credential; verdicts printed by `kube-ops policy check` need --signing-key-file with that key.',
		);
	}
	if (verdict.decision === 'approve') {
		throw new AdmissionError(
			`Refusing to ${operation}: the verdict needs approval, and an approve verdict never acts`,
			'Run the Policy Gate again with the authenticated approval (its Approval field) against the live state; it issues an apply verdict when the approval covers the proposal.',
		);
	}
	if (verdict.decision !== 'apply' || verdict.action === null) throw new AdmissionError(`Refusing to ${operation}: the verdict is ${verdict.decision}, not apply`, ROUTE_FIX);
	if (proposal.action !== verdict.action) throw new AdmissionError(`Refusing to ${operation}: the verdict's action ${verdict.action} is not the proposal's ${String(proposal.action)}`, ROUTE_FIX);
	const target = targetOf(proposal);
	let permit: Permit;
	try {
		permit = permitFor(verdict, proposal, operation);
	} catch (error) {
		if (error instanceof PermitError) throw new AdmissionError(`Refusing to ${operation}: ${error.message}`, error.fix);
		throw error;
	}
	const notes: string[] = [];
	const decision = decisionOf(json, verdict, notes);
	return { mode: 'gated', action: verdict.action, target, proposal, verdict, permit, claimKey: `${verdict.verdictHash}#${operation}`, ...(decision ? { decision } : {}), notes };
}
