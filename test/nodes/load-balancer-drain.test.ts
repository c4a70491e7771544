import type { ICredentialTestFunctions, IDataObject } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { HaproxyRuntimeApi } from '../../credentials/HaproxyRuntimeApi.credentials';
import { KubeOpsSigningKey } from '../../credentials/KubeOpsSigningKey.credentials';
import { KubernetesApi } from '../../credentials/KubernetesApi.credentials';
import { LoadBalancerDrain } from '../../nodes/LoadBalancerDrain/LoadBalancerDrain.node';
import { PolicyGate } from '../../nodes/PolicyGate/PolicyGate.node';
import { closeN8n, runNode, runWorkflow, sourceNode } from '../harness/n8n';
import type { LocalHaproxy } from '../sandbox/haproxy';
import { Region, RegionsBehindHaproxy, get, sendMany, startRegionsBehindHaproxy } from '../sandbox/haproxyRegions';
import { freePort } from '../sandbox/processes';
import { signingKeyCredential } from '../harness/signing';
import { sandboxCluster } from '../unit/kubernetes/support';
import { POLICY, failoverProposal, gatedItem } from '../unit/loadbalancer/verdicts';

/** The Load Balancer Drain node inside n8n's own executor, against a real HAProxy with traffic flowing. */

// Where verdicts carried out are recorded (single use): a Lease in the proposal's namespace.
const ledger = sandboxCluster('whole file');

let east: Region;
let haproxy: LocalHaproxy;
let stack: RegionsBehindHaproxy;

beforeAll(async () => {
	stack = await startRegionsBehindHaproxy();
	({ east, haproxy } = stack);
	const bothUp = (stat: string) => ['us-east', 'us-west'].every((server) => new RegExp(`${server},(?:[^,]*,){15}UP,`).test(stat));
	for (let i = 0; i < 300 && !bothUp(await haproxy.command('show stat')); i++) await new Promise((r) => setTimeout(r, 100));
});

afterEach(async () => {
	for (const server of ['us-east', 'us-west']) await haproxy.command(`set server be_app/${server} state ready`);
});

afterAll(async () => {
	await stack?.stop();
	closeN8n();
});

function credentials() {
	return { kubeOpsHaproxyRuntimeApi: { address: haproxy.runtimeAddress, timeout: 3000 }, kubeOpsSigningKey: signingKeyCredential, kubeOpsKubernetesApi: ledger.credential };
}

/** Manual operations unless a test says otherwise: items with a verdict are checked either way. */
function run(parameters: Record<string, unknown>, extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({
		node: LoadBalancerDrain,
		credentialTypes: [HaproxyRuntimeApi, KubeOpsSigningKey, KubernetesApi],
		credentials: credentials(),
		parameters: { provider: 'haproxy', haproxyBackend: 'be_app', requireVerdict: false, ...parameters } as never,
		...extra,
	});
}

/** Input -> Policy Gate -> Load Balancer Drain (drain on be_app), as the failover workflow wires them. */
function gateThenDrain(json: IDataObject, gate: Record<string, unknown>, drain: Record<string, unknown>) {
	const main = (node: string) => ({ main: [[{ node, type: NodeConnectionTypes.Main, index: 0 }]] });
	return runWorkflow({
		nodeTypes: [PolicyGate, LoadBalancerDrain],
		credentialTypes: [HaproxyRuntimeApi, KubeOpsSigningKey, KubernetesApi],
		credentials: credentials(),
		workflow: {
			nodes: [
				sourceNode([{ json }]),
				{ name: 'Policy Gate', type: 'n8n-nodes-kube-ops.policyGate', parameters: { policy: JSON.stringify(POLICY), ...gate } },
				{ name: 'Drain', type: 'n8n-nodes-kube-ops.loadBalancerDrain', parameters: { provider: 'haproxy', operation: 'drain', haproxyBackend: 'be_app', ...drain } },
			],
			connections: { Input: main('Policy Gate'), 'Policy Gate': main('Drain') },
		},
	});
}

test('status: one item with every server, its state, weight and sessions', async () => {
	const { outputs, error } = await run({ operation: 'status' });
	expect(error).toBeUndefined();
	expect(outputs[0]).toHaveLength(1);
	expect(outputs[0][0].pairedItem).toEqual({ item: 0 });
	expect(outputs[0][0].json).toMatchObject({
		operation: 'status',
		provider: 'haproxy',
		backend: 'be_app',
		serving: ['us-east', 'us-west'],
		servers: [
			{ server: 'us-east', admin: 'ready', health: 'up', weight: 1, sessions: 0 },
			{ server: 'us-west', admin: 'ready', health: 'up', weight: 1, sessions: 0 },
		],
	});
});

test('drain waiting for sessions: the in-flight request completes, new traffic goes to us-west, before/after in the output', async () => {
	const slow = [get(`${haproxy.url}/slow?ms=1000`), get(`${haproxy.url}/slow?ms=1000`)];
	for (let i = 0; i < 100 && east.active() === 0; i++) await new Promise((r) => setTimeout(r, 20));
	const { outputs, error } = await run({ operation: 'drain', haproxyServer: 'us-east', waitForSessions: true, waitTimeout: 10 });
	expect(error).toBeUndefined();
	const json = outputs[0][0].json;
	expect(json).toMatchObject({ operation: 'drain', server: 'us-east', changed: true, before: { admin: 'ready', sessions: 1 }, after: { admin: 'drain', sessions: 0 }, wait: { completed: true } });
	expect((await Promise.all(slow)).map((a) => a.status)).toEqual([200, 200]);
	expect(await sendMany(haproxy.url, 6)).toEqual({ 'us-west': 6 });

	const restored = await run({ operation: 'restore', haproxyServer: 'us-east' });
	expect(restored.outputs[0][0].json).toMatchObject({ operation: 'restore', changed: true, after: { admin: 'ready' } });
	expect(await sendMany(haproxy.url, 6)).toEqual({ 'us-east': 3, 'us-west': 3 });
});

test('one operation per item, the server from an expression; a repeat says it changed nothing', async () => {
	const { outputs, error } = await run(
		{ operation: 'drain', haproxyServer: '={{ $json.region }}' },
		{ input: [{ json: { region: 'us-east' } }, { json: { region: 'us-east' } }] },
	);
	expect(error).toBeUndefined();
	expect(outputs[0].map((i) => [i.json.changed, i.json.message, i.pairedItem])).toEqual([
		[true, 'drained us-east: it takes no new traffic', { item: 0 }],
		[false, 'us-east is already drained: it takes no new traffic; nothing changed', { item: 1 }],
	]);
});

test('the last serving server is refused with the fix; Continue On Fail turns it into an error item', async () => {
	await run({ operation: 'drain', haproxyServer: 'us-east' });
	const { error } = await run({ operation: 'drain', haproxyServer: 'us-west' });
	expect(error?.message).toMatch(/^haproxy 127\.0\.0\.1:\d+ be_app\/us-west: refusing to drain us-west: it is the last server that takes traffic in be_app/);
	expect(error?.description).toMatch(/^Fix: Restore or scale up another server first/);
	expect(await sendMany(haproxy.url, 3)).toEqual({ 'us-west': 3 });

	const failed = await run({ operation: 'drain', haproxyServer: 'us-west' }, { continueOnFail: true });
	expect(failed.error).toBeUndefined();
	expect(failed.outputs[0][0].json).toMatchObject({ errorKind: 'refused', provider: 'haproxy', object: expect.stringMatching(/be_app\/us-west$/), fix: expect.stringMatching(/force/) });

	const forced = await run({ operation: 'drain', haproxyServer: 'us-west', force: true });
	expect(forced.outputs[0][0].json).toMatchObject({ changed: true, forced: true });
	expect(forced.taskData?.hints?.[0].message).toMatch(/^be_app\/us-west: forced: us-west was the last server/);
});

test('a gated item is acted on only with its signed apply verdict, on the server it names, once; proposal and verdict travel on', async () => {
	const now = new Date();
	const item = gatedItem(failoverProposal('us-east', 'us-west', now), now);
	const gatedRun = (parameters: Record<string, unknown>, json: IDataObject, extra: Partial<Parameters<typeof runNode>[0]> = {}) => run({ requireVerdict: true, ...parameters }, { input: [{ json }], ...extra });

	// The server the verdict names, nothing else: not the receiving region, not a weight.
	expect((await gatedRun({ operation: 'drain', haproxyServer: 'us-west' }, item)).error?.message).toMatch(/the failover verdict authorises drain of us-east only, not be_app\/us-west/);
	expect((await gatedRun({ operation: 'setWeight', haproxyServer: 'us-east', weight: 0 }, item)).error?.message).toMatch(/a failover verdict does not authorise setWeight/);
	// Nowhere to record the use: refused rather than reusable.
	const { kubeOpsKubernetesApi: _ledger, ...withoutLedger } = credentials();
	const noLedger = await gatedRun({ operation: 'drain', haproxyServer: 'us-east' }, item, { credentials: withoutLedger, credentialTypes: [HaproxyRuntimeApi, KubeOpsSigningKey] });
	expect(noLedger.error?.message).toMatch(/a verdict is carried out once, and there is nowhere to record its use/);

	const applied = await gatedRun({ operation: 'drain', haproxyServer: '={{ $json.verdict.scope.drain.server }}' }, item);
	expect(applied.error).toBeUndefined();
	expect(applied.outputs[0][0].json).toMatchObject({ changed: true, server: 'us-east', gate: { verified: true, action: 'failover' }, proposal: item.proposal, verdict: item.verdict });

	// Restored by hand, then the same verdict replayed: refused by the ledger.
	await haproxy.command('set server be_app/us-east state ready');
	const replay = await gatedRun({ operation: 'drain', haproxyServer: 'us-east' }, item);
	expect(replay.error?.message).toMatch(/this verdict was already carried out \(drain at /);

	const edited = { ...item, proposal: { ...item.proposal, from: 'us-west', to: 'us-east' } };
	const refused = await gatedRun({ operation: 'restore', haproxyServer: 'us-east' }, edited);
	expect(refused.error?.message).toMatch(/Refusing to restore: verdict belongs to a different proposal/);
	const { signature: _signature, ...unsigned } = item.verdict;
	expect((await gatedRun({ operation: 'drain', haproxyServer: 'us-east' }, { ...item, verdict: unsigned })).error?.message).toMatch(/Refusing to drain: the verdict is not signed/);
	expect((await gatedRun({ operation: 'drain', haproxyServer: 'us-east' }, { nothing: 'gated' })).error?.message).toMatch(/no Policy Gate verdict, and this node requires one/);

	const halfGated = await run({ operation: 'drain', haproxyServer: 'us-west' }, { input: [{ json: { proposal: item.proposal } }] });
	expect(halfGated.error?.message).toMatch(/carries a proposal but no verdict/);
	expect((await run({ operation: 'status' })).outputs[0][0].json.serving).toEqual(['us-east', 'us-west']);
});

test('Policy Gate -> Load Balancer Drain in one workflow: the Apply output drains the failing region', async () => {
	const now = new Date();
	const result = await gateThenDrain({ proposal: failoverProposal('us-east', 'us-west', now) }, {}, { haproxyServer: '={{ $json.proposal.from }}', waitForSessions: true, waitTimeout: 5 });
	expect(result.error).toBeUndefined();
	expect(result.executionOrder).toEqual(['Input', 'Policy Gate', 'Drain']);
	const [drained] = result.output('Drain');
	expect(drained.json).toMatchObject({ server: 'us-east', changed: true, after: { admin: 'drain' }, gate: { verified: true }, verdict: { decision: 'apply' } });
	expect(drained.json.decision).toBeDefined();
	expect(await sendMany(haproxy.url, 4)).toEqual({ 'us-west': 4 });
});

test('a dead Runtime API address names it, with the fix', async () => {
	const port = await freePort();
	const { error } = await run({ operation: 'status' }, { credentials: { kubeOpsHaproxyRuntimeApi: { address: `127.0.0.1:${port}` } } });
	expect(error?.message).toBe(`haproxy 127.0.0.1:${port}: cannot reach the Runtime API: connection refused`);
	expect(error?.description).toMatch(/stats socket ipv4@127\.0\.0\.1:\d+ level admin/);
});

test('the credential test: HAProxy version and level admin; an operator socket fails with the fix', async () => {
	const test = new LoadBalancerDrain().methods.credentialTest.haproxyRuntimeApiTest;
	const ok = await test.call({} as ICredentialTestFunctions, { id: '1', name: 'h', type: 'kubeOpsHaproxyRuntimeApi', data: { address: haproxy.runtimeAddress } });
	expect(ok).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected: HAProxy 2\.\d+\.\d+.*, level admin$/) });
	const operator = await test.call({} as ICredentialTestFunctions, { id: '1', name: 'h', type: 'kubeOpsHaproxyRuntimeApi', data: { address: haproxy.operatorAddress } });
	expect(operator).toEqual({ status: 'Error', message: expect.stringMatching(/: the socket is at level operator, and drains need level admin$/) });
});

test('an approved failover is carried out: the gate, run again with the authenticated approval, issues the apply verdict the drain acts on', async () => {
	const now = new Date();
	// An LLM-proposed traffic move always needs a person.
	const proposal = { ...failoverProposal('us-east', 'us-west', now), source: 'llm' };
	const first = await runNode({ node: PolicyGate, credentialTypes: [KubeOpsSigningKey], credentials: { kubeOpsSigningKey: signingKeyCredential }, parameters: { policy: JSON.stringify(POLICY) } as never, input: [{ json: { proposal } }] });
	const [asked] = first.outputs[1];
	expect(asked.json.verdict).toMatchObject({ decision: 'approve', decidedBy: 'approval.llm' });
	const refused = await run({ operation: 'drain', requireVerdict: true, haproxyServer: 'us-east' }, { input: [{ json: asked.json }] });
	expect(refused.error?.message).toMatch(/an approve verdict never acts/);

	const approval = { by: 'alice', at: new Date().toISOString(), proposal, verdict: asked.json.verdict };
	const result = await gateThenDrain({ proposal, approval }, { approval: '={{ $json.approval }}' }, { haproxyServer: '={{ $json.verdict.scope.drain.server }}', waitForSessions: false });
	expect(result.error).toBeUndefined();
	const [drained] = result.output('Drain');
	expect(drained.json).toMatchObject({ server: 'us-east', changed: true, gate: { verified: true, action: 'failover' }, verdict: { decision: 'apply', approvedBy: { by: 'alice' } } });
	expect(await sendMany(haproxy.url, 4)).toEqual({ 'us-west': 4 });
});

test('a failover judged on a load balancer that has since changed moves nothing and leaves the verdict unspent', async () => {
	const now = new Date();
	// The proposal states what Status read, as the failover workflow does it.
	const read = await run({ operation: 'status' });
	const traffic = read.outputs[0][0].json.traffic as Record<string, unknown>;
	expect(traffic).toEqual({ backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' } });
	const item = gatedItem(failoverProposal('us-east', 'us-west', now, 'failover', traffic), now);
	const adminOf = async (server: string) => ((await run({ operation: 'status' })).outputs[0][0].json.traffic as { servers: Record<string, string> }).servers[server];
	const drain = () => run({ operation: 'drain', requireVerdict: true, haproxyServer: '={{ $json.verdict.scope.drain.server }}' }, { input: [{ json: item }], continueOnFail: true });

	// Someone put the receiving region in maintenance after the gate judged: draining us-east now leaves nothing.
	await haproxy.command('set server be_app/us-west state maint');
	const refused = await drain();
	expect(refused.outputs[0][0].json).toMatchObject({ errorKind: 'refused', error: expect.stringMatching(/the load balancer changed since the failover verdict was judged \(us-west was ready and is maint now\); nothing was moved/) });
	expect(await adminOf('us-east')).toBe('ready');

	// Back as judged: the same verdict, not spent by the refusal, is carried out once.
	await haproxy.command('set server be_app/us-west state ready');
	const applied = await drain();
	expect(applied.outputs[0][0].json).toMatchObject({ changed: true, server: 'us-east', gate: { verified: true } });

	// A verdict whose proposal stated no load balancer cannot move traffic at all.
	await haproxy.command('set server be_app/us-east state ready');
	const unstated = gatedItem(failoverProposal('us-east', 'us-west', now, 'failover', null), now);
	const blind = await run({ operation: 'drain', requireVerdict: true, haproxyServer: 'us-east' }, { input: [{ json: unstated }], continueOnFail: true });
	expect(blind.outputs[0][0].json.error).toMatch(/the failover verdict states no load-balancer state to compare with the live one/);
	expect(await adminOf('us-east')).toBe('ready');
});
