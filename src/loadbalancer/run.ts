import { LoadBalancerError } from './errors';
import { checkTrafficVerdict } from './gate';
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
	/** The item's proposal and verdict, when it came through the Policy Gate. */
	gate?: { proposal?: unknown; verdict?: unknown; maxAgeSeconds?: number; now?: Date };
}

export type OperationOutcome =
	| ({ operation: 'status' } & BackendStatus)
	| (ChangeResult & { gate?: { verified: true; reason: string } });

/**
 * One operation as the node and the CLI both run it, so the two cannot
 * disagree: the verdict check first, then the provider call.
 */
export async function runOperation(provider: LoadBalancerProvider, request: OperationRequest): Promise<OperationOutcome> {
	const { operation, backend } = request;
	if (operation === 'status') return { operation, ...(await provider.status(backend)) };
	const server = request.server ?? '';
	if (!server) {
		throw new LoadBalancerError({ provider: provider.name, kind: 'invalid', object: backend, cause: `${operation} needs a server`, fix: 'Name the server (origin, pool or Service) to act on.' });
	}
	const ref = { backend, server };
	const gate = checkTrafficVerdict(request.gate ?? {}, operation, ref, { maxAgeSeconds: request.gate?.maxAgeSeconds, now: request.gate?.now });
	if (gate.gated && !gate.ok) {
		throw new LoadBalancerError({
			provider: provider.name,
			kind: 'refused',
			object: `${backend}/${server}`,
			cause: `the policy verdict does not allow this ${operation}: ${gate.reason}`,
			fix: 'Act only on items from the Policy Gate\'s Apply output, unchanged; for a manual change send an item without proposal and verdict.',
		});
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
	return { ...result, warnings: [...gate.warnings, ...result.warnings], gate: { verified: true, reason: gate.reason } };
}
