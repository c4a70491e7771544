import { evaluate } from '../../../src/policy';
import { signed } from '../../harness/signing';

/** Proposals and verdicts from the real Policy Gate, for the load balancer's verdict rule. */

export const POLICY = { allowedNamespaces: ['shop'] };

/**
 * traffic: the load balancer as the workflow reads it before the proposal (current.traffic); by default the two
 * regions' servers as a failover (both ready) or a failback (the recovered one drained) finds them.
 */
export function failoverProposal(
	from: string,
	to: string,
	now: Date,
	action: 'failover' | 'failback' = 'failover',
	traffic: Record<string, unknown> | null = { servers: { [from]: 'ready', [to]: action === 'failback' ? 'drain' : 'ready' } },
): Record<string, unknown> {
	const startsAt = new Date(now.getTime() - (action === 'failback' ? 7200_000 : 300_000)).toISOString();
	const alert =
		action === 'failback'
			? { name: 'RegionDown', status: 'resolved', startsAt, resolvedSince: new Date(now.getTime() - 3600_000).toISOString() }
			: { name: 'RegionDown', status: 'firing', startsAt };
	const sick = { readyFraction: 0.2, errorRate: 0.3, capacityReplicas: 20, requiredReplicas: 10 };
	const healthy = { readyFraction: 0.99, errorRate: 0.001, capacityReplicas: 40, requiredReplicas: 10, healthyPools: 1 };
	return {
		action,
		source: 'alert',
		target: { cluster: 'global', namespace: 'shop', kind: 'Service', name: 'checkout' },
		from,
		to,
		...(traffic === null ? {} : { current: { traffic } }),
		evidence: { alert, regions: { [from]: action === 'failback' ? healthy : sick, [to]: healthy } },
	};
}

/** An item as it leaves the Policy Gate node: the proposal and the verdict the gate issued for it. */
export function gatedItem(proposal: Record<string, unknown>, now = new Date()): { proposal: Record<string, unknown>; verdict: Record<string, unknown> } {
	const verdict = signed(evaluate(proposal, POLICY, {}, now)) as unknown as Record<string, unknown>;
	return { proposal, verdict };
}
