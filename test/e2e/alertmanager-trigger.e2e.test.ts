import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { LocalAlertmanager, startAlertmanager } from '../sandbox/alertmanager';
import { Json, fixtureText } from '../unit/alertmanager/fixtures';
import { RunningN8n, packPackage, startN8nWithPackage } from '../sandbox/n8n';

/**
 * A real n8n 2.x with the package installed from its npm pack tarball, a
 * published workflow Alertmanager Trigger -> No Op on each output, and a real
 * Alertmanager posting to n8n's production webhook with a Bearer token.
 * Refused requests are answered by the node (or by n8n's body parser) and
 * never create an execution; accepted ones run the workflow with the alert on
 * the Firing output, and its resolution on the Resolved output.
 */

const TOKEN = 'kube-ops-e2e-bearer-token-9f8e7d6c5b4a';
const PATH = 'kube-ops-e2e-alertmanager';
const TRIGGER = 'Alertmanager Trigger';

let n8n: RunningN8n;
let alertmanager: LocalAlertmanager | undefined;
let workflowId: string;
let webhookUrl: string;

interface Execution {
	id: string;
	status: string;
	data?: { resultData: { runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Json }> | null> } }>> } };
}

async function executions(): Promise<Execution[]> {
	const page = await n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${workflowId}&includeData=true&limit=100`);
	return page.data;
}

/** Items the trigger put on one output, over all executions so far. */
function itemsOn(all: Execution[], output: 0 | 1): Json[] {
	return all.flatMap((e) => e.data?.resultData.runData[TRIGGER]?.[0]?.data?.main[output] ?? []).map((i) => i.json);
}

async function poll<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const found = await probe();
		if (found !== undefined) return found;
		await new Promise((r) => setTimeout(r, 300));
	}
	throw new Error(`${what}: not seen within ${timeoutMs} ms`);
}

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; headers: Headers; text: string }> {
	const response = await fetch(webhookUrl, { method: 'POST', headers, body });
	return { status: response.status, headers: response.headers, text: await response.text() };
}

beforeAll(async () => {
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-pack-'));
	n8n = await startN8nWithPackage(packPackage(packDir));
	webhookUrl = `${n8n.url}/webhook/${PATH}`;

	const credential = await n8n.api<{ id: string }>('POST', '/credentials', {
		name: 'Alertmanager webhook',
		type: 'kubeOpsAlertmanagerWebhookApi',
		data: { token: TOKEN, user: '', password: '' },
	});
	const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
		name: 'e2e: Alertmanager Trigger',
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000101',
				name: TRIGGER,
				type: 'n8n-nodes-kube-ops.alertmanagerTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'a1b2c3d4-0000-4000-8000-0000000001aa',
				parameters: { path: PATH, authentication: 'bearer', emit: 'alert', options: {} },
				credentials: { kubeOpsAlertmanagerWebhookApi: { id: credential.id, name: 'Alertmanager webhook' } },
			},
			{ id: 'a1b2c3d4-0000-4000-8000-000000000102', name: 'On Firing', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, -100], parameters: {} },
			{ id: 'a1b2c3d4-0000-4000-8000-000000000103', name: 'On Resolved', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, 100], parameters: {} },
		],
		connections: {
			[TRIGGER]: {
				main: [[{ node: 'On Firing', type: 'main', index: 0 }], [{ node: 'On Resolved', type: 'main', index: 0 }]],
			},
		},
	});
	workflowId = workflow.id;
	const activated = await n8n.api<{ active: boolean }>('POST', `/workflows/${workflowId}/activate`);
	expect(activated.active).toBe(true);
	// Publishing registers the webhook asynchronously: poll until it stops answering 404.
	let last = '';
	try {
		await poll(async () => {
			const answer = await post('{}', { 'content-type': 'application/json' });
			last = `${answer.status} ${answer.text}`;
			return answer.status === 404 ? undefined : true;
		}, 'the webhook', 30_000);
	} catch (error) {
		const log = n8n.process.log().split('\n').filter((line) => !line.includes('unknown webhook')).join('\n');
		throw new Error(`${(error as Error).message}; last answer: ${last}\nn8n log:\n${log.slice(-6000)}`);
	}
}, 900_000);

afterAll(async () => {
	await alertmanager?.stop();
	await n8n?.stop();
});

const json = { 'content-type': 'application/json' };
const bearer = { ...json, authorization: `Bearer ${TOKEN}` };

test('refused requests: 401 without or with a wrong token, 400 with the reason for bad payloads, and no execution', async () => {
	const noAuth = await post(fixtureText('firing'), json);
	expect(noAuth.status).toBe(401);
	expect(noAuth.headers.get('www-authenticate')).toBe('Bearer realm="alertmanager"');
	expect(JSON.parse(noAuth.text)).toEqual({ status: 'unauthorized', reason: 'missing Authorization: Bearer header' });

	const wrong = await post(fixtureText('firing'), { ...json, authorization: 'Bearer not-the-token' });
	expect(wrong.status).toBe(401);
	expect(JSON.parse(wrong.text).reason).toBe('the Bearer token does not match');

	const version3 = await post(JSON.stringify({ ...JSON.parse(fixtureText('firing')), version: '3' }), bearer);
	expect(version3.status).toBe(400);
	expect(JSON.parse(version3.text)).toMatchObject({ status: 'rejected', reason: 'version: must be "4", got the string "3"' });

	const badTime = JSON.parse(fixtureText('firing'));
	badTime.alerts[1].startsAt = 'soon';
	const invalid = await post(JSON.stringify(badTime), bearer);
	expect(invalid.status).toBe(400);
	expect(JSON.parse(invalid.text).reason).toMatch(/^alerts\[1\]\.startsAt: must be an RFC 3339 time/);

	const oversize = JSON.stringify({ ...JSON.parse(fixtureText('firing')), padding: 'x'.repeat(1024 * 1024) });
	const big = await post(oversize, bearer);
	expect(big.status).toBe(400);
	expect(JSON.parse(big.text).reason).toBe(`body is ${Buffer.byteLength(oversize)} bytes, over the limit of 1048576`);

	const plain = await post('version=4', { ...bearer, 'content-type': 'text/plain' });
	expect(plain.status).toBe(400);
	expect(JSON.parse(plain.text).reason).toBe('content-type: must be application/json, got "text/plain"');

	const notJsonAtAll = await post('{"version": "4",', { ...bearer, 'content-type': 'application/octet-stream' });
	expect(notJsonAtAll.status).toBe(400);

	// Malformed JSON sent as application/json never reaches the node: n8n's body parser refuses it first with
	// 422 "Failed to parse request body" (a 4xx, so Alertmanager does not retry it either).
	const malformed = await post('{"version": "4",', bearer);
	expect(malformed.status).toBe(422);
	expect(malformed.text).toContain('Failed to parse request body');

	// Executions are written asynchronously; give a wrongly started one time to appear.
	await new Promise((r) => setTimeout(r, 1500));
	expect(await executions()).toEqual([]);
}, 120_000);

test('a real Alertmanager: the alert arrives on Firing, its resolution on Resolved, with labels and dedupe keys', async () => {
	alertmanager = await startAlertmanager({ webhookUrl, bearerToken: TOKEN });
	const labels = { alertname: 'RegionDown', region: 'us-east', severity: 'critical' };
	await alertmanager.addAlert(labels, { summary: 'us-east is failing its health checks' });

	const firing = await poll(async () => {
		const items = itemsOn(await executions(), 0);
		return items.length > 0 ? items : undefined;
	}, 'an execution with the alert on the Firing output');
	const item = firing[0];
	expect(item.alert).toMatchObject({ name: 'RegionDown', status: 'firing', labels, annotations: { summary: 'us-east is failing its health checks' }, endsAt: null });
	expect(item.alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
	expect(item.group).toMatchObject({ status: 'firing', receiver: 'kube-ops', groupLabels: { alertname: 'RegionDown' }, firingFingerprints: [item.alert.fingerprint], truncatedAlerts: 0 });
	expect(item.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
	expect(itemsOn(await executions(), 1)).toEqual([]);

	await alertmanager.resolveAlert(labels);
	const resolved = await poll(async () => {
		const items = itemsOn(await executions(), 1);
		return items.length > 0 ? items : undefined;
	}, 'an execution with the alert on the Resolved output');
	expect(resolved[0].alert).toMatchObject({ name: 'RegionDown', status: 'resolved', labels, fingerprint: item.alert.fingerprint });
	expect(resolved[0].alert.endsAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
	expect(resolved[0].group).toMatchObject({ status: 'resolved', firingFingerprints: [], groupKey: item.group.groupKey });
	expect(resolved[0].dedupeKey).not.toBe(item.dedupeKey);

	// The downstream No Op on each output ran with the items: the workflow really routed them.
	const all = await executions();
	const ran = (name: string) => all.some((e) => (e.data?.resultData.runData[name]?.[0]?.data?.main[0] ?? []).length > 0);
	expect(ran('On Firing')).toBe(true);
	expect(ran('On Resolved')).toBe(true);
	expect(all.every((e) => e.status === 'success')).toBe(true);
}, 180_000);
