import type { ICredentialTestFunctions } from 'n8n-workflow';

import { AwsRoute53Api } from '../../credentials/AwsRoute53Api.credentials';
import { KubeOpsSigningKey } from '../../credentials/KubeOpsSigningKey.credentials';
import { KubernetesApi } from '../../credentials/KubernetesApi.credentials';
import { LoadBalancerDrain } from '../../nodes/LoadBalancerDrain/LoadBalancerDrain.node';
import { closeN8n, runNode } from '../harness/n8n';
import { signingKeyCredential } from '../harness/signing';
import { type Route53Sandbox, startRoute53Sandbox } from '../sandbox/route53';
import { sandboxCluster } from '../unit/kubernetes/support';
import { failoverProposal, gatedItem } from '../unit/loadbalancer/verdicts';

/** The Load Balancer Drain node on Route 53 weighted records, through the AWS SDK against the Route 53 API double. */

let r53: Route53Sandbox;

beforeEach(async () => {
	r53 = await startRoute53Sandbox({ ttl: 1 });
});

afterEach(async () => {
	await r53?.close();
});

afterAll(() => closeN8n());

const ledger = sandboxCluster('whole file');

const credential = () => ({ authentication: 'accessKey', accessKeyId: r53.accessKeyId, secretAccessKey: r53.secretAccessKey, endpoint: r53.endpoint, allowInsecure: true });

function run(parameters: Record<string, unknown>, extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({
		node: LoadBalancerDrain,
		credentialTypes: [AwsRoute53Api, KubeOpsSigningKey, KubernetesApi],
		credentials: { kubeOpsAwsRoute53Api: credential(), kubeOpsSigningKey: signingKeyCredential, kubeOpsKubernetesApi: ledger.credential },
		parameters: { provider: 'route53', requireVerdict: false, route53Zone: 'example.com', route53Record: 'shop.example.com', route53Type: 'A', ...parameters } as never,
		...extra,
	});
}

test('a failover verdict drains the failing region\'s record and waits for DNS; the failback verdict restores its weight', async () => {
	const now = new Date();
	const drainItem = gatedItem(failoverProposal('us-east', 'eu-west', now), now);
	const drained = await run(
		{ operation: 'drain', requireVerdict: true, route53SetIdentifier: '={{ $json.proposal.from }}', waitForPropagation: true, propagationTimeout: 60 },
		{ input: [{ json: drainItem }] },
	);
	expect(drained.error).toBeUndefined();
	expect(drained.outputs[0][0].json).toMatchObject({
		provider: 'route53',
		backend: 'example.com/shop.example.com/A',
		server: 'us-east',
		changed: true,
		after: { weight: 0, admin: 'drain' },
		gate: { verified: true },
		propagation: { completed: true, status: 'INSYNC', ttlSeconds: 1 },
	});
	expect(drained.outputs[0][0].json.warnings).toContain('us-east has weight 0, but Route 53 answers with it again when every record with a non-zero weight fails its health check');
	expect(r53.record('us-east')?.Weight).toBe(0);

	// The same verdict a second time moves nothing: the record it judged ready is drained now (and the ledger has its use).
	const replay = await run({ operation: 'drain', requireVerdict: true, route53SetIdentifier: 'us-east' }, { input: [{ json: drainItem }], continueOnFail: true });
	expect(replay.outputs[0][0].json.error).toMatch(/the load balancer changed since the failover verdict was judged \(us-east was ready and is drain now\)/);

	const later = new Date();
	const failback = gatedItem(failoverProposal('eu-west', 'us-east', later, 'failback'), later);
	const restored = await run({ operation: 'restore', requireVerdict: true, route53SetIdentifier: 'us-east' }, { input: [{ json: failback }] });
	expect(restored.error).toBeUndefined();
	expect(restored.outputs[0][0].json).toMatchObject({ changed: true, after: { weight: 100, serving: true }, gate: { verified: true } });
});

test('status lists the records with health; the last non-zero record is refused; an unhealthy record is not restored', async () => {
	const status = await run({ operation: 'status' });
	expect(status.outputs[0][0].json).toMatchObject({ operation: 'status', serving: ['eu-west', 'us-east'] });
	await run({ operation: 'drain', route53SetIdentifier: 'us-east' });
	const last = await run({ operation: 'drain', route53SetIdentifier: 'eu-west' }, { continueOnFail: true });
	expect(last.outputs[0][0].json).toMatchObject({ errorKind: 'refused', error: expect.stringMatching(/Route 53 answers with all the zero-weight records/) });
	r53.setHealthy('us-east', false);
	const restore = await run({ operation: 'restore', route53SetIdentifier: 'us-east' }, { continueOnFail: true });
	expect(restore.outputs[0][0].json).toMatchObject({ errorKind: 'refused', error: expect.stringMatching(/health check says it is down/) });
	expect(r53.record('us-east')?.Weight).toBe(0);
});

test('the credential test reads the zone through the signed SDK client; wrong keys fail with AWS\'s code, no secret shown', async () => {
	const test = new LoadBalancerDrain().methods.credentialTest.route53ApiTest;
	const call = (data: Record<string, string | boolean>) => test.call({} as ICredentialTestFunctions, { id: '1', name: 'r', type: 'kubeOpsAwsRoute53Api', data });
	expect(await call({ ...credential(), testZone: 'example.com' })).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected: hosted zone example\.com\. readable \(7 record set\(s\) on the first page\) \(The Route 53 endpoint http:.* is plain http/) });
	expect(await call(credential())).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected: 2 hosted zone\(s\) visible/) });
	const bad = await call({ ...credential(), secretAccessKey: 'wrong-secret-value-0123456789' });
	expect(bad).toEqual({ status: 'Error', message: expect.stringMatching(/SignatureDoesNotMatch/) });
	expect(bad.message).not.toContain('wrong-secret-value');
	const insecure = await call({ ...credential(), allowInsecure: false });
	expect(insecure).toEqual({ status: 'Error', message: expect.stringMatching(/plain http .*"Allow Insecure Connection"/) });
	expect(await call({ ...credential(), accessKeyId: '' })).toEqual({ status: 'Error', message: expect.stringMatching(/needs an Access Key ID/) });
});
