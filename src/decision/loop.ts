import type { ProposalAction } from '../policy/types';
import type { Loop } from './types';

/** Which loop each gated action belongs to: the one map the gate's record and the loop's last step both read. */
export const LOOP_OF_ACTION: Readonly<Record<ProposalAction, Loop>> = { scale: 'scaling', failover: 'failover', failback: 'failover', rollback: 'canary' };

/** The loop of an action, or undefined for anything that is not one (own keys only, so "constructor" is not an action). */
export function loopOfAction(action: unknown): Loop | undefined {
	return typeof action === 'string' && Object.hasOwn(LOOP_OF_ACTION, action) ? LOOP_OF_ACTION[action as ProposalAction] : undefined;
}
