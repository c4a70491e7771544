import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT } from '../harness/built';
import {
	type FailoverObservation,
	type LoopsContext,
	type PublishedWorkflows,
	type WorkflowFile,
	credentialsFor,
	editForSandbox,
	failover,
	itemsOf,
	nodeNamed,
	readWorkflow,
} from '../sandbox/loops';
import { type RunningN8n, packPackage, startN8nWithPackage } from '../sandbox/n8n';
import { waitUntil } from '../sandbox/processes';
import { type Route53Sandbox, startRoute53Sandbox } from '../sandbox/route53';
import { type OpsStack, startOpsStack } from '../sandbox/stack';
import { type Load, startLoad } from '../sandbox/stack/load';

/**
 * The shipped failover workflow, switched to Route 53 by its settings: its
 * Load Balancer Drain nodes set to *AWS Route 53* with a zone, a record and
 * the Route 53 credential, as a user on AWS would edit them. A real n8n with
 * the package from its tarball, real Prometheus and Alertmanager posting to the
 * real webhook, the Kubernetes sandboxes, and the Route 53 API double that the
 * AWS SDK inside n8n talks to through the credential's endpoint URL.
 */

const ROUTE53_CREDENTIAL = { id: 'kubeOpsRoute5301', name: 'AWS Route 53' };
const LB_NODES = ['Traffic before', 'Drain the failing region', 'Restore the recovered region', 'Traffic now'];
const BACKEND = 'example.com/shop.example.com/A';

/** What a user edits to move the failover loop from HAProxy to Route 53 weighted records. */
export function switchToRoute53(workflow: WorkflowFile): WorkflowFile {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowFile;
	// The policy names each region's load-balancer target; a verdict moves exactly that one.
	const gate = nodeNamed(copy, 'Policy Gate');
	const policy = gate.parameters.policy as string;
	if ((policy.match(/backend: be_app,/g) ?? []).length !== 2) throw new Error('the shipped failover policy no longer maps us-east and us-west to be_app');
	gate.parameters.policy = policy.replace(/backend: be_app,/g, `backend: ${BACKEND},`);
	for (const name of LB_NODES) {
		const node = nodeNamed(copy, name);
		const { haproxyBackend: _backend, haproxyServer, waitForSessions: _w, waitTimeout: _t, thenMaintenance: _m, ...rest } = node.parameters;
		node.parameters = {
			...rest,
			provider: 'route53',
			route53Zone: 'example.com',
			route53Record: 'shop.example.com',
			route53Type: 'A',
			...(haproxyServer !== undefined ? { route53SetIdentifier: haproxyServer } : {}),
			...(rest.operation === 'drain' ? { waitForPropagation: true, propagationTimeout: 60 } : {}),
		};
		const { kubeOpsHaproxyRuntimeApi: _h, ...credentials } = node.credentials ?? {};
		node.credentials = { ...credentials, kubeOpsAwsRoute53Api: ROUTE53_CREDENTIAL };
	}
	return copy;
}

let n8n: RunningN8n;
let stack: OpsStack;
let r53: Route53Sandbox;
const probes: Load[] = [];
let seen: FailoverObservation;
const lines: string[] = [];
const log = (line: string) => lines.push(line);

beforeAll(async () => {
	r53 = await startRoute53Sandbox({ regions: ['us-east', 'us-west'], ttl: 1, insyncAfterPolls: 1 });
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-pack-'));
	const webhookToken = `kube-ops-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
	n8n = await startN8nWithPackage(packPackage(packDir));
	stack = await startOpsStack({
		now: Math.floor(Date.now() / 1000),
		webhookUrl: `${n8n.url}/webhook/kube-ops-unrouted`,
		bearerToken: webhookToken,
		routes: [{ match: { alertname: 'RegionDown' }, webhookUrl: `${n8n.url}/webhook/kube-ops-failover` }],
		log,
	});
	for (const region of ['us-east', 'us-west'] as const) probes.push(startLoad(stack.apps.checkout[region].url, 3));

	for (const credential of credentialsFor(stack, webhookToken)) await n8n.api('POST', '/credentials', credential);
	await n8n.api('POST', '/credentials', {
		name: ROUTE53_CREDENTIAL.name,
		type: 'kubeOpsAwsRoute53Api',
		data: { authentication: 'accessKey', accessKeyId: r53.accessKeyId, secretAccessKey: r53.secretAccessKey, sessionToken: '', region: 'us-east-1', testZone: 'example.com', endpoint: r53.endpoint, allowInsecure: true, timeout: 30_000 },
	});
	const workflow = switchToRoute53(editForSandbox('failover', readWorkflow(ROOT, 'failover')));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-route53-'));
	const file = path.join(dir, 'alertmanager-failover-route53.json');
	fs.writeFileSync(file, JSON.stringify(workflow, null, 2));
	await n8n.cli(['import:workflow', `--input=${file}`]);
	fs.rmSync(dir, { recursive: true, force: true });
	await n8n.api('POST', `/workflows/${workflow.id}/activate`);
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-kube-ops.alertmanagerTrigger');
	const webhook = `${n8n.url}/webhook/${String(trigger?.parameters.path)}`;
	await waitUntil(async () => (await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status !== 404, 'the failover webhook to answer', 30_000);
	const workflows: PublishedWorkflows = { ids: { failover: workflow.id, prescaling: '', canary: '' }, webhooks: { failover: webhook, canary: '' } };
	const ctx: LoopsContext = { n8n, stack, workflows, log };
	seen = await failover(ctx);
	log(`drain output: ${JSON.stringify(itemsOf(seen.applied, 'Drain the failing region')[0] ?? null).slice(0, 2000)}`);
}, 900_000);

afterAll(async () => {
	for (const probe of probes) await probe.stop();
	await stack?.stop();
	await n8n?.stop();
	await r53?.close();
});

afterEach(() => {
	if (lines.length > 0) process.stdout.write(lines.splice(0).join('\n') + '\n');
});

const batches = () => r53.requests.filter((r) => r.method === 'POST' && r.status === 200);

test('the failover verdict drains us-east\'s weighted record, after us-west is Ready, and waits for INSYNC and the TTL', () => {
	expect(seen.verdict).toMatchObject({ decision: 'apply', action: 'failover' });
	expect(seen.westReadyBeforeDrain).toBe(true);
	const drained = itemsOf(seen.applied, 'Drain the failing region')[0];
	expect(drained).toMatchObject({
		provider: 'route53',
		backend: 'example.com/shop.example.com/A',
		server: 'us-east',
		changed: true,
		before: { weight: 100 },
		after: { weight: 0, admin: 'drain', serving: false },
		gate: { verified: true, action: 'failover' },
		propagation: { completed: true, status: 'INSYNC', ttlSeconds: 1 },
	});
	expect(drained.warnings).toContain('us-east has weight 0, but Route 53 answers with it again when every record with a non-zero weight fails its health check');
	const now = itemsOf(seen.applied, 'Traffic now')[0];
	expect(now).toMatchObject({ operation: 'status', provider: 'route53', serving: ['us-west'] });
	// The drain's batch: the exact old record deleted, the new one created, in one all-or-nothing change.
	const first = batches()[0].body ?? '';
	expect(first).toMatch(/<Action>DELETE<\/Action><ResourceRecordSet><Name>shop\.example\.com\.<\/Name><Type>A<\/Type><SetIdentifier>us-east<\/SetIdentifier><Weight>100<\/Weight>/);
	expect(first).toMatch(/<Action>CREATE<\/Action><ResourceRecordSet><Name>shop\.example\.com\.<\/Name><Type>A<\/Type><SetIdentifier>us-east<\/SetIdentifier><Weight>0<\/Weight>/);
	expect(r53.requests.every((r) => r.signed)).toBe(true);
});

test('repeated notifications move nothing more; the failback restores us-east\'s remembered weight', () => {
	expect(seen.repeats.acted).toBe(0);
	expect(seen.failback?.verdict).toMatchObject({ decision: 'apply', action: 'failback' });
	const restored = itemsOf(seen.failback!.execution, 'Restore the recovered region')[0];
	expect(restored).toMatchObject({ provider: 'route53', server: 'us-east', changed: true, before: { weight: 0 }, after: { weight: 100, serving: true }, gate: { verified: true, action: 'failback' } });
	expect(r53.record('us-east')?.Weight).toBe(100);
	expect(r53.record('us-west')?.Weight).toBe(100);
	expect(batches()).toHaveLength(2);
	expect(r53.zone.records.find((r) => r.Name.startsWith('_kube-ops'))).toBeUndefined();
});
