import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { PolicyGate } from '../../nodes/PolicyGate/PolicyGate.node';
import { KubeOpsSigningKey } from '../../credentials/KubeOpsSigningKey.credentials';
import { runNode } from '../harness/n8n';
import { signingKeyCredential } from '../harness/signing';
import { lease, storedState } from '../unit/kubernetes/loopSupport';
import { object, only, runPatch, sandboxCluster, scaleProposal, scalingPolicy } from '../unit/kubernetes/support';

/*
 * One scaling loop twice, node after node through n8n's executor, as the
 * shipped workflow wires them: Lock → Policy Gate (state from the lock) →
 * Scale → Record. The second run, inside the cooldown the first one saved,
 * is held and changes nothing.
 */

const cluster = sandboxCluster('whole file');

const policy = JSON.stringify(scalingPolicy);
const lockParameters = { operation: 'lock', namespace: 'shop', leaseName: '={{ "kube-ops-scaling-" + $json.proposal.target.name }}' };

async function gate(input: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const { outputs, error } = await runNode({ node: PolicyGate, credentialTypes: [KubeOpsSigningKey], credentials: { kubeOpsSigningKey: signingKeyCredential }, parameters: { policy }, input });
	expect(error).toBeUndefined();
	return outputs;
}

test('run 1 scales and saves the cooldown; run 2 is held by it and only records', async () => {
	// Run 1
	const locked = only(await runPatch(cluster, lockParameters, { input: [{ json: { proposal: scaleProposal('web', 3, 12) } }] }));
	expect(locked).toMatchObject({ lock: { acquired: true, name: 'kube-ops-scaling-web' }, state: {} });
	const [apply] = await gate([{ json: locked }]);
	expect(apply).toHaveLength(1);
	const scaled = only(await runPatch(cluster, { operation: 'scale' }, { input: apply }));
	expect(scaled).toMatchObject({ after: { replicas: 7 }, lock: locked.lock });
	const first = only(await runPatch(cluster, { operation: 'recordDecision' }, { input: [{ json: scaled }] })).record as IDataObject;
	expect(first).toMatchObject({ outcome: 'applied', saved: true, released: true, state: { lastActionAt: expect.any(String), consecutiveErrors: 0 } });

	// Run 2, a minute later in the forecast's terms: it wants more, the cooldown says not yet.
	const again = only(await runPatch(cluster, lockParameters, { input: [{ json: { proposal: scaleProposal('web', 7, 12) } }] }));
	expect(again.state).toEqual(first.state);
	const [apply2, approve2, held] = await gate([{ json: again }]);
	expect([apply2.length, approve2.length, held.length]).toEqual([0, 0, 1]);
	expect(held[0].json.verdict).toMatchObject({ decision: 'hold', decidedBy: 'cooldown' });
	const second = only(await runPatch(cluster, { operation: 'recordDecision' }, { input: held })).record as IDataObject;
	expect(second).toMatchObject({ outcome: 'notApplied', decisionOutcome: 'held', eventReason: 'ScaleHeld', state: first.state, released: true });
	expect(object(cluster, 'deployments.apps', 'web').spec?.replicas).toBe(7);
	expect(storedState(cluster)).toEqual(first.state);
	expect(lease(cluster)?.spec?.holderIdentity ?? null).toBeNull();
});
