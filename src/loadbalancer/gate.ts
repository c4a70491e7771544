import { AdmissionError, type GatedAdmission, admit } from '../admission';
import type { SigningKey, TrafficState } from '../policy';
import type { Operation, ServerRef } from './types';

/**
 * Load Balancer Drain's side of the admission rule (src/admission): a traffic
 * move happens either as a manual change (only with Require Policy Gate
 * Verdict off) or under a signed, fresh apply verdict whose permit names the
 * exact server: a failover drains the failing region's server, a failback
 * restores the recovered one, and nothing else moves under either.
 */
export interface TrafficGate {
	item: { proposal?: unknown; verdict?: unknown };
	requireVerdict: boolean;
	keys: readonly SigningKey[];
	maxAgeSeconds?: number;
	now?: Date;
	/** Records the verdict as used (single use), right before the change; required for gated items. */
	claim?: (gated: GatedAdmission) => Promise<void>;
}

export type GateResult = { gated: false } | { gated: true; ok: true; admission: GatedAdmission; expect: TrafficState } | { gated: true; ok: false; reason: string; fix: string };

export function checkTrafficVerdict(gate: TrafficGate, operation: Operation, ref: ServerRef): GateResult {
	let admission;
	try {
		admission = admit(gate.item as Record<string, unknown>, { operation, requireVerdict: gate.requireVerdict, keys: gate.keys, maxAgeSeconds: gate.maxAgeSeconds, now: gate.now ?? new Date() });
	} catch (error) {
		if (error instanceof AdmissionError) return { gated: true, ok: false, reason: error.message, fix: error.fix };
		throw error;
	}
	if (admission.mode === 'manual') return { gated: false };
	const permit = admission.permit;
	if (permit.operation !== 'drain' && permit.operation !== 'restore') return { gated: true, ok: false, reason: `a ${permit.operation} permit cannot move traffic`, fix: 'Send the item from the Policy Gate\'s Apply output unchanged.' };
	const wanted = permit.server;
	const named = `${wanted.backend ? `${wanted.backend}/` : ''}${wanted.server}`;
	if (ref.server !== wanted.server || (wanted.backend !== undefined && ref.backend !== wanted.backend)) {
		return {
			gated: true,
			ok: false,
			reason: `the ${admission.action} verdict authorises ${operation} of ${named} only, not ${ref.backend}/${ref.server}`,
			fix: 'Take the server from the verdict (the policy\'s failover.trafficTargets maps regions to servers), e.g. leave Backend/Server to {{ $json.verdict.scope.drain.server }}.',
		};
	}
	return { gated: true, ok: true, admission, expect: permit.expect };
}
