import { isApproverName } from '../policy/approval';
import { basicCredentials } from '../shared/authorization';
import { isRecord } from '../shared/records';

/** One proposal a person approved, ready for the approved branch: it is judged again there against the live state. */
export interface ApprovedItem {
	/** The fields carried over from the item that asked (e.g. the alert and its dedupe key). */
	carried: Record<string, unknown>;
	proposal: unknown;
	approval: { by: string; at: string; proposal: unknown; verdict: unknown };
}

export interface ApprovalRequestResult {
	items: ApprovedItem[];
	/** Why nothing was approved, when a request came but approved nothing. */
	notApproved?: string;
}

const HASH = /^sha256:[0-9a-f]{64}$/;

/**
 * Who approved: the user of the Basic authentication n8n checked before it
 * resumed the Wait (credential "Approvers"), never a name from the body, which
 * anyone holding the link could write. Only a name the gate takes as approver
 * (an approval it would hold is no approval here either).
 */
export function approverOf(headers: unknown): string | undefined {
	const raw = isRecord(headers) ? headers.authorization : undefined;
	const user = typeof raw === 'string' ? basicCredentials(raw)?.user : undefined;
	return isApproverName(user) ? user : undefined;
}

/**
 * The approval request that resumed a Wait, turned into one item per
 * approved proposal. Only an explicit `{"approved": true}` from an
 * authenticated person approves; with `proposalHashes` only those proposals.
 * A timeout, a rejection or anything malformed approves nothing and says why.
 */
export function approvedProposals(request: unknown, asked: unknown, carry: readonly string[], now: Date): ApprovalRequestResult {
	const resumed = isRecord(request) ? request : {};
	// A Wait that times out hands on its own input: a waiting item (it has the
	// verdict), which may still carry the headers and body of a Webhook trigger
	// that started the run. Only the request that resumed the Wait approves.
	if (Object.hasOwn(resumed, 'verdict') || Object.hasOwn(resumed, 'proposal')) {
		return { items: [], notApproved: 'the Wait timed out: it passed on a waiting item (with its proposal and verdict), not an approval request' };
	}
	const body = isRecord(resumed.body) ? resumed.body : {};
	if (body.approved !== true) return { items: [], notApproved: 'the request did not say {"approved": true} (a timeout, a rejection or a malformed body)' };
	const by = approverOf(resumed.headers);
	if (by === undefined) return { items: [], notApproved: 'no authenticated approver: resume the Wait with the Approvers Basic Auth credential' };
	let wanted: Set<string> | undefined;
	if (body.proposalHashes !== undefined) {
		const hashes = body.proposalHashes;
		if (!Array.isArray(hashes) || hashes.length === 0 || !hashes.every((h) => typeof h === 'string' && HASH.test(h))) {
			return { items: [], notApproved: 'proposalHashes must be a non-empty list of "sha256:<64 hex>" proposal hashes (the verdicts\' proposalHash); leave it out to approve every proposal waiting here' };
		}
		wanted = new Set(hashes as string[]);
	}
	const at = now.toISOString();
	const items: ApprovedItem[] = [];
	for (const entry of Array.isArray(asked) ? asked : []) {
		if (!isRecord(entry) || !isRecord(entry.verdict) || entry.verdict.decision !== 'approve') continue;
		if (wanted && !wanted.has(String(entry.verdict.proposalHash))) continue;
		const carried: Record<string, unknown> = {};
		for (const field of carry) if (field !== '__proto__' && Object.hasOwn(entry, field)) carried[field] = structuredClone(entry[field]);
		// Copies, none shared: n8n copies items keeping shared references, so a node that brings the
		// proposal up to date (Edit Fields on proposal.current) would otherwise rewrite the approved one too.
		items.push({ carried, proposal: structuredClone(entry.proposal), approval: { by, at, proposal: structuredClone(entry.proposal), verdict: structuredClone(entry.verdict) } });
	}
	return items.length === 0 ? { items, notApproved: wanted ? 'no proposal waiting here has one of the given proposalHashes' : 'no proposal here waits for approval' } : { items };
}
