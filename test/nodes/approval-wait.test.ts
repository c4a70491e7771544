import type { IDataObject } from 'n8n-workflow';

import { evaluate } from '../../src/policy';
import { runLock } from '../unit/kubernetes/loopSupport';
import { gated, only, runPatch, sandboxCluster, scalingPolicy } from '../unit/kubernetes/support';

/*
 * The awaiting-approval marker, attacked: a repeat is judged again (a region
 * that got worse fails over without a person), and only the run a wait
 * belongs to ends it.
 */

const cluster = sandboxCluster('each test');
const name = 'kube-ops-failover-web';
const MARKER = 'kube-ops.io/awaiting-approval';

const sick = { readyFraction: 0.1, errorRate: 0.6, requiredReplicas: 5 };
const looksHealthy = { readyFraction: 1, errorRate: 0, requiredReplicas: 5 };
const west = { readyFraction: 1, errorRate: 0, capacityReplicas: 12, requiredReplicas: 4, healthyPools: 2 };
function proposal(east: IDataObject): IDataObject {
	return {
		action: 'failover',
		source: 'alert',
		target: { cluster: 'global', namespace: 'shop', kind: 'Deployment', name: 'web' },
		from: 'us-east',
		to: 'us-west',
		evidence: { alert: { status: 'firing', name: 'RegionDown' }, regions: { 'us-east': east, 'us-west': west } },
	};
}

const lock = (dedupeKey: string, parameters: Record<string, unknown> = {}) => runLock(cluster, {}, { leaseName: name, dedupeKey, ...parameters });
const record = async (json: IDataObject, parameters: Record<string, unknown> = {}) => only(await runPatch(cluster, { operation: 'recordDecision', ...parameters }, { input: [{ json }] }));
const marker = () => cluster.sandbox.get('leases.coordination.k8s.io', 'shop', name)?.metadata.annotations?.[MARKER];

test('a repeat of an alert that waits for approval is judged again: the region that looked healthy is down now, and the gate would fail over without a person', async () => {
	// The alert fires while us-east's own signals still look healthy: the gate asks a person.
	const first = await lock('fp-1:firing');
	const asked = gated(proposal(looksHealthy), scalingPolicy, first.state);
	expect(asked.verdict).toMatchObject({ decision: 'approve', decidedBy: 'failover.fromUnhealthy' });
	await record({ ...asked, ...first, dedupeKey: 'fp-1:firing' }, { outcome: 'notApplied' });
	// Minutes later us-east is plainly down; the same notification (same group, same firing set) comes again.
	expect(evaluate(proposal(sick), scalingPolicy, {}, new Date())).toMatchObject({ decision: 'apply' });
	const repeat = await lock('fp-1:firing');
	// Not a duplicate: the run is judged again, and the gate now fails over on its own.
	expect(repeat.lock).toMatchObject({ acquired: true });
});

test('the approved run of one alert does not end the wait of another alert', async () => {
	const a = await lock('fp-a');
	await record({ ...gated(proposal(looksHealthy), scalingPolicy, a.state), ...a, dedupeKey: 'fp-a' }, { outcome: 'notApplied' });
	const b = await lock('fp-b');
	await record({ ...gated(proposal(looksHealthy), scalingPolicy, b.state), ...b, dedupeKey: 'fp-b' }, { outcome: 'notApplied' });
	expect(JSON.parse(marker() ?? 'null')).toMatchObject({ dedupeKey: 'fp-b' });
	// fp-a's approved run is judged again and held (not carried out): it must not clear fp-b's wait.
	const resumed = await lock('fp-a');
	const held = gated({ ...proposal(looksHealthy), evidence: { alert: { status: 'firing', name: 'RegionDown' }, regions: { 'us-east': looksHealthy, 'us-west': { readyFraction: 0.2 } } } }, scalingPolicy, resumed.state);
	await record({ ...held, ...resumed, dedupeKey: 'fp-a', approval: { by: 'alice', at: new Date().toISOString() } }, { outcome: 'notApplied' });
	expect(JSON.parse(marker() ?? 'null')).toMatchObject({ dedupeKey: 'fp-b' });
});
