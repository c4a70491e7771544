import type { IDataObject } from 'n8n-workflow';

import { runLock, storedState } from '../unit/kubernetes/loopSupport';
import { eventsFor, fingerprint, gated, lastChange, object, only, runPatch, sandboxCluster, scaleProposal, scalingPolicy } from '../unit/kubernetes/support';

/*
 * Accept Approved Verdicts: an approve verdict acts only with a named
 * person's explicit approval on the item, with every other part of the
 * verdict rule (hash, age) unchanged, and the approver named in the audit.
 */

const cluster = sandboxCluster('each test');

const approvalPolicy = { ...scalingPolicy, approvalFactor: 3 };
const needsApproval = () => {
	const item = gated(scaleProposal('web', 3, 12), approvalPolicy);
	expect(item.verdict).toMatchObject({ decision: 'approve', value: 7 });
	return item;
};
const accept = { operation: 'scale', options: { acceptApproved: true } };

async function refused(parameters: Record<string, unknown>, json: IDataObject): Promise<string | undefined> {
	const before = fingerprint(cluster);
	const { error, outputs } = await runPatch(cluster, parameters, { input: [{ json }] });
	expect(outputs[0] ?? []).toHaveLength(0);
	expect(fingerprint(cluster)).toBe(before);
	return error?.message;
}

test('an approved approve verdict is carried out, the approver named on the object and in the Event; the record counts it as applied', async () => {
	const locked = await runLock(cluster);
	const item = { ...needsApproval(), ...locked, approval: { approved: true, by: 'jane@example.com', at: '2026-03-10T12:03:00Z' } };
	const scaled = only(await runPatch(cluster, accept, { input: [{ json: item }] }));
	expect(scaled).toMatchObject({ after: { replicas: 7 }, changed: true });
	expect(object(cluster, 'deployments.apps', 'web').spec?.replicas).toBe(7);
	expect(String(lastChange(object(cluster, 'deployments.apps', 'web')).by)).toMatch(/, approved by jane@example\.com at 2026-03-10T12:03:00Z$/);
	const [event] = eventsFor(cluster, 'web');
	expect(event).toMatchObject({ reason: 'ScaleApplied', metadata: { annotations: { 'kube-ops/decision': 'approve' } } });
	expect(event.message).toMatch(/input: approved by jane@example\.com at 2026-03-10T12:03:00Z/);

	const record = only(await runPatch(cluster, { operation: 'recordDecision' }, { input: [{ json: { ...scaled, ...locked, approval: item.approval } }] })).record as IDataObject;
	expect(record).toMatchObject({ outcome: 'applied', decisionOutcome: 'applied', eventReason: 'ScaleApplied', state: { consecutiveErrors: 0 } });
	expect(storedState(cluster)).toMatchObject({ lastActionAt: expect.any(String), consecutiveErrors: 0 });
});

test('an approve verdict without an approval is refused, also with the option on', async () => {
	expect(await refused(accept, needsApproval())).toBe('Refusing to act on the proposal: the verdict needs approval and the item carries no approval');
	expect(await refused(accept, { ...needsApproval(), approval: { approved: true } })).toBe('Refusing to act on the proposal: the verdict needs approval and the approval does not name who approved (approval.by)');
});

test('an approval that says no (approved: false) is refused', async () => {
	expect(await refused(accept, { ...needsApproval(), approval: { approved: false, by: 'jane@example.com' } })).toBe('Refusing to act on the proposal: the verdict needs approval and the approval was declined by jane@example.com');
});

test('without the option an approved verdict is still refused', async () => {
	expect(await refused({ operation: 'scale' }, { ...needsApproval(), approval: { approved: true, by: 'jane' } })).toBe('Refusing to act on the proposal: verdict decision is approve, expected apply');
});

test('a hold is never acted on, approval or not; the hash and age checks stay', async () => {
	const hold = gated(scaleProposal('web', 3, 12), approvalPolicy, { lastActionAt: new Date(Date.now() - 10_000).toISOString() });
	expect(hold.verdict).toMatchObject({ decision: 'hold' });
	expect(await refused(accept, { ...hold, approval: { approved: true, by: 'jane' } })).toBe('Refusing to act on the proposal: verdict decision is hold, expected apply or approve');
	const edited = { ...needsApproval(), approval: { approved: true, by: 'jane' } };
	((edited as IDataObject).verdict as IDataObject).value = 12;
	expect(await refused(accept, edited)).toBe('Refusing to act on the proposal: verdict was modified after the gate issued it (verdictHash mismatch)');
	const old = { ...gated(scaleProposal('web', 3, 12), approvalPolicy, {}, new Date(Date.now() - 2 * 3600_000)), approval: { approved: true, by: 'jane' } };
	expect(await refused(accept, old)).toMatch(/^Refusing to act on the proposal: verdict is 720\ds old, older than 3600s; evaluate again$/);
	// The workflow raises Max Verdict Age for the time a human may take.
	expect(only(await runPatch(cluster, { operation: 'scale', options: { acceptApproved: true, maxVerdictAgeSeconds: 4 * 3600 } }, { input: [{ json: old }] }))).toMatchObject({ after: { replicas: 7 } });
});

test('Set HPA Min/Max accepts an approved verdict too', async () => {
	const item = { ...needsApproval(), approval: { approved: true, by: 'jane' } };
	expect(only(await runPatch(cluster, { operation: 'hpaBounds', options: { acceptApproved: true } }, { input: [{ json: item }] }))).toMatchObject({ after: { minReplicas: 7 } });
});
