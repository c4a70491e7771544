import type { ICredentialTestFunctions } from 'n8n-workflow';

import { CloudflareApi } from '../../credentials/CloudflareApi.credentials';
import { KubeOpsSigningKey } from '../../credentials/KubeOpsSigningKey.credentials';
import { KubernetesApi } from '../../credentials/KubernetesApi.credentials';
import { signingKeyCredential } from '../harness/signing';
import { sandboxCluster } from '../unit/kubernetes/support';
import { LoadBalancerDrain } from '../../nodes/LoadBalancerDrain/LoadBalancerDrain.node';
import { closeN8n, runNode } from '../harness/n8n';
import { CloudflareSandbox, startCloudflareSandbox } from '../sandbox/cloudflare';
import { failoverProposal, gatedItem } from '../unit/loadbalancer/verdicts';

/** The Load Balancer Drain node on Cloudflare Load Balancing, against the v4 API contract test server. */

let cf: CloudflareSandbox;

beforeAll(async () => {
	cf = await startCloudflareSandbox();
});

afterAll(async () => {
	await cf?.close();
	closeN8n();
});

// Where verdicts carried out are recorded (single use).
const ledger = sandboxCluster('whole file');

function run(parameters: Record<string, unknown>, extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({
		node: LoadBalancerDrain,
		credentialTypes: [CloudflareApi, KubeOpsSigningKey, KubernetesApi],
		credentials: {
			kubeOpsCloudflareApi: { authentication: 'apiToken', apiToken: cf.token, accountId: cf.accountId, baseUrl: cf.baseUrl, allowInsecure: true },
			kubeOpsSigningKey: signingKeyCredential,
			kubeOpsKubernetesApi: ledger.credential,
		},
		// Manual operations unless a test says otherwise: items with a verdict are checked either way.
		parameters: { provider: 'cloudflare', requireVerdict: false, ...parameters } as never,
		...extra,
	});
}

test('origin level: drain, a repeat, status and restore, each read back', async () => {
	const drained = await run({ operation: 'drain', cloudflareLevel: 'origin', cloudflarePool: 'us-east', cloudflareOrigin: 'use1-b' });
	expect(drained.error).toBeUndefined();
	expect(drained.outputs[0][0].json).toMatchObject({ provider: 'cloudflare', backend: 'pool:us-east', server: 'use1-b', changed: true, before: { admin: 'ready' }, after: { admin: 'maint' } });
	expect(cf.pools.get(cf.poolId('us-east'))?.origins.map((o) => o.enabled)).toEqual([true, false]);

	const again = await run({ operation: 'drain', cloudflarePool: 'us-east', cloudflareOrigin: 'use1-b' });
	expect(again.outputs[0][0].json).toMatchObject({ changed: false });

	const status = await run({ operation: 'status', cloudflarePool: 'us-east' });
	expect(status.outputs[0][0].json).toMatchObject({ operation: 'status', serving: ['use1-a'] });

	const restored = await run({ operation: 'restore', cloudflarePool: 'us-east', cloudflareOrigin: 'use1-b' });
	expect(restored.outputs[0][0].json).toMatchObject({ changed: true, after: { admin: 'ready', serving: true } });
});

test('pool level: a failover verdict disables the failing region\'s pool; the last serving pool is refused', async () => {
	const now = new Date();
	const params = { operation: 'drain', cloudflareLevel: 'pool', cloudflareZoneId: cf.zoneId, cloudflareLoadBalancer: 'shop.example.com', cloudflarePoolInLoadBalancer: '={{ $json.proposal.from }}' };
	// As the failover workflow does it: the proposal states the load balancer read by Status right before it.
	const read = await run({ ...params, operation: 'status' });
	const traffic = read.outputs[0][0].json.traffic as Record<string, unknown>;
	expect(traffic).toEqual({ backend: 'lb:shop.example.com', servers: { 'us-east': 'ready', 'eu-west': 'ready', sorry: 'ready' } });
	const item = gatedItem(failoverProposal('eu-west', 'us-east', now, 'failover', traffic), now);
	const drained = await run(params, { input: [{ json: item }] });
	expect(drained.error).toBeUndefined();
	expect(drained.outputs[0][0].json).toMatchObject({ server: 'eu-west', changed: true, after: { admin: 'maint' }, gate: { verified: true }, verdict: { decision: 'apply' } });
	expect(cf.pools.get(cf.poolId('eu-west'))?.enabled).toBe(false);

	const last = await run({ ...params, cloudflarePoolInLoadBalancer: 'us-east' }, { continueOnFail: true });
	expect(last.outputs[0][0].json).toMatchObject({ errorKind: 'refused', error: expect.stringMatching(/refusing to drain us-east/) });
	expect(cf.pools.get(cf.poolId('us-east'))?.enabled).toBe(true);

	const restored = await run({ ...params, operation: 'restore', cloudflarePoolInLoadBalancer: 'eu-west' });
	expect(restored.outputs[0][0].json).toMatchObject({ changed: true, after: { admin: 'ready' } });
});

test('setWeight on an origin; a weight Cloudflare cannot take fails naming the object', async () => {
	const result = await run({ operation: 'setWeight', cloudflarePool: 'us-east', cloudflareOrigin: 'use1-a', weight: 0.4 });
	expect(result.outputs[0][0].json).toMatchObject({ before: { weight: 1 }, after: { weight: 0.4 } });
	const bad = await run({ operation: 'setWeight', cloudflarePool: 'us-east', cloudflareOrigin: 'use1-a', weight: 2 });
	expect(bad.error?.message).toBe('cloudflare pool us-east origin use1-a: weight 2 is not between 0 and 1 in steps of 0.01');
	expect(bad.error?.description).toMatch(/^Fix: Cloudflare origin weights are fractions/);
});

test('the credential test lists the pools through the same client; a wrong token fails with Cloudflare\'s text', async () => {
	const test = new LoadBalancerDrain().methods.credentialTest.cloudflareApiTest;
	const ok = await test.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'kubeOpsCloudflareApi', data: { authentication: 'apiToken', apiToken: cf.token, accountId: cf.accountId, baseUrl: cf.baseUrl, allowInsecure: true } });
	expect(ok).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected: 3 load balancing pool\(s\) in the account \(The Cloudflare API base URL http:.* is plain http/) });
	const bad = await test.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'kubeOpsCloudflareApi', data: { authentication: 'apiToken', apiToken: 'nope', accountId: cf.accountId, baseUrl: cf.baseUrl, allowInsecure: true } });
	expect(bad).toEqual({ status: 'Error', message: 'cloudflare pools: HTTP 403: 10000 Authentication error' });
});

test('a plain http API base URL needs "Allow Insecure Connection", and the token never shows in the refusal', async () => {
	const test = new LoadBalancerDrain().methods.credentialTest.cloudflareApiTest;
	const refused = await test.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'kubeOpsCloudflareApi', data: { authentication: 'apiToken', apiToken: cf.token, accountId: cf.accountId, baseUrl: cf.baseUrl } });
	expect(refused).toEqual({ status: 'Error', message: expect.stringMatching(/is plain http .*"Allow Insecure Connection"/) });
	expect(refused.message).not.toContain(cf.token);
});

test('pool and origin health through the node: status reports it, a higher weight for a failing origin is refused', async () => {
	cf.setOriginHealthy('10.0.1.11', false);
	try {
		const status = await run({ operation: 'status', cloudflareLevel: 'pool', cloudflareZoneId: cf.zoneId, cloudflareLoadBalancer: 'shop.example.com' });
		expect(status.outputs[0][0].json).toMatchObject({ operation: 'status', servers: [{ server: 'us-east', health: 'up', detail: { origins: { '10.0.1.11': 'down' } } }, { server: 'eu-west', health: 'up' }, { server: 'sorry' }] });
		const origins = await run({ operation: 'status', cloudflarePool: 'us-east' });
		expect((origins.outputs[0][0].json.servers as Array<{ server: string; health: string }>).map((s) => [s.server, s.health])).toEqual([
			['use1-a', 'up'],
			['use1-b', 'down'],
		]);
		const raise = await run({ operation: 'setWeight', cloudflarePool: 'us-east', cloudflareOrigin: 'use1-b', weight: 1 }, { continueOnFail: true });
		expect(raise.outputs[0][0].json).toMatchObject({ errorKind: 'refused', error: expect.stringMatching(/health check says it is down/) });
	} finally {
		cf.setOriginHealthy('10.0.1.11', true);
	}
});
