import type { IDataObject } from 'n8n-workflow';

import { evaluate } from '../../src/policy';
import { LEASE, LEASES, lease, runLock, seedLease, storedState } from '../unit/kubernetes/loopSupport';
import { CLUSTER, eventsFor, gated, object, only, runPatch, sandboxCluster, scaleProposal, scalingPolicy } from '../unit/kubernetes/support';

/*
 * Record Decision, Save State and Unlock through n8n's executor: the decision
 * record as an Event on the target, the loop's next state on the Lease, the
 * Lease released, all checked through the sandbox's API.
 */

const cluster = sandboxCluster('each test');

async function record(json: IDataObject, parameters: Record<string, unknown> = {}): Promise<IDataObject> {
	return only(await runPatch(cluster, { operation: 'recordDecision', ...parameters }, { input: [{ json }] }));
}

function event(name: string, namespace = 'shop') {
	const found = cluster.sandbox.get('events', namespace, name);
	if (!found) throw new Error(`no Event ${namespace}/${name}`);
	return found;
}

const failoverProposal = {
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

const canaryProposal = {
	action: 'rollback',
	source: 'alert',
	target: { cluster: CLUSTER, namespace: 'shop', kind: 'Deployment', name: 'checkout-canary' },
	evidence: { canary: { requests: 5000, errorRate: 0.2, p99LatencyMs: 900 }, stable: { requests: 50000, errorRate: 0.001, p99LatencyMs: 100 } },
};

test('scale applied: the Event on the Deployment, lastActionAt = now, the lease released', async () => {
	const locked = await runLock(cluster);
	const item = gated(scaleProposal('web', 3, 12), scalingPolicy, locked.state);
	const scaled = only(await runPatch(cluster, { operation: 'scale' }, { input: [{ json: { ...locked, ...item } }] }));
	const before = Date.now();
	const json = await record({ ...scaled, lock: locked.lock, state: locked.state });
	const after = Date.now();
	const decisionId = (item.decision as { id: string }).id;
	const result = json.record as IDataObject & { state: { lastActionAt: string }; eventName: string };
	expect(result).toEqual({
		decisionId,
		outcome: 'applied',
		decisionOutcome: 'applied',
		eventName: expect.stringMatching(/^web\.[0-9a-f]{16}$/),
		eventReason: 'ScaleApplied',
		eventNamespace: 'shop',
		eventWritten: true,
		state: { lastActionAt: expect.any(String), consecutiveErrors: 0 },
		saved: true,
		released: true,
		attempts: 1,
		lease: { namespace: 'shop', name: LEASE },
		dedupeKeySaved: null,
		approvalAlreadyRequested: false,
		notes: [],
	});
	const at = Date.parse(result.state.lastActionAt);
	expect(at).toBeGreaterThanOrEqual(before - 1);
	expect(at).toBeLessThanOrEqual(after);
	// The item goes on whole: what the scale said, and the record.
	expect(json).toMatchObject({ operation: 'scale', after: { replicas: 7 }, verdict: item.verdict, lock: locked.lock });

	const written = event(result.eventName);
	expect(written).toMatchObject({
		reason: 'ScaleApplied',
		type: 'Normal',
		reportingComponent: 'kube-ops',
		involvedObject: { kind: 'Deployment', name: 'web', namespace: 'shop', uid: object(cluster, 'deployments.apps', 'web').metadata.uid },
		metadata: { annotations: { 'kube-ops/decision-id': decisionId, 'kube-ops/outcome': 'applied', 'kube-ops/verdict-hash': (item.verdict as IDataObject).verdictHash } },
	});
	expect(written.message).toMatch(new RegExp(`^\\[${decisionId}\\] scaling Deployment/web in ${CLUSTER}: applied \\| apply → 7\\. .* \\| actions: scale succeeded$`));
	// One Event for the change and its record: the scale wrote it, the record step added the outcome to it.
	expect(eventsFor(cluster, 'web').map((e) => [e.metadata.name, e.count])).toEqual([[result.eventName, 2]]);
	expect(storedState(cluster)).toEqual(result.state);
	expect(lease(cluster)?.spec?.holderIdentity ?? null).toBeNull();

	// The next run's gate reads it: cooldown.
	const next = await runLock(cluster);
	expect(next.state).toEqual(result.state);
	expect(evaluate(scaleProposal('web', 7, 12), scalingPolicy, next.state, new Date())).toMatchObject({ decision: 'hold', decidedBy: 'cooldown' });
});

test('failed (the scale\'s error on the item): consecutiveErrors + 1, a Warning Event with the error, no dedupe key kept', async () => {
	seedLease(cluster, { 'kube-ops.io/state': '{"lastActionAt":"2026-03-10T10:00:00Z","consecutiveErrors":1}' });
	const locked = await runLock(cluster);
	const item = gated(scaleProposal('web', 3, 12), scalingPolicy, locked.state);
	const failed = { ...item, lock: locked.lock, state: locked.state, dedupeKey: 'fp-9:firing', operation: 'scale', error: 'Forbidden: cannot patch deployments/scale (API group "apps") "web" in namespace "shop"', errorKind: 'forbidden' };
	const result = (await record(failed)).record as IDataObject & { eventName: string };
	expect(result).toMatchObject({ outcome: 'failed', decisionOutcome: 'failed', eventReason: 'ScaleFailed', state: { lastActionAt: '2026-03-10T10:00:00Z', consecutiveErrors: 2 }, released: true, dedupeKeySaved: null });
	const written = event(result.eventName);
	expect(written.type).toBe('Warning');
	expect(written.message).toMatch(/actions: scale failed \(Forbidden: cannot patch deployments\/scale \(API group "apps"\) "web" in namespace "shop"\)$/);
	expect(storedState(cluster)).toEqual({ lastActionAt: '2026-03-10T10:00:00Z', consecutiveErrors: 2 });
	expect(lease(cluster)?.metadata.annotations).not.toHaveProperty(['kube-ops.io/last-dedupe-key']);
});

test('failover applied: activeRegions without the drained region, the flip counted, the alert\'s dedupe key kept', async () => {
	const name = 'kube-ops-failover-web';
	const locked = await runLock(cluster, {}, { leaseName: name, dedupeKey: 'fp-1:firing' });
	const item = gated(failoverProposal, scalingPolicy, locked.state);
	expect(item.verdict).toMatchObject({ decision: 'apply', value: 'us-west' });
	const result = (await record({ ...item, ...locked, operation: 'drain' })).record as IDataObject & { eventName: string; state: { lastFlipAt: string } };
	expect(result).toMatchObject({
		outcome: 'applied',
		eventReason: 'FailoverApplied',
		state: { lastFlipAt: expect.any(String), flipTimes: [result.state.lastFlipAt], activeRegions: ['us-west'], consecutiveErrors: 0 },
		dedupeKeySaved: 'fp-1:firing',
		released: true,
	});
	expect(event(result.eventName)).toMatchObject({ type: 'Warning', message: expect.stringMatching(/failover Deployment\/web in global: applied .*actions: drain succeeded$/) });
	expect(lease(cluster, name)?.metadata.annotations?.['kube-ops.io/last-dedupe-key']).toBe('fp-1:firing');
	// Alertmanager sending the same notification again finds it handled; the gate holds a second flip.
	expect((await runLock(cluster, {}, { leaseName: name, dedupeKey: 'fp-1:firing' })).lock).toMatchObject({ acquired: false, duplicate: true });
	expect(evaluate(failoverProposal, scalingPolicy, storedState(cluster, name), new Date())).toMatchObject({ decision: 'hold' });
});

test('a failover sent for approval: repeats of its alert are judged again but ask nobody until the deadline; the approved run ends the wait', async () => {
	const name = 'kube-ops-failover-web';
	const lock = () => runLock(cluster, {}, { leaseName: name, dedupeKey: 'fp-2:firing' });
	const marker = () => JSON.parse(lease(cluster, name)?.metadata.annotations?.['kube-ops.io/awaiting-approval'] ?? 'null');
	const ask = async () => {
		const locked = await lock();
		expect(locked.lock).toMatchObject({ acquired: true });
		// An LLM-proposed move always needs a person.
		const asked = gated({ ...failoverProposal, source: 'llm' }, scalingPolicy, locked.state);
		expect(asked.verdict).toMatchObject({ decision: 'approve', approvalDeadline: expect.any(String) });
		return { asked, record: (await record({ ...asked, ...locked, dedupeKey: 'fp-2:firing' }, { outcome: 'notApplied' })).record as IDataObject };
	};
	const first = await ask();
	expect(first.record).toMatchObject({ outcome: 'notApplied', dedupeKeySaved: null, approvalAlreadyRequested: false, released: true });
	expect(marker()).toEqual({ dedupeKey: 'fp-2:firing', move: 'failover shop/Deployment/web us-east -> us-west', verdictHash: (first.asked.verdict as IDataObject).verdictHash, until: (first.asked.verdict as IDataObject).approvalDeadline });

	// Alertmanager repeats the notification: judged again (the lock is taken), nobody asked twice, the first deadline kept.
	const repeat = await ask();
	expect(repeat.record).toMatchObject({ approvalAlreadyRequested: true });
	expect(marker()).toMatchObject({ verdictHash: (first.asked.verdict as IDataObject).verdictHash });
	// Another alert is asked about on its own.
	const other = await runLock(cluster, {}, { leaseName: name, dedupeKey: 'fp-3:firing' });
	const otherAsked = (await record({ ...gated({ ...failoverProposal, source: 'llm' }, scalingPolicy, other.state), ...other, dedupeKey: 'fp-3:firing' }, { outcome: 'notApplied' })).record as IDataObject;
	expect(otherAsked).toMatchObject({ approvalAlreadyRequested: false });
	expect(marker()).toMatchObject({ dedupeKey: 'fp-3:firing' });

	// fp-3's approved run, carried out, ends its wait; an applied move of another alert would not.
	const approved = await runLock(cluster, {}, { leaseName: name, dedupeKey: 'fp-3:firing' });
	const applied = gated(failoverProposal, scalingPolicy, approved.state);
	await record({ ...applied, ...approved, dedupeKey: 'fp-3:firing', operation: 'drain', approval: { by: 'alice', verdict: { verdictHash: JSON.parse(lease(cluster, name)?.metadata.annotations?.['kube-ops.io/awaiting-approval'] ?? '{}').verdictHash } } });
	expect(lease(cluster, name)?.metadata.annotations).not.toHaveProperty(['kube-ops.io/awaiting-approval']);
	expect((await runLock(cluster, {}, { leaseName: name, dedupeKey: 'fp-3:firing' })).lock).toMatchObject({ acquired: false, duplicate: true, reason: expect.stringMatching(/^already handled/) });
});

test('an approval wait ends at its deadline, and an unreadable marker asks again', async () => {
	const name = 'kube-ops-failover-web';
	const past = new Date(Date.now() - 1000).toISOString();
	seedLease(cluster, { 'kube-ops.io/awaiting-approval': JSON.stringify({ dedupeKey: 'fp-4:firing', move: 'failover shop/Deployment/web us-east -> us-west', verdictHash: 'a'.repeat(64), until: past }) }, name);
	const locked = await runLock(cluster, {}, { leaseName: name, dedupeKey: 'fp-4:firing' });
	const asked = (await record({ ...gated({ ...failoverProposal, source: 'llm' }, scalingPolicy, locked.state), ...locked, dedupeKey: 'fp-4:firing' }, { outcome: 'notApplied' })).record as IDataObject;
	expect(asked).toMatchObject({ approvalAlreadyRequested: false });
	const other = 'kube-ops-failover-api';
	seedLease(cluster, { 'kube-ops.io/awaiting-approval': '{"dedupeKey": ["fp-5:firing"]' }, other);
	const unreadable = await runLock(cluster, {}, { leaseName: other, dedupeKey: 'fp-5:firing' });
	const again = (await record({ ...gated({ ...failoverProposal, source: 'llm' }, scalingPolicy, unreadable.state), ...unreadable, dedupeKey: 'fp-5:firing' }, { outcome: 'notApplied' })).record as IDataObject;
	expect(again).toMatchObject({ approvalAlreadyRequested: false });
});

test('canary held: the gate\'s nextState is saved; a rollback applied resets the counters', async () => {
	const name = 'kube-ops-canary-checkout';
	let locked = await runLock(cluster, {}, { leaseName: name });
	const held = gated(canaryProposal, scalingPolicy, { consecutiveFailures: 0, cumulativeFailures: 0, noDataSince: null, ...(locked.state as IDataObject) });
	expect(held.verdict).toMatchObject({ decision: 'hold', value: 'pause', nextState: { consecutiveFailures: 1, cumulativeFailures: 1, noDataSince: null } });
	let result = (await record({ ...held, ...locked })).record as IDataObject;
	expect(result).toMatchObject({ outcome: 'notApplied', decisionOutcome: 'held', eventReason: 'CanaryHeld', state: { consecutiveFailures: 1, cumulativeFailures: 1, noDataSince: null } });
	expect(storedState(cluster, name)).toEqual({ consecutiveFailures: 1, cumulativeFailures: 1, noDataSince: null });

	// Two more failing runs: the third failure in a row rolls back.
	for (let run = 2; run <= 3; run++) {
		locked = await runLock(cluster, {}, { leaseName: name });
		const item = gated(canaryProposal, scalingPolicy, locked.state);
		result = (await record({ ...item, ...locked, operation: 'rolloutUndo' })).record as IDataObject;
	}
	expect(result).toMatchObject({ outcome: 'applied', eventReason: 'CanaryRolledBack', state: { consecutiveFailures: 0, cumulativeFailures: 0, noDataSince: null, consecutiveErrors: 0 } });
});

test('a run without a lock: the Event is written, nothing saved, and the record says so', async () => {
	const item = gated(scaleProposal('web', 3, 12), scalingPolicy, { lastActionAt: new Date(Date.now() - 10_000).toISOString() });
	const { outputs, taskData } = await runPatch(cluster, { operation: 'recordDecision' }, { input: [{ json: item }] });
	const result = outputs[0][0].json.record as IDataObject & { eventName: string };
	expect(result).toMatchObject({ outcome: 'notApplied', decisionOutcome: 'held', eventReason: 'ScaleHeld', eventWritten: true, saved: false, released: false, state: null, lease: null });
	expect(result.notes).toEqual(['No Lease was acquired in this run (the item has no lock with acquired: true), so no state was saved; the Event was written.']);
	expect(event(result.eventName).reason).toBe('ScaleHeld');
	expect(taskData?.hints?.map((h) => h.message)).toEqual(result.notes);
	expect(cluster.sandbox.list(LEASES, 'shop')).toHaveLength(0);
});

test('Event Namespace puts the Event elsewhere, naming the target\'s namespace', async () => {
	const item = gated(scaleProposal('web', 3, 12));
	const result = (await record(item, { options: { eventNamespace: 'default' } })).record as IDataObject & { eventName: string };
	expect(result).toMatchObject({ eventNamespace: 'default', eventWritten: true });
	expect(event(result.eventName, 'default')).toMatchObject({ involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default' }, metadata: { annotations: { 'kube-ops/target-namespace': 'shop' } } });
});

test('the lease ran out and another execution took it: the Event stands, the state is not written over the new holder\'s', async () => {
	const locked = await runLock(cluster, {}, { leaseSeconds: 1 });
	await new Promise((r) => setTimeout(r, 1100));
	expect((await runLock(cluster)).lock).toMatchObject({ acquired: true });
	const item = gated(scaleProposal('web', 3, 12), scalingPolicy, locked.state);
	const { error } = await runPatch(cluster, { operation: 'recordDecision' }, { input: [{ json: { ...item, ...locked } }] });
	expect(error?.message).toMatch(/^Lease "kube-ops-scaling-web" in namespace "shop" is held by n8n\/kube-ops-test\/\d+ now, not by this execution \(n8n\/kube-ops-test\/\d+\); the loop state of this run was not saved$/);
	expect(error?.description).toMatch(/Raise Lease Seconds/);
	expect(storedState(cluster)).toBeUndefined();
	expect(cluster.sandbox.list('events', 'shop').filter((e) => e.reason === 'ScaleApplied')).toHaveLength(1);
});

test('a verdict edited on the way, or an outcome the verdict does not allow, is refused and writes nothing', async () => {
	const locked = await runLock(cluster);
	const item = { ...gated(scaleProposal('web', 3, 12)), ...locked };
	(item.verdict as IDataObject).value = 20;
	expect((await runPatch(cluster, { operation: 'recordDecision' }, { input: [{ json: item }] })).error?.message).toBe('Refusing to record: verdict was modified after the gate issued it (verdictHash mismatch)');
	const hold = { ...gated(scaleProposal('web', 3, 12), scalingPolicy, { lastActionAt: new Date().toISOString() }), ...locked };
	expect((await runPatch(cluster, { operation: 'recordDecision', outcome: 'applied' }, { input: [{ json: hold }] })).error?.message).toBe('Refusing to record outcome applied for a hold verdict: nothing may act on it');
	expect((await runPatch(cluster, { operation: 'recordDecision', loop: 'canary' }, { input: [{ json: hold }] })).error?.message).toBe('The Loop parameter (canary) does not match the proposal\'s action (scale, loop scaling)');
	expect((await runPatch(cluster, { operation: 'recordDecision' }, { input: [{ json: { lock: locked.lock } }] })).error?.message).toBe('Nothing to record: the item carries no proposal and verdict');
	expect(cluster.sandbox.list('events', 'shop').filter((e) => e.reportingComponent === 'kube-ops')).toHaveLength(0);
	expect(storedState(cluster)).toBeUndefined();
});
