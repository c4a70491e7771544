import { LoadBalancerError } from './errors';
import { type TrafficGate, checkTrafficVerdict } from './gate';
import { trafficDrift, trafficStateOf } from './liveState';
import type { TrafficState } from '../policy';
import type { BackendStatus, ChangeResult, LoadBalancerProvider, Operation, WaitOptions } from './types';

export type OperationName = Operation | 'status';

export interface OperationRequest {
	operation: OperationName;
	backend: string;
	server?: string;
	/** setWeight: the new weight; restore: the weight to restore to (optional). */
	weight?: number;
	force?: boolean;
	wait?: WaitOptions;
	maintAfter?: boolean;
	/** The admission rule for this item (its proposal and verdict, the keys, manual mode); status needs none. */
	gate?: TrafficGate;
}

export type OperationOutcome =
	/** traffic: the same state in the shape a failover proposal states it (current.traffic). */
	| ({ operation: 'status'; traffic: TrafficState } & BackendStatus)
	| (ChangeResult & { gate?: { verified: true; action: string; verdictHash: string } });

/**
 * One operation as the node and the CLI both run it, so the two cannot
 * disagree: the verdict check first, then the provider call.
 */
export async function runOperation(provider: LoadBalancerProvider, request: OperationRequest): Promise<OperationOutcome> {
	const { operation, backend } = request;
	if (operation === 'status') {
		const status = await provider.status(backend);
		return { operation, ...status, traffic: trafficStateOf(status) };
	}
	const server = request.server ?? '';
	if (!server) {
		throw new LoadBalancerError({ provider: provider.name, kind: 'invalid', object: backend, cause: `${operation} needs a server`, fix: 'Name the server (origin, pool or Service) to act on.' });
	}
	const ref = { backend, server };
	if (!request.gate) throw new LoadBalancerError({ provider: provider.name, kind: 'invalid', object: `${backend}/${server}`, cause: `${operation} was called without the admission rule`, fix: 'Pass gate (the item, keys, Require Policy Gate Verdict).' });
	const gate = checkTrafficVerdict(request.gate, operation, ref);
	if (gate.gated && !gate.ok) throw new LoadBalancerError({ provider: provider.name, kind: 'refused', object: `${backend}/${server}`, cause: gate.reason, fix: gate.fix });
	if (gate.gated && gate.ok) {
		if (!request.gate.claim) {
			throw new LoadBalancerError({
				provider: provider.name,
				kind: 'refused',
				object: `${backend}/${server}`,
				cause: `a verdict is carried out once, and there is nowhere to record its use`,
				fix: 'Give Load Balancer Drain a Kubernetes API credential: it records each verdict it carries out on a Lease in the proposal\'s namespace.',
			});
		}
		const compare = async (spent: boolean) => {
			const drift = trafficDrift(gate.expect, await provider.status(backend));
			if (drift.length === 0) return;
			throw new LoadBalancerError({
				provider: provider.name,
				kind: 'refused',
				object: `${backend}/${server}`,
				cause: `the load balancer changed since the ${gate.admission.action} verdict was judged (${drift.join('; ')}); nothing was moved${spent ? ', and the verdict is used up' : ''}`,
				fix: 'Run the loop again so the Policy Gate judges the load balancer as it is now (the workflow reads it right before building the proposal).',
			});
		};
		// Before the claim: a refusal leaves the verdict unspent for a run that judges the live state again.
		await compare(false);
		await request.gate.claim(gate.admission);
		// And after it: the claim is a Kubernetes write that takes time; a change meanwhile refuses too (spent: the safe side).
		await compare(true);
	}
	let result: ChangeResult;
	if (operation === 'drain') result = await provider.drain(ref, { force: request.force, wait: request.wait, maintAfter: request.maintAfter });
	else if (operation === 'restore') result = await provider.restore(ref, { weight: request.weight });
	else {
		if (request.weight === undefined) {
			throw new LoadBalancerError({ provider: provider.name, kind: 'invalid', object: `${backend}/${server}`, cause: 'setWeight needs a weight', fix: 'Give the new weight.' });
		}
		result = await provider.setWeight(ref, request.weight, { force: request.force });
	}
	if (!gate.gated) return result;
	return { ...result, gate: { verified: true, action: gate.admission.action, verdictHash: gate.admission.verdict.verdictHash } };
}
