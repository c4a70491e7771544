import type { Target } from '../shared/target';
import type { VerdictSignature } from './signature';

// Shapes shared by the Policy Gate. Everything here is plain JSON so a verdict can
// travel through n8n items, CLI output and decision records unchanged.

export type Decision = 'apply' | 'approve' | 'hold' | 'reject';

// What a failing check does to the decision. Decisions combine by precedence
// (reject > hold > approve > apply), so 'note' checks never change the outcome.
export type CheckEffect = Decision | 'note';

export type JsonScalar = string | number | boolean | null;
export type Measure = JsonScalar | JsonScalar[];

export interface Check {
	rule: string;
	passed: boolean;
	measured: Measure;
	limit: Measure;
	detail: string;
	onFail: CheckEffect;
}

export type ProposalAction = 'scale' | 'failover' | 'failback' | 'rollback';
export type ProposalSource = 'forecast' | 'alert' | 'llm' | 'manual';
export type GatedAction = ProposalAction;

export const PROPOSAL_ACTIONS: readonly ProposalAction[] = ['scale', 'failover', 'failback', 'rollback'];
export const PROPOSAL_SOURCES: readonly ProposalSource[] = ['forecast', 'alert', 'llm', 'manual'];

export type { Target };

// Evidence is free-form context for humans; only the fields below are read by the
// gate, and those are type-checked.
export type Evidence = Record<string, unknown>;

interface ProposalEnvelope {
	source: ProposalSource;
	target: Target;
	evidence?: Evidence;
	id?: string;
	createdAt?: string;
	rationale?: string;
}

export interface ScaleProposal extends ProposalEnvelope {
	action: 'scale';
	current: { replicas: number };
	proposed: { replicas: number };
}

export interface RegionEvidence {
	readyFraction?: number;
	errorRate?: number;
	capacityReplicas?: number;
	requiredReplicas?: number;
	healthyPools?: number;
}

export interface AlertEvidence {
	status: 'firing' | 'resolved';
	name?: string;
	startsAt?: string;
	endsAt?: string;
	resolvedSince?: string;
}

export interface FailoverProposal extends ProposalEnvelope {
	action: 'failover' | 'failback';
	from: string;
	to: string;
	/** The load balancer as read right before the proposal was built; the move is compared with it again before it happens. */
	current?: { traffic: TrafficState };
}

/** What an operator set on each server of one backend (not health): ready takes traffic, drain and maint take none. */
export type TrafficAdmin = 'ready' | 'drain' | 'maint';

export interface TrafficState {
	/** The backend the servers belong to (HAProxy backend, Cloudflare load balancer or pool, Ingress/HTTPRoute). */
	backend?: string;
	servers: Record<string, TrafficAdmin>;
}

export interface CanaryMetrics {
	requests?: number;
	errorRate?: number | null;
	p99LatencyMs?: number | null;
}

export interface RollbackProposal extends ProposalEnvelope {
	action: 'rollback';
}

export type Proposal = ScaleProposal | FailoverProposal | RollbackProposal;

export interface ScaleState {
	lastActionAt?: string | null;
	consecutiveErrors?: number;
}

export interface FailoverState {
	lastFlipAt?: string | null;
	flipTimes?: string[];
	activeRegions?: string[];
	consecutiveErrors?: number;
}

export interface CanaryState {
	consecutiveFailures: number;
	cumulativeFailures: number;
	noDataSince: string | null;
	consecutiveErrors?: number;
}

export interface ChangeFreeze {
	start: string;
	end: string;
	reason?: string;
	actions: GatedAction[];
}

export interface FailoverPolicy {
	minDwellSeconds: number;
	maxFlipsPerHour: number;
	resolveDwellSeconds: number;
	minReadyFraction: number;
	maxErrorRate: number;
	capacityHeadroomPercent: number;
	allowedRegions?: string[];
	/** Where each region's traffic is drained or restored at the load balancer; a verdict names exactly this. */
	trafficTargets?: Record<string, TrafficTarget>;
}

export interface TrafficTarget {
	/** HAProxy backend, Cloudflare pool, Kubernetes Ingress/HTTPRoute; unset = the node's. */
	backend?: string;
	server: string;
}

export interface CanaryPolicy {
	maxErrorRate: number;
	maxP99LatencyMs: number;
	maxErrorRateRatio: number;
	maxP99LatencyRatio: number;
	minRequests: number;
	consecutiveFailures: number;
	cumulativeFailures: number;
	noDataTimeoutSeconds: number;
}

// Limits on the forecast's backtest, as fractions (MASE as a ratio); every one given must hold.
// WAPE weighs each error by the demand at that time, so the busy hours that set the replica
// count dominate it and night-time troughs barely count; MAPE does the opposite.
export interface AccuracyGate {
	maxWape?: number;
	maxMape?: number;
	maxMase?: number;
}

// A policy after validation with every default filled in. It is itself a valid
// policy document, so it can be fed back into evaluate() or parsePolicy().
export interface ResolvedPolicy {
	name?: string;
	description?: string;
	minReplicas?: number;
	maxReplicas?: number;
	maxStepUpPercent: number;
	maxStepUpPods: number;
	allowScaleIn: boolean;
	maxStepDownPercent: number;
	cooldownSeconds: number;
	approvalFactor: number;
	/** How long a Needs Approval verdict can be approved for. */
	approvalTimeoutSeconds: number;
	accuracyGate: AccuracyGate;
	allowedNamespaces?: string[];
	changeFreezes: ChangeFreeze[];
	llmMaxDeviationPercent: number;
	maxConsecutiveErrors: number;
	failover: FailoverPolicy;
	canary: CanaryPolicy;
}

export interface Issue {
	path: string;
	message: string;
	fix: string;
}

export type PolicyResult =
	| { ok: true; policy: ResolvedPolicy; policyHash: string }
	| { ok: false; issues: Issue[] };

// scale: replica count; failover/failback: the region that receives traffic;
// rollback: 'rollback' | 'continue' | 'pause'; reject: null.
export type VerdictValue = number | string | null;

export type CanaryValue = 'rollback' | 'continue' | 'pause';

export interface Verdict {
	decision: Decision;
	action: ProposalAction | null;
	value: VerdictValue;
	reason: string;
	decidedBy: string | null;
	checks: Check[];
	proposalHash: string;
	policyHash: string | null;
	evaluatedAt: string | null;
	deadline?: string;
	nextState?: CanaryState;
	/** approve verdicts: the last moment a person's approval of this verdict counts. */
	approvalDeadline?: string;
	/** Set when the gate turned a Needs Approval outcome into apply on an authenticated approval. */
	approvedBy?: ApprovalRecord;
	/** Exactly what an apply verdict lets a mutating node do, beyond its value (see src/admission). */
	scope?: VerdictScope;
	verdictHash: string;
	/** Added after verdictHash by a gate with a signing key; not part of the hash. */
	signature?: VerdictSignature;
}

export interface ApprovalRecord {
	by: string;
	at: string;
	/** The approve verdict the person approved. */
	verdictHash: string;
}

export interface VerdictScope {
	/** failover/failback: replicas the receiving region's workload is scaled to (the capacity check's need). */
	scaleTo?: number;
	/** failover: the load-balancer server of the region losing the traffic. */
	drain?: TrafficTarget;
	/** failback: the load-balancer server of the region getting its traffic back. */
	restore?: TrafficTarget;
	/** failover/failback: the load-balancer state the move was judged on; the move happens only while it still holds. */
	traffic?: TrafficState;
}

export type Instant = Date | string | number;
