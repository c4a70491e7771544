import type { IDataObject } from 'n8n-workflow';

import { KubernetesPatch } from '../../nodes/KubernetesPatch/KubernetesPatch.node';
import { CLUSTER, eventsFor, fingerprint, gated, lastChange, object, only, runPatch, sandboxCluster, scaleProposal, scalingPolicy } from '../unit/kubernetes/support';

/*
 * The rule between the Policy Gate and the cluster, through n8n's executor:
 * an item with a proposal is acted on only with a signed, fresh apply
 * verdict for exactly that proposal, on the proposal's target, with the
 * permit's value, while the live object is as the proposal stated, once;
 * anything else stops with the reason, and nothing in the cluster changes.
 */

const cluster = sandboxCluster('each test');

const replicas = (name: string) => object(cluster, 'deployments.apps', name).spec?.replicas;

describe('an apply verdict', () => {
	test('scales to the verdict\'s value (the gate\'s clamped count), not the proposed one, and records the decision', async () => {
		const item = gated(scaleProposal('web', 3, 12));
		const verdict = item.verdict as IDataObject;
		expect(verdict).toMatchObject({ decision: 'apply', value: 7 });
		const result = await runPatch(cluster, { operation: 'scale' }, { input: [{ json: item }] });
		const json = only(result);
		const decisionId = (item.decision as { id: string }).id;
		expect(json).toMatchObject({
			operation: 'scale',
			target: { kind: 'Deployment', namespace: 'shop', name: 'web', cluster: CLUSTER },
			before: { replicas: 3 },
			after: { replicas: 7 },
			decisionId,
			proposal: item.proposal,
			verdict: item.verdict,
			decision: item.decision,
		});
		expect(replicas('web')).toBe(7);
		expect(lastChange(object(cluster, 'deployments.apps', 'web'))).toMatchObject({ decisionId, to: { replicas: 7 } });
		const [event] = eventsFor(cluster, 'web');
		expect(event).toMatchObject({
			reason: 'ScaleApplied',
			type: 'Normal',
			metadata: { annotations: { 'kube-ops/decision-id': decisionId, 'kube-ops/decision': 'apply', 'kube-ops/proposal-hash': verdict.proposalHash } },
			involvedObject: { kind: 'Deployment', name: 'web', uid: object(cluster, 'deployments.apps', 'web').metadata.uid },
		});
		expect(event.metadata.name).toMatch(/^web\.[0-9a-f]{16}$/);
		expect(event.message).toMatch(new RegExp(`^\\[${decisionId}\\] scaling Deployment/web in ${CLUSTER}: applied .*apply → 7.*actions: scale succeeded`));
	});

	test('a verdict is carried out once: a replay is refused whether the object moved on or came back', async () => {
		const item = gated(scaleProposal('web', 3, 12));
		only(await runPatch(cluster, { operation: 'scale' }, { input: [{ json: item }] }));
		// The object moved on: the state the verdict judged is gone.
		const moved = await runPatch(cluster, { operation: 'scale' }, { input: [{ json: item }] });
		expect(moved.error?.message).toBe('Refusing to act: deployments.apps "web" in namespace "shop" has replicas 7 now, but the proposal the verdict judged stated 3; the state changed since the Policy Gate decided');
		// Back where the verdict found it (the HPA scaled down): the ledger still says it was used.
		cluster.sandbox.api.patchScale(cluster.sandbox.api.def('deployments.apps'), 'shop', 'web', 'merge', { spec: { replicas: 3 } });
		const replay = await runPatch(cluster, { operation: 'scale' }, { input: [{ json: item }] });
		expect(replay.error?.message).toMatch(/^Refusing to act: this verdict was already carried out \(scale at .* by n8n workflow/);
		expect(replicas('web')).toBe(3);
		expect(eventsFor(cluster, 'web')).toHaveLength(1);
	});

	test('two items carrying one verdict in one run: the first acts, the second is refused', async () => {
		const item = gated(scaleProposal('web', 3, 6));
		const result = await runPatch(cluster, { operation: 'scale' }, { input: [{ json: item }, { json: item }], continueOnFail: true });
		expect(result.outputs[0].map((o) => o.json.error ?? o.json.after)).toEqual([{ replicas: 6 }, expect.stringMatching(/has replicas 6 now, but the proposal the verdict judged stated 3/)]);
	});

	test('stated state is checked against the live object: a proposal claiming 36 -> 40 does not move a Deployment at 3', async () => {
		const lying = gated(scaleProposal('web', 36, 40), { ...scalingPolicy, maxReplicas: 40 });
		expect(lying.verdict).toMatchObject({ decision: 'apply', value: 40 });
		const { error } = await runPatch(cluster, { operation: 'scale' }, { input: [{ json: lying }] });
		expect(error?.message).toMatch(/has replicas 3 now, but the proposal the verdict judged stated 36/);
		expect(replicas('web')).toBe(3);
	});

	test('a dry run spends nothing: the real run after it acts', async () => {
		const item = gated(scaleProposal('web', 3, 6));
		expect(only(await runPatch(cluster, { operation: 'scale', dryRun: true }, { input: [{ json: item }] }))).toMatchObject({ dryRun: true, after: { replicas: 6 } });
		expect(only(await runPatch(cluster, { operation: 'scale' }, { input: [{ json: item }] }))).toMatchObject({ after: { replicas: 6 } });
	});

	test('Set HPA Min/Max finds the HPA of the proposed Deployment and raises its floor to the verdict\'s value', async () => {
		// For Set HPA Min/Max, current.replicas is the floor the proposal judged (the pre-scaling loop reads it from the HPA).
		const item = gated(scaleProposal('web', 2, 12));
		expect(item.verdict).toMatchObject({ decision: 'apply', value: 6 });
		const json = only(await runPatch(cluster, { operation: 'hpaBounds' }, { input: [{ json: item }] }));
		expect(json).toMatchObject({ target: { kind: 'HorizontalPodAutoscaler', name: 'web' }, before: { minReplicas: 2, maxReplicas: 20 }, after: { minReplicas: 6, maxReplicas: 20 } });
		expect(eventsFor(cluster, 'web').map((e) => [e.reason, (e.involvedObject as { kind: string }).kind])).toEqual([['ScaleApplied', 'HorizontalPodAutoscaler']]);
	});

	test('Set KEDA Min/Max finds the ScaledObject of the proposed Deployment', async () => {
		const item = gated(scaleProposal('worker', 2, 5));
		expect(only(await runPatch(cluster, { operation: 'kedaBounds' }, { input: [{ json: item }] }))).toMatchObject({ target: { kind: 'ScaledObject', name: 'worker' }, after: { minReplicaCount: 5, maxReplicaCount: 30 } });
	});

	test('an explicit parameter that repeats the target is fine; a HPA name that is not the workload\'s is refused', async () => {
		const item = gated(scaleProposal('web', 3, 12));
		expect(only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 1 }, { input: [{ json: item }] }))).toMatchObject({ after: { replicas: 7 } });
		const { error } = await runPatch(cluster, { operation: 'hpaBounds', name: 'keda-hpa-worker' }, { input: [{ json: gated(scaleProposal('web', 2, 4)) }] });
		expect(error?.message).toBe('Refusing to act: the HorizontalPodAutoscaler Name parameter ("keda-hpa-worker") is not the HorizontalPodAutoscaler of the proposal\'s target (web scales Deployment "web")');
	});

	test('Wait for Ready takes the target and the count from the proposal and verdict', async () => {
		const item = gated(scaleProposal('web', 3, 12));
		only(await runPatch(cluster, { operation: 'scale' }, { input: [{ json: item }] }));
		const json = only(await runPatch(cluster, { operation: 'waitReady', timeoutSeconds: 10, pollSeconds: 0.1 }, { input: [{ json: item }] }));
		expect(json).toMatchObject({ ready: true, targetReplicas: 7, readyReplicas: 7, target: { name: 'web' }, decisionId: (item.decision as { id: string }).id });
	});

	test('Wait for Ready waits on a verdict carried out more than 5 minutes after the gate (a long batch), within the hour a verdict is honoured', async () => {
		// The change itself ran under a longer Max Verdict Age; the wait changes nothing, so Max Verdict Age applies only when set on it.
		const old = gated(scaleProposal('web', 3, 12), scalingPolicy, {}, new Date(Date.now() - 6 * 60_000));
		only(await runPatch(cluster, { operation: 'scale', options: { maxVerdictAgeSeconds: 900 } }, { input: [{ json: old }] }));
		const json = only(await runPatch(cluster, { operation: 'waitReady', timeoutSeconds: 10, pollSeconds: 0.1 }, { input: [{ json: old }] }));
		expect(json).toMatchObject({ ready: true, targetReplicas: 7, target: { name: 'web' } });
		const strict = await runPatch(cluster, { operation: 'waitReady', timeoutSeconds: 10, options: { maxVerdictAgeSeconds: 300 } }, { input: [{ json: old }] });
		expect(strict.error?.message).toMatch(/^Refusing to waitReady: verdict is 3\d\ds old, older than 300s; evaluate again$/);
		const beyond = gated(scaleProposal('web', 7, 12), scalingPolicy, {}, new Date(Date.now() - 61 * 60_000));
		expect((await runPatch(cluster, { operation: 'waitReady', timeoutSeconds: 10 }, { input: [{ json: beyond }] })).error?.message).toMatch(/older than 3600s/);
	});

	test('a canary rollback verdict takes the canary out of traffic and rolls it back', async () => {
		only(await runPatch(cluster, { operation: 'patch', namespace: 'shop', apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout-canary', patchType: 'strategic', patchBody: '{"spec":{"template":{"spec":{"containers":[{"name":"checkout","image":"checkout:2.4.0-rc.2"}]}}}}' }));
		cluster.sandbox.settle();
		const proposal = {
			action: 'rollback',
			source: 'alert',
			target: { cluster: CLUSTER, namespace: 'shop', kind: 'Deployment', name: 'checkout-canary' },
			evidence: { canary: { requests: 5000, errorRate: 0.2, p99LatencyMs: 900 }, stable: { requests: 50000, errorRate: 0.001, p99LatencyMs: 100 } },
		};
		const item = gated(proposal, scalingPolicy, { consecutiveFailures: 2, cumulativeFailures: 2, noDataSince: null });
		expect(item.verdict).toMatchObject({ decision: 'apply', value: 'rollback' });
		const weight = only(await runPatch(cluster, { operation: 'canaryWeight', name: 'checkout-canary', weight: 50 }, { input: [{ json: item }] }));
		expect(weight).toMatchObject({ target: { kind: 'Ingress', name: 'checkout-canary' }, before: { weight: 10 }, after: { weight: 0 } });
		const undo = only(await runPatch(cluster, { operation: 'rolloutUndo' }, { input: [{ json: item }] }));
		expect(undo).toMatchObject({ before: { revision: 2, images: { checkout: 'checkout:2.4.0-rc.2' } }, after: { revision: 1, images: { checkout: 'ghcr.io/kube-ops-demo/checkout:2.4.0-rc.1' } } });
		// One Event for the decision (reason CanaryRolledBack), on the object its first step changed, with both steps.
		const events = eventsFor(cluster, 'checkout-canary').filter((e) => e.reason !== 'Patched');
		expect(events.map((e) => [(e.involvedObject as { kind: string }).kind, e.reason, e.type, e.count])).toEqual([['Ingress', 'CanaryRolledBack', 'Warning', 2]]);
		expect(events[0].message).toMatch(/actions: canaryWeight succeeded, rolloutUndo succeeded$/);
		expect(JSON.parse(events[0].metadata.annotations?.['kube-ops/actions'] ?? '[]').map((a: { action: string }) => a.action)).toEqual(['canaryWeight', 'rolloutUndo']);
	});

	test('a failover verdict acts only through the credential of the region receiving the traffic', async () => {
		const proposal = {
			action: 'failover',
			source: 'alert',
			target: { cluster: 'global', namespace: 'shop', kind: 'Deployment', name: 'web' },
			from: 'us-east',
			to: 'us-west',
			evidence: {
				alert: { status: 'firing', name: 'RegionDown' },
				regions: { 'us-east': { readyFraction: 0.1, errorRate: 0.6, requiredReplicas: 5 }, 'us-west': { readyFraction: 1, errorRate: 0, capacityReplicas: 12, requiredReplicas: 4, healthyPools: 2 } },
			},
		};
		const item = gated(proposal);
		// The gate sizes the receiving region: (4 own + 5 moved) x 1.1 headroom.
		expect(item.verdict).toMatchObject({ decision: 'apply', value: 'us-west', scope: { scaleTo: 10, drain: { server: 'us-east' } } });
		const east = { ...cluster.credential, clusterName: 'us-east' };
		const refused = await runPatch(cluster, { operation: 'scale', replicas: 8 }, { input: [{ json: item }], credential: east });
		expect(refused.error?.message).toBe('Refusing to act: the proposal is for cluster "us-west", but this credential is for cluster "us-east"');
		const west = { ...cluster.credential, clusterName: 'us-west' };
		// Replicas from the node is not read: the verdict authorises exactly the count it judged.
		expect(only(await runPatch(cluster, { operation: 'scale', replicas: 40 }, { input: [{ json: item }], credential: west }))).toMatchObject({ after: { replicas: 10 }, target: { cluster: 'us-west' } });
		expect(replicas('web')).toBe(10);
		// A failover never sizes the receiving region down: one that already runs more keeps it.
		cluster.sandbox.api.patchScale(cluster.sandbox.api.def('deployments.apps'), 'shop', 'web', 'merge', { spec: { replicas: 15 } });
		const kept = only(await runPatch(cluster, { operation: 'scale' }, { input: [{ json: gated(proposal) }], credential: west }));
		expect(kept).toMatchObject({ changed: false, after: { replicas: 15 } });
		expect(kept.warnings).toContain('deployments.apps "web" already runs 15 replicas, more than the 10 asked for: kept (this region receives the traffic of a failover)');
		expect(replicas('web')).toBe(15);
	});
});

describe('anything else stops with the reason and changes nothing', () => {
	async function refused(parameters: Record<string, unknown>, json: IDataObject, credential?: IDataObject): Promise<{ message?: string; description?: string | null }> {
		const before = fingerprint(cluster);
		const { error, outputs } = await runPatch(cluster, parameters, { input: [{ json }], credential: credential as never });
		expect(outputs[0] ?? []).toHaveLength(0);
		expect(fingerprint(cluster)).toBe(before);
		return { message: error?.message, description: error?.description };
	}

	const item = () => gated(scaleProposal('web', 3, 12));

	test('a verdict edited on the way (verdictHash no longer matches)', async () => {
		const json = item();
		(json.verdict as IDataObject).value = 15;
		const { message, description } = await refused({ operation: 'scale' }, json);
		expect(message).toBe('Refusing to scale: verdict was modified after the gate issued it (verdictHash mismatch)');
		expect(description).toMatch(/^Fix: Connect only the Policy Gate's Apply output to this node/);
	});

	test('a proposal edited after the verdict', async () => {
		const json = item();
		(json.proposal as { proposed: { replicas: number } }).proposed.replicas = 20;
		expect((await refused({ operation: 'scale' }, json)).message).toMatch(/^Refusing to scale: verdict belongs to a different proposal \(sha256:/);
	});

	test('a verdict for another proposal', async () => {
		const json = item();
		json.verdict = gated(scaleProposal('checkout', 4, 6)).verdict;
		expect((await refused({ operation: 'scale' }, json)).message).toMatch(/verdict belongs to a different proposal/);
	});

	test('hold and approve verdicts', async () => {
		const hold = gated(scaleProposal('web', 3, 12), scalingPolicy, { lastActionAt: new Date(Date.now() - 10_000).toISOString() });
		expect((hold.verdict as IDataObject).decision).toBe('hold');
		expect((await refused({ operation: 'scale' }, hold)).message).toBe('Refusing to scale: the verdict is hold, not apply');
		const approve = gated(scaleProposal('web', 3, 12), { ...scalingPolicy, approvalFactor: 3 });
		expect((approve.verdict as IDataObject).decision).toBe('approve');
		// Not even with an approval written on the item: an approved branch runs the gate again.
		expect((await refused({ operation: 'scale' }, { ...approve, approval: { approved: true, by: 'mallory' } })).message).toBe('Refusing to scale: the verdict needs approval, and an approve verdict never acts');
	});

	test('a proposal without a verdict, or a verdict without a proposal', async () => {
		expect((await refused({ operation: 'scale', namespace: 'shop', name: 'web', replicas: 5 }, { proposal: item().proposal })).message).toBe('Refusing to scale: the item carries a proposal but no verdict');
		expect((await refused({ operation: 'scale', namespace: 'shop', name: 'web', replicas: 5 }, { verdict: item().verdict })).message).toBe('Refusing to scale: the item carries a verdict but no proposal to check it against');
	});

	test('Require Policy Gate Verdict (the default): an item that lost its proposal and verdict is refused, never a manual change', async () => {
		const { message, description } = await refused({ operation: 'scale', requireVerdict: true, namespace: 'shop', name: 'web', replicas: 5 }, { something: 'else' });
		expect(message).toBe('Refusing to scale: the item carries no Policy Gate verdict, and this node requires one');
		expect(description).toMatch(/turn Require Policy Gate Verdict off/);
		expect(new KubernetesPatch().description.properties.find((p) => p.name === 'requireVerdict')?.default).toBe(true);
	});

	test('unsigned verdicts, another key, and no key on the node', async () => {
		const json = item();
		const { signature: _s, ...unsigned } = json.verdict as IDataObject;
		expect((await refused({ operation: 'scale' }, { ...json, verdict: unsigned })).message).toMatch(/^Refusing to scale: the verdict is not signed/);
		const other = { secret: 'another-teams-key-another-teams-key-0000' };
		const { outputs, error } = await runPatch(cluster, { operation: 'scale' }, { input: [{ json }], signingKey: other });
		expect(outputs[0] ?? []).toHaveLength(0);
		expect(error?.message).toMatch(/^Refusing to scale: the verdict was signed with another key/);
		const none = await runPatch(cluster, { operation: 'scale' }, { input: [{ json }], signingKey: null });
		expect(none.error?.message).toBe('Refusing to scale: no signing key is configured to verify the verdict with');
		expect(replicas('web')).toBe(3);
	});

	test('explicit parameters that contradict the proposal\'s target', async () => {
		expect((await refused({ operation: 'scale', name: 'checkout' }, item())).message).toBe('Refusing to act: the Name parameter ("checkout") contradicts the proposal\'s target (Deployment "web" in namespace "shop")');
		expect((await refused({ operation: 'scale', namespace: 'payments' }, item())).message).toMatch(/the Namespace parameter \("payments"\) contradicts/);
		expect((await refused({ operation: 'scale', workloadKind: 'statefulSet' }, item())).message).toMatch(/the Kind parameter \("StatefulSet"\) contradicts/);
		expect((await refused({ operation: 'patch', apiVersion: 'v1', kind: 'ConfigMap', name: 'kube-ops-policy', patchBody: '{"data":{}}' }, item())).message).toMatch(/a scale verdict does not authorise patch/);
	});

	test('a proposal for another cluster', async () => {
		const { message, description } = await refused({ operation: 'scale' }, item(), { ...cluster.credential, clusterName: 'prod-us-1' });
		expect(message).toBe('Refusing to act: the proposal is for cluster "prod-eu-1", but this credential is for cluster "prod-us-1"');
		expect(description).toMatch(/Route the item to the Kubernetes Patch node whose credential points at that cluster/);
	});

	test('a stale verdict (older than Max Verdict Age, 5 minutes by default, at most an hour)', async () => {
		const old = gated(scaleProposal('web', 3, 12), scalingPolicy, {}, new Date(Date.now() - 10 * 60_000));
		const { message, description } = await refused({ operation: 'scale' }, old);
		expect(message).toMatch(/^Refusing to scale: verdict is 60\ds old, older than 300s; evaluate again$/);
		expect(description).toMatch(/Evaluate the proposal again with the Policy Gate/);
		expect((await refused({ operation: 'scale', options: { maxVerdictAgeSeconds: 0 } }, old)).message).toMatch(/Max Verdict Age 0 is outside 1-3600 seconds/);
		expect(only(await runPatch(cluster, { operation: 'scale', options: { maxVerdictAgeSeconds: 900 } }, { input: [{ json: old }] }))).toMatchObject({ after: { replicas: 7 } });
	});

	test('an operation the proposal cannot drive', async () => {
		expect((await refused({ operation: 'rolloutUndo' }, item())).message).toBe('Refusing to rolloutUndo: a scale verdict does not authorise rolloutUndo');
		expect((await refused({ operation: 'canaryWeight', name: 'checkout-canary' }, item())).message).toBe('Refusing to canaryWeight: a scale verdict does not authorise canaryWeight');
		expect((await refused({ operation: 'annotate', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, item())).message).toBe('Refusing to annotate: a scale verdict does not authorise annotate');
		// The ceiling was never judged: a scale verdict sets the floor only.
		expect((await refused({ operation: 'hpaBounds', bounds: { max: 99 } }, gated(scaleProposal('web', 2, 4)))).message).toMatch(/sets a maximum \(99\), and the scale verdict authorises only the floor/);
	});

	test('with Continue On Fail the refusal is an error item that keeps the proposal and verdict', async () => {
		const json = item();
		(json.verdict as IDataObject).decision = 'apply';
		(json.proposal as { proposed: { replicas: number } }).proposed.replicas = 19;
		const result = await runPatch(cluster, { operation: 'scale' }, { input: [{ json }], continueOnFail: true });
		expect(result.outputs[0][0].json).toMatchObject({ operation: 'scale', errorKind: 'refused', error: expect.stringMatching(/^Refusing to scale/), proposal: json.proposal, verdict: json.verdict });
		expect(replicas('web')).toBe(3);
	});
});

test('a credential that does not name its cluster cannot check the proposal\'s: it acts and says so', async () => {
	const credential = { source: 'token', server: cluster.sandbox.url, token: cluster.sandbox.tokens.admin, caCertificate: cluster.sandbox.caCert ?? '' };
	const json = only(await runPatch(cluster, { operation: 'scale' }, { input: [{ json: gated(scaleProposal('checkout', 4, 6)) }], credential }));
	expect(json.warnings).toEqual(['The credential does not name its cluster, so the proposal\'s cluster "prod-eu-1" was not checked; set Cluster Name in the credential.']);
	expect(json.target).not.toHaveProperty('cluster');
});
