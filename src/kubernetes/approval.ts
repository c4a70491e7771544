import type { DecisionRecord } from '../decision';
import { isObject } from './json';

/**
 * A human's answer to a Policy Gate `approve` verdict, as the workflow's
 * approval step (a Wait node resumed from a form or a chat button) puts it on
 * the item: `approval: { approved: true, by: "jane@example.com", at? }`.
 * Only an explicit `approved: true` with a named approver counts: an
 * anonymous or ambiguous answer must never turn into a change.
 */
export interface Approval {
	by: string;
	at?: string;
}

export type ApprovalReading = { approved: true; approval: Approval } | { approved: false; reason: string };

export function readApproval(json: Record<string, unknown>): ApprovalReading {
	const raw = json.approval;
	if (raw === undefined || raw === null) return { approved: false, reason: 'the item carries no approval' };
	if (!isObject(raw)) return { approved: false, reason: 'the item\'s approval is not an object' };
	const by = typeof raw.by === 'string' ? raw.by.trim() : '';
	if (raw.approved !== true) return { approved: false, reason: raw.approved === false ? `the approval was declined${by ? ` by ${by}` : ''}` : 'the item\'s approval does not say approved: true' };
	if (!by) return { approved: false, reason: 'the approval does not name who approved (approval.by)' };
	const at = typeof raw.at === 'string' && raw.at.trim() !== '' ? raw.at.trim() : undefined;
	return { approved: true, approval: { by, ...(at ? { at } : {}) } };
}

export function describeApproval(approval: Approval): string {
	return `approved by ${approval.by}${approval.at ? ` at ${approval.at}` : ''}`;
}

/** The decision record with the approver in its note, so the Event on the object says who let the change through. */
export function withApprovalNote(decision: DecisionRecord, approval: Approval): DecisionRecord {
	// First, as the Event message clips a long note.
	const note = [describeApproval(approval), decision.input?.note].filter(Boolean).join('; ');
	return { ...decision, input: { ...(decision.input ?? {}), note } };
}
