import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { KubeOpsSigningKey } from '../../credentials/KubeOpsSigningKey.credentials';
import { PolicyGate } from '../../nodes/PolicyGate/PolicyGate.node';
import { runNode } from '../harness/n8n';
import { signingKeyCredential } from '../harness/signing';
import { runLock, storedState } from '../unit/kubernetes/loopSupport';
import { eventsFor, fingerprint, gated, lastChange, object, only, runPatch, sandboxCluster, scaleProposal, scalingPolicy } from '../unit/kubernetes/support';

/*
 * Approval done right: a Needs Approval verdict never acts. The approved
 * branch runs the Policy Gate again with the approval (who, when, the
 * signed approve verdict) on the proposal rebuilt from the live state; only
 * the apply verdict that comes out of it moves anything, and the approver
 * is named on the object, in the Event and in the record.
 */

const cluster = sandboxCluster('each test');

const approvalPolicy = { ...scalingPolicy, approvalFactor: 3 };
const POLICY_TEXT = JSON.stringify(approvalPolicy);

const needsApproval = (current = 3) => {
	const item = gated(scaleProposal('web', current, 12), approvalPolicy);
	expect(item.verdict).toMatchObject({ decision: 'approve', value: 7, approvalDeadline: expect.any(String) });
	return item;
};

/** The approved branch's Policy Gate: the proposal from a live read, the approval from the authenticated resume. */
async function gateAgain(proposal: unknown, approval: unknown, credentials: Record<string, ICredentialDataDecryptedObject> = { kubeOpsSigningKey: signingKeyCredential }) {
	const result = await runNode({
		node: PolicyGate,
		credentialTypes: [KubeOpsSigningKey],
		credentials,
		parameters: { policy: POLICY_TEXT, proposal: '={{ $json.proposal }}', state: '={{ {} }}', approval: '={{ $json.approval }}' } as never,
		input: [{ json: { proposal, approval } as IDataObject }],
	});
	expect(result.error).toBeUndefined();
	const [apply, approve, holdOrReject] = result.outputs;
	return { apply: apply ?? [], approve: approve ?? [], holdOrReject: holdOrReject ?? [] };
}

const approvalOf = (item: IDataObject, by = 'jane@example.com', at = new Date().toISOString()) => ({ by, at, proposal: item.proposal, verdict: item.verdict });

test('an approval, run through the gate again on the unchanged live state, becomes a signed apply verdict that is carried out and names the approver', async () => {
	const locked = await runLock(cluster);
	const asked = needsApproval();
	const { apply } = await gateAgain(asked.proposal, approvalOf(asked, 'jane@example.com', '2026-12-04T12:03:00Z'));
	expect(apply).toHaveLength(1);
	const item = { ...apply[0].json, ...locked };
	expect(item.verdict).toMatchObject({ decision: 'apply', value: 7, approvedBy: { by: 'jane@example.com', at: '2026-12-04T12:03:00.000Z' }, signature: { alg: 'HMAC-SHA256' } });

	const scaled = only(await runPatch(cluster, { operation: 'scale', requireVerdict: true }, { input: [{ json: item }] }));
	expect(scaled).toMatchObject({ after: { replicas: 7 }, changed: true });
	expect(String(lastChange(object(cluster, 'deployments.apps', 'web')).by)).toMatch(/, approved by jane@example\.com at 2026-12-04T12:03:00\.000Z$/);
	const [event] = eventsFor(cluster, 'web');
	expect(event).toMatchObject({ reason: 'ScaleApplied', metadata: { annotations: { 'kube-ops/decision': 'apply' } } });

	const record = only(await runPatch(cluster, { operation: 'recordDecision', requireVerdict: true }, { input: [{ json: { ...scaled, ...locked } }] })).record as IDataObject;
	expect(record).toMatchObject({ outcome: 'applied', decisionOutcome: 'applied', state: { consecutiveErrors: 0 } });
	expect(storedState(cluster)).toMatchObject({ lastActionAt: expect.any(String), consecutiveErrors: 0 });
});

test('an approval that arrives after the workload changed is refused by the gate, with the reason in its verdict', async () => {
	const asked = needsApproval(3);
	// The workload moved (an HPA, a person) while the approval request waited: the live read gives 5, not 3.
	const live = { ...(asked.proposal as IDataObject), current: { replicas: 5 } };
	const { apply, holdOrReject } = await gateAgain(live, approvalOf(asked));
	expect(apply).toHaveLength(0);
	expect(holdOrReject[0].json.verdict).toMatchObject({ decision: 'hold', decidedBy: 'approval', reason: expect.stringMatching(/the proposal is not the one that was approved/) });
	const before = fingerprint(cluster);
	const { error } = await runPatch(cluster, { operation: 'scale', requireVerdict: true }, { input: [{ json: holdOrReject[0].json }] });
	expect(error?.message).toBe('Refusing to scale: the verdict is hold, not apply');
	expect(fingerprint(cluster)).toBe(before);
});

test('a stale approval cannot lower a floor: the gate judges the live state, and scale-in is still refused', async () => {
	// Approved for 3 -> 7; the floor is 12 by the time the approval arrives. The rebuilt proposal asks 12 -> 7.
	const asked = needsApproval(3);
	const lowered = { ...(asked.proposal as IDataObject), current: { replicas: 12 }, proposed: { replicas: 7 } };
	const { apply } = await gateAgain(lowered, approvalOf(asked));
	expect(apply).toHaveLength(0);
});

test('forged and expired approvals are held: an unsigned or foreign-key approved verdict, a past deadline, no approver', async () => {
	const asked = needsApproval();
	const { signature: _signature, ...unsigned } = asked.verdict as IDataObject;
	const cases: Array<[unknown, RegExp]> = [
		[{ ...approvalOf(asked), verdict: unsigned }, /not signed by this gate's key: the verdict is not signed/],
		[{ ...approvalOf(asked), by: '' }, /approval\.by must name the approver/],
		[{ ...approvalOf(asked), verdict: { ...(asked.verdict as IDataObject), value: 12 } }, /verdictHash mismatch/],
		[{ approved: true, by: 'mallory', at: new Date().toISOString() }, /the approved verdict does not hold/],
	];
	for (const [approval, reason] of cases) {
		const { apply, holdOrReject } = await gateAgain(asked.proposal, approval);
		expect(apply).toHaveLength(0);
		expect(holdOrReject[0].json.verdict).toMatchObject({ decision: 'hold', reason: expect.stringMatching(reason) });
	}
	const other = await gateAgain(asked.proposal, approvalOf(asked), { kubeOpsSigningKey: { secret: 'another-teams-key-another-teams-key-0000' } });
	expect(other.holdOrReject[0].json.verdict).toMatchObject({ decision: 'hold', reason: expect.stringMatching(/signed with another key/) });
	const late = gated(scaleProposal('web', 3, 12), { ...approvalPolicy, approvalTimeoutSeconds: 60 }, {}, new Date(Date.now() - 120_000));
	const expired = await gateAgain(late.proposal, approvalOf(late), { kubeOpsSigningKey: signingKeyCredential });
	expect(expired.holdOrReject[0].json.verdict).toMatchObject({ decision: 'hold', reason: expect.stringMatching(/approval deadline .* has passed/) });
});

test('an approve verdict never acts, whatever approval is written on the item', async () => {
	const before = fingerprint(cluster);
	for (const approval of [undefined, { approved: true, by: 'jane' }, approvalOf(needsApproval())]) {
		const { error } = await runPatch(cluster, { operation: 'scale', requireVerdict: true }, { input: [{ json: { ...needsApproval(), approval } as IDataObject }] });
		expect(error?.message).toBe('Refusing to scale: the verdict needs approval, and an approve verdict never acts');
	}
	expect(fingerprint(cluster)).toBe(before);
});
