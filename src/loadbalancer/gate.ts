import { verifyVerdict } from '../policy';
import type { Operation, ServerRef } from './types';

export type GateResult =
	| { gated: false }
	| { gated: true; ok: true; reason: string; warnings: string[] }
	| { gated: true; ok: false; reason: string };

export interface GateOptions {
	/** Refuse verdicts older than this (an approval that sat while traffic moved on). */
	maxAgeSeconds?: number;
	now?: Date;
}

// Which traffic moves each gated action may cause. A scale verdict never moves traffic.
const ALLOWED: Record<string, readonly Operation[]> = {
	failover: ['drain', 'setWeight'],
	rollback: ['drain', 'setWeight'],
	failback: ['restore', 'setWeight'],
};

function present(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '';
}

function field(value: unknown, key: string): unknown {
	return value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * DESIGN.md's rule for every mutating node: an item that carries a proposal
 * and a verdict is acted on only with an `apply` verdict issued for exactly
 * that proposal. Items with neither are manual operations and pass; an item
 * with only one of the two is refused, because half a gate is no gate.
 */
export function checkTrafficVerdict(item: { proposal?: unknown; verdict?: unknown }, operation: Operation, ref: ServerRef, options: GateOptions = {}): GateResult {
	const hasProposal = present(item.proposal);
	const hasVerdict = present(item.verdict);
	if (!hasProposal && !hasVerdict) return { gated: false };
	if (!hasVerdict) return { gated: true, ok: false, reason: 'the item carries a proposal but no verdict; route it through the Policy Gate first' };
	if (!hasProposal) return { gated: true, ok: false, reason: 'the item carries a verdict but not the proposal it was issued for' };

	const verification = verifyVerdict(item.proposal, item.verdict, {
		expectDecision: 'apply',
		...(options.maxAgeSeconds !== undefined && options.maxAgeSeconds > 0 ? { maxAgeSeconds: options.maxAgeSeconds, now: options.now ?? new Date() } : {}),
	});
	if (!verification.ok) return { gated: true, ok: false, reason: verification.reason };

	const action = String(field(item.proposal, 'action'));
	const allowed = ALLOWED[action];
	if (!allowed) return { gated: true, ok: false, reason: `a ${action} verdict does not move traffic; it cannot authorise ${operation}` };
	if (!allowed.includes(operation)) return { gated: true, ok: false, reason: `a ${action} verdict authorises ${allowed.join(' or ')}, not ${operation}` };

	const warnings: string[] = [];
	if (action === 'failover' || action === 'failback') {
		const from = String(field(item.proposal, 'from') ?? '');
		const to = String(field(item.proposal, 'to') ?? '');
		// The verdict names the region that keeps (or gets back) the traffic; draining it is the opposite of what was approved.
		if (operation === 'drain' && to && (ref.server === to || ref.backend === to)) {
			return { gated: true, ok: false, reason: `the verdict moves traffic to ${to}; draining ${ref.server} would take traffic away from it` };
		}
		const named = operation === 'restore' ? to : from;
		if (operation !== 'setWeight' && named && !ref.server.includes(named) && !named.includes(ref.server)) {
			warnings.push(`the verdict is about region ${named}, and the server acted on is ${ref.backend}/${ref.server}; check that they are the same`);
		}
	}
	return { gated: true, ok: true, reason: verification.reason, warnings };
}
