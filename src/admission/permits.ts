import type { PlainObject, ProposalAction, TrafficState, TrafficTarget, Verdict } from '../policy';

/**
 * Exactly what each kind of verdict lets a mutating node do. One table for
 * every mutating path (Kubernetes Patch, Load Balancer Drain, the CLI), so a
 * verdict judged for one change can never be spent on another: an operation
 * missing here is refused under that verdict, and the values come from the
 * verdict and its proposal, never from node parameters.
 */
export type KubeOperation = 'scale' | 'hpaBounds' | 'kedaBounds' | 'patch' | 'rolloutUndo' | 'canaryWeight' | 'annotate' | 'waitReady';
export type TrafficOperation = 'drain' | 'restore' | 'setWeight';
export type MutatingOperation = KubeOperation | TrafficOperation;

export type Permit =
	/** expectReplicas: the live count the proposal stated; atLeast: never lower it (a failover's receiving region keeps more). */
	| { operation: 'scale'; replicas: number; expectReplicas?: number; atLeast?: boolean }
	/** The autoscaler's floor; expectReplicas is the stated current count it is compared with. */
	| { operation: 'hpaBounds' | 'kedaBounds'; min: number; expectReplicas: number }
	| { operation: 'waitReady'; replicas?: number }
	| { operation: 'canaryWeight'; weight: 0 }
	| { operation: 'rolloutUndo' }
	/** expect: the load balancer the move was judged on; the move happens only while a live read still shows it. */
	| { operation: 'drain' | 'restore'; server: TrafficTarget; expect: TrafficState };

export class PermitError extends Error {
	constructor(
		message: string,
		readonly fix: string,
	) {
		super(message);
	}
}

type Builder = (verdict: Verdict, proposal: PlainObject) => Permit;

function replicaValue(verdict: Verdict): number {
	const value = verdict.value;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new PermitError(`the scale verdict's value ${JSON.stringify(value)} is not a replica count`, 'Send the item from the Policy Gate\'s Apply output unchanged.');
	return value;
}

function statedReplicas(proposal: PlainObject): number {
	const current = proposal.current;
	const replicas = current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as PlainObject).replicas : undefined;
	if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
		throw new PermitError('the scale proposal states no current.replicas to compare with the live object', 'Build the proposal from a live read of the workload (current.replicas).');
	}
	return replicas;
}

function scaleTo(verdict: Verdict): number {
	const replicas = verdict.scope?.scaleTo;
	if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 1) {
		throw new PermitError(
			`the ${verdict.action} verdict sizes no receiving region (no scope.scaleTo: the proposal lacked requiredReplicas for both regions)`,
			'Put each region\'s requiredReplicas in the proposal\'s evidence so the gate sizes the receiving region.',
		);
	}
	return replicas;
}

function traffic(verdict: Verdict, key: 'drain' | 'restore'): TrafficTarget {
	const server = verdict.scope?.[key];
	if (!server || typeof server.server !== 'string') throw new PermitError(`the ${verdict.action} verdict names no load-balancer server to ${key}`, 'Evaluate the proposal again with the current Policy Gate.');
	return server;
}

function judgedTraffic(verdict: Verdict): TrafficState {
	const traffic = verdict.scope?.traffic;
	if (!traffic || typeof traffic !== 'object' || !traffic.servers || typeof traffic.servers !== 'object') {
		throw new PermitError(
			`the ${verdict.action} verdict states no load-balancer state to compare with the live one (its proposal has no current.traffic)`,
			'Read the load balancer right before building the proposal (Load Balancer Drain, Status) and put its traffic field in the proposal as current.traffic.',
		);
	}
	return traffic;
}

const TABLE: Record<ProposalAction, Partial<Record<MutatingOperation, Builder>>> = {
	scale: {
		scale: (v, p) => ({ operation: 'scale', replicas: replicaValue(v), expectReplicas: statedReplicas(p) }),
		hpaBounds: (v, p) => ({ operation: 'hpaBounds', min: replicaValue(v), expectReplicas: statedReplicas(p) }),
		kedaBounds: (v, p) => ({ operation: 'kedaBounds', min: replicaValue(v), expectReplicas: statedReplicas(p) }),
		waitReady: (v) => ({ operation: 'waitReady', replicas: replicaValue(v) }),
	},
	failover: {
		scale: (v) => ({ operation: 'scale', replicas: scaleTo(v), atLeast: true }),
		waitReady: (v) => ({ operation: 'waitReady', replicas: scaleTo(v) }),
		drain: (v) => ({ operation: 'drain', server: traffic(v, 'drain'), expect: judgedTraffic(v) }),
	},
	failback: {
		scale: (v) => ({ operation: 'scale', replicas: scaleTo(v), atLeast: true }),
		waitReady: (v) => ({ operation: 'waitReady', replicas: scaleTo(v) }),
		restore: (v) => ({ operation: 'restore', server: traffic(v, 'restore'), expect: judgedTraffic(v) }),
	},
	rollback: {
		canaryWeight: () => ({ operation: 'canaryWeight', weight: 0 }),
		scale: () => ({ operation: 'scale', replicas: 0 }),
		rolloutUndo: () => ({ operation: 'rolloutUndo' }),
	},
};

const USE_INSTEAD: Record<ProposalAction, string> = {
	scale: 'Scale, Set HPA Min/Max, Set KEDA Min/Max or Wait for Ready',
	failover: 'Scale and Wait for Ready on the receiving region, then Load Balancer Drain on the failing one',
	failback: 'Load Balancer Restore on the recovered region (Scale and Wait for Ready before it if needed)',
	rollback: 'Set Canary Weight, Scale (to 0) or Rollout Undo on the canary',
};

/** The permit for carrying out this verdict with this operation, or a PermitError saying which operations it allows. */
export function permitFor(verdict: Verdict, proposal: PlainObject, operation: MutatingOperation): Permit {
	const action = verdict.action;
	if (action === null) throw new PermitError('the verdict has no action', 'Send the item from the Policy Gate\'s Apply output unchanged.');
	const build = TABLE[action]?.[operation];
	if (!build) throw new PermitError(`a ${action} verdict does not authorise ${operation}`, `Under a ${action} verdict use ${USE_INSTEAD[action]}; for anything else, a separate manual change (Require Policy Gate Verdict off).`);
	return build(verdict, proposal);
}

export function operationsFor(action: ProposalAction): MutatingOperation[] {
	return Object.keys(TABLE[action]) as MutatingOperation[];
}
