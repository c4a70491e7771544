import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { credentialTests as credentialTest } from '../../nodes/shared/credentialTests';
import { AlertmanagerTrigger } from '../../nodes/AlertmanagerTrigger/AlertmanagerTrigger.node';
import { Json, fixture, fixtureText } from '../unit/alertmanager/fixtures';

/**
 * The node's webhook() behind a real node:http server. The repo's n8n harness
 * drives WorkflowExecute, not n8n's webhook server, so this test plays the part
 * of n8n's webhook handler for a v1 node: it reads the raw body into
 * req.rawBody, parses application/json into req.body, hands the real req/res
 * to webhook() through a minimal IWebhookFunctions, and, unless the node
 * answered itself (noWebhookResponse), answers 200 with webhookResponse as
 * n8n's responseMode onReceived does. workflowData is what n8n would start an
 * execution with. The e2e test repeats the important cases on a real n8n.
 */

const TOKEN = 'kube-ops-test-token-0123456789abcdef';
const BASIC = { user: 'alertmanager', password: 'a-long-basic-password-0123' };

interface Setup {
	parameters?: IDataObject;
	credentials?: IDataObject | null;
	/** Leave req.body unset, as a server that does not parse JSON would. */
	noParse?: boolean;
	/** Leave req.rawBody unset: only the parsed body reaches the node. */
	noRaw?: boolean;
}

interface Call {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Json;
	/** What the node asked n8n to run, or undefined when it refused the request. */
	workflowData?: INodeExecutionData[][];
}

const node = new AlertmanagerTrigger();

function withDefaults(parameters: IDataObject): IDataObject {
	const out: IDataObject = {};
	for (const property of node.description.properties) out[property.name] = property.default as IDataObject[string];
	return { ...out, ...parameters };
}

let setup: Setup = {};
let lastResult: IWebhookResponseData | undefined;
let server: http.Server;
let url: string;

function context(req: http.IncomingMessage, res: http.ServerResponse): IWebhookFunctions {
	const parameters = withDefaults(setup.parameters ?? {});
	return {
		getRequestObject: () => req,
		getResponseObject: () => res,
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getCredentials: async (type: string) => {
			if (type !== 'kubeOpsAlertmanagerWebhookApi') throw new Error(`unexpected credential type ${type}`);
			if (setup.credentials === null) throw new Error('Node does not have any credentials set for "kubeOpsAlertmanagerWebhookApi"');
			return setup.credentials ?? { token: TOKEN, ...BASIC };
		},
		getNode: () => ({ name: 'Alertmanager Trigger', type: 'n8n-nodes-kube-ops.alertmanagerTrigger', typeVersion: 1, parameters, id: 'n', position: [0, 0] }),
		getMode: () => 'webhook',
	} as unknown as IWebhookFunctions;
}

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const n8nReq = req as http.IncomingMessage & { rawBody?: Buffer; body?: unknown };
			n8nReq.rawBody = Buffer.concat(chunks);
			if (!setup.noParse && (req.headers['content-type'] ?? '').startsWith('application/json') && n8nReq.rawBody.length > 0) {
				try {
					n8nReq.body = JSON.parse(n8nReq.rawBody.toString('utf8'));
				} catch {
					// n8n itself answers 422 here; the e2e test shows that. Leave it to the node in this test.
				}
			}
			if (setup.noRaw) Reflect.deleteProperty(n8nReq, 'rawBody');
			try {
				lastResult = await node.webhook.call(context(req, res));
				if (!lastResult.noWebhookResponse) {
					res.writeHead(200, { 'content-type': 'application/json' });
					res.end(JSON.stringify(lastResult.webhookResponse ?? { message: 'Workflow was started' }));
				}
			} catch (error) {
				lastResult = undefined;
				res.writeHead(500).end(String(error));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/alertmanager`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
	setup = {};
	lastResult = undefined;
});

async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<Call> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
		body,
	});
	const text = await response.text();
	return {
		status: response.status,
		headers: Object.fromEntries(response.headers.entries()),
		body: text ? JSON.parse(text) : undefined,
		workflowData: lastResult?.noWebhookResponse ? undefined : lastResult?.workflowData,
	};
}

const basicHeader = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authentication', () => {
	test('Bearer: no header, a wrong token or another scheme -> 401 with WWW-Authenticate, nothing emitted', async () => {
		for (const authorization of ['', 'Bearer wrong-token', basicHeader(BASIC.user, BASIC.password)]) {
			const call = await post(fixtureText('firing'), { authorization });
			expect(call.status).toBe(401);
			expect(call.headers['www-authenticate']).toBe('Bearer realm="alertmanager"');
			expect(call.body.status).toBe('unauthorized');
			expect(call.workflowData).toBeUndefined();
		}
	});

	test('Basic: right user and password accepted, wrong ones -> 401', async () => {
		setup.parameters = { authentication: 'basic' };
		const ok = await post(fixtureText('firing'), { authorization: basicHeader(BASIC.user, BASIC.password) });
		expect(ok.status).toBe(200);
		const wrong = await post(fixtureText('firing'), { authorization: basicHeader(BASIC.user, 'nope') });
		expect(wrong.status).toBe(401);
		expect(wrong.headers['www-authenticate']).toBe('Basic realm="alertmanager", charset="UTF-8"');
		expect(wrong.body).toEqual({ status: 'unauthorized', reason: 'the Basic auth user or password does not match' });
		expect(wrong.workflowData).toBeUndefined();
	});

	test('none: no header needed', async () => {
		setup.parameters = { authentication: 'none' };
		expect((await post(fixtureText('firing'), { authorization: '' })).status).toBe(200);
	});

	test('a credential without a token refuses everyone with 500 and says why', async () => {
		setup.credentials = { token: '' };
		const call = await post(fixtureText('firing'));
		expect(call.status).toBe(500);
		expect(call.body.reason).toMatch(/credential has no Bearer token/);
		expect(call.workflowData).toBeUndefined();
	});

	test('auth is checked before the body: an unauthenticated malformed body is a 401, not a 400', async () => {
		expect((await post('not json', { authorization: '' })).status).toBe(401);
	});
});

describe('validation: 400 with the reason and the fix, nothing emitted', () => {
	test.each([
		['malformed JSON', () => '{"version":"4",', {}, /^body: is not valid JSON \(/],
		['version 3', () => JSON.stringify({ ...fixture('firing'), version: '3' }), {}, /^version: must be "4", got the string "3"$/],
		['empty alerts', () => JSON.stringify({ ...fixture('firing'), alerts: [] }), {}, /^alerts: must not be empty/],
		['bad startsAt', () => JSON.stringify({ ...fixture('firing'), alerts: [{ ...(fixture('firing').alerts as IDataObject[])[0], startsAt: 'now' }] }), {}, /^alerts\[0\]\.startsAt: must be an RFC 3339 time/],
		['text/plain', () => fixtureText('firing'), { 'content-type': 'text/plain' }, /^content-type: must be application\/json, got "text\/plain"$/],
		['a JSON array', () => '[]', {}, /^body: must be a JSON object/],
	])('%s', async (_what, body, headers, reason) => {
		const call = await post(body(), headers as Record<string, string>);
		expect(call.status).toBe(400);
		expect(call.body.status).toBe('rejected');
		expect(call.body.reason).toMatch(reason);
		expect(call.body.fix.length).toBeGreaterThan(10);
		expect(call.workflowData).toBeUndefined();
	});

	test('malformed JSON is also caught when the server left the body unparsed', async () => {
		setup.noParse = true;
		const call = await post('{"version":');
		expect(call.status).toBe(400);
		expect(call.body.reason).toMatch(/^body: is not valid JSON/);
	});

	test('oversize: 400 with the size and the limit (option maxBodyBytes)', async () => {
		setup.parameters = { options: { maxBodyBytes: 500 } };
		const text = fixtureText('firing');
		const call = await post(text);
		expect(call.status).toBe(400);
		expect(call.body.reason).toBe(`body is ${Buffer.byteLength(text)} bytes, over the limit of 500`);
		expect(call.workflowData).toBeUndefined();
	});

	test('oversize at the default 1 MiB limit', async () => {
		const big = { ...fixture('firing'), padding: 'x'.repeat(1024 * 1024) };
		const call = await post(JSON.stringify(big));
		expect(call.status).toBe(400);
		expect(call.body.reason).toMatch(/^body is \d+ bytes, over the limit of 1048576$/);
	});

	test('requireVersion4 off accepts another version', async () => {
		setup.parameters = { options: { requireVersion4: false } };
		expect((await post(JSON.stringify({ ...fixture('firing'), version: '5' }))).status).toBe(200);
	});
});

describe('alert content is data: refused with 400 before any execution', () => {
	const withLabel = (labels: Record<string, string>) => {
		const body = fixture('firing');
		const alerts = body.alerts as Array<{ labels: Record<string, string> }>;
		alerts[0].labels = { ...alerts[0].labels, ...labels };
		return JSON.stringify(body);
	};

	test.each([
		['service', 'checkout"} or vector(1) or x{a="'],
		['namespace', '..'],
		['region', 'us-east/../../x'],
	])('a %s label of %j: 400 naming the label, nothing emitted', async (label, value) => {
		const call = await post(withLabel({ [label]: value }));
		expect(call.status).toBe(400);
		expect(call.body.reason).toMatch(new RegExp(`^alerts\\[0\\]\\.labels\\.${label}: label "${label}" is .*not a Kubernetes DNS-1123 label`));
		expect(call.body.fix).toMatch(/Label Rules/);
		expect(call.workflowData).toBeUndefined();
	});

	test('Label Rules replace the defaults', async () => {
		setup.parameters = { options: { labelRules: { rule: [{ label: 'service', format: 'pattern', pattern: '[a-z_]+' }] } } };
		expect((await post(withLabel({ service: 'check_out', namespace: 'Not-A-Name' }))).status).toBe(200);
		expect((await post(withLabel({ service: 'x y' }))).body.reason).toMatch(/label "service" is "x y", which is not the pattern/);
	});

	test('duplicate keys in the body: 400, though the server\'s JSON.parse took the last one', async () => {
		const call = await post(fixtureText('firing').replace('"status": "firing"', '"status": "resolved", "status": "firing"'));
		expect(call.status).toBe(400);
		expect(call.body.reason).toMatch(/^body: is not valid JSON \(duplicate key "status"/);
	});

	test('a very deep body: 400 with or without the raw bytes, never 500', async () => {
		const deep = `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
		expect((await post(deep)).body.reason).toMatch(/^body: is not valid JSON \(nested deeper than 16 levels/);
		setup.noRaw = true;
		const call = await post(deep);
		expect(call.status).toBe(400);
		expect(call.body.reason).toBe('body: is not valid JSON (nested deeper than 16 levels)');
	});

	test('more alerts than Max Alerts: 400', async () => {
		setup.parameters = { options: { maxAlerts: 1 } };
		const call = await post(fixtureText('firing'));
		expect(call.status).toBe(400);
		expect(call.body.reason).toBe('alerts: has 2 alerts, over the limit of 1');
	});
});

describe('accepted notifications', () => {
	test('firing: 200 {status, alerts, dedupeKey}; one item per alert on Firing with the documented shape', async () => {
		const call = await post(fixtureText('firing'));
		expect(call.status).toBe(200);
		expect(call.body).toEqual({ status: 'accepted', alerts: 2, dedupeKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
		const [firing, resolved] = call.workflowData!;
		expect(resolved).toEqual([]);
		expect(firing).toHaveLength(2);
		const body = fixture('firing') as Json;
		const item = firing[0].json as Json;
		expect(Object.keys(item).sort()).toEqual(['alert', 'dedupeKey', 'group', 'receivedAt']);
		expect(item.alert).toEqual({
			name: 'RegionDown',
			status: 'firing',
			labels: body.alerts[0].labels,
			annotations: body.alerts[0].annotations,
			startsAt: body.alerts[0].startsAt,
			endsAt: null,
			fingerprint: body.alerts[0].fingerprint,
			generatorURL: body.alerts[0].generatorURL,
		});
		expect(item.group).toEqual({
			groupKey: body.groupKey,
			status: 'firing',
			receiver: 'kube-ops',
			groupLabels: body.groupLabels,
			commonLabels: body.commonLabels,
			commonAnnotations: body.commonAnnotations,
			externalURL: body.externalURL,
			truncatedAlerts: 0,
			firingFingerprints: body.alerts.map((a: Json) => a.fingerprint).sort(),
		});
		expect(item.dedupeKey).toBe(call.body.dedupeKey);
		expect(Date.parse(item.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
		expect((firing[1].json as Json).alert.labels.region).toBe('us-west');
	});

	test('a mixed notification feeds both outputs; all items share the group\'s dedupe key', async () => {
		const call = await post(fixtureText('mixed'));
		const [firing, resolved] = call.workflowData!;
		expect(firing.map((i) => (i.json as Json).alert.labels.region)).toEqual(['us-west']);
		expect(resolved.map((i) => (i.json as Json).alert.labels.region)).toEqual(['us-east']);
		expect((resolved[0].json as Json).alert.endsAt).not.toBeNull();
		expect(new Set([...firing, ...resolved].map((i) => i.json.dedupeKey))).toEqual(new Set([call.body.dedupeKey]));
	});

	test('emit group: one item with all alerts, routed by the group\'s status', async () => {
		setup.parameters = { emit: 'group' };
		const firing = await post(fixtureText('mixed'));
		expect(firing.workflowData![0]).toHaveLength(1);
		expect(firing.workflowData![1]).toEqual([]);
		const item = firing.workflowData![0][0].json as Json;
		expect(Object.keys(item).sort()).toEqual(['alerts', 'dedupeKey', 'group', 'receivedAt']);
		expect(item.alerts.map((a: Json) => a.status)).toEqual(['resolved', 'firing']);
		const resolved = await post(fixtureText('resolved'));
		expect(resolved.workflowData![0]).toEqual([]);
		expect(resolved.workflowData![1]).toHaveLength(1);
	});

	test('the same notification sent twice has the same dedupe key; firing and resolved differ', async () => {
		const a = await post(fixtureText('firing'));
		const b = await post(fixtureText('firing'));
		const c = await post(fixtureText('resolved'));
		expect(b.body.dedupeKey).toBe(a.body.dedupeKey);
		expect(c.body.dedupeKey).not.toBe(a.body.dedupeKey);
	});
});

describe('description (the contract the shipped workflows rely on)', () => {
	test('names, outputs, webhook and parameters', () => {
		const d = node.description;
		expect(d).toMatchObject({ name: 'alertmanagerTrigger', displayName: 'Alertmanager Trigger', group: ['trigger'], version: 1, outputNames: ['Firing', 'Resolved'], inputs: [] });
		expect(d.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '={{$parameter["path"]}}', isFullPath: true }]);
		const byName = Object.fromEntries(d.properties.map((p) => [p.name, p]));
		expect(byName.path.default).toBe('alertmanager');
		expect(byName.authentication.default).toBe('bearer');
		expect((byName.authentication.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['bearer', 'basic', 'none']);
		expect(byName.emit.default).toBe('alert');
		const options = Object.fromEntries((byName.options.options as Array<{ name: string; default: unknown }>).map((o) => [o.name, o.default]));
		expect(options).toEqual({ maxBodyBytes: 1048576, maxAlerts: 1000, labelRules: {}, requireVersion4: true });
		expect(byName.noAuthNotice.displayOptions).toEqual({ show: { authentication: ['none'] } });
		expect(d.credentials).toEqual([expect.objectContaining({ name: 'kubeOpsAlertmanagerWebhookApi', displayOptions: { show: { authentication: ['bearer', 'basic'] } } })]);
	});
});

describe('credential test', () => {
	const run = (data: IDataObject) => credentialTest.kubeOpsAlertmanagerWebhookApiTest.call({} as never, { id: '1', name: 'c', type: 'kubeOpsAlertmanagerWebhookApi', data: data as ICredentialDataDecryptedObject });

	test.each([
		[{ token: TOKEN }, 'OK', 'Ready for Bearer authentication'],
		[{ token: TOKEN, ...BASIC }, 'OK', 'Ready for Bearer and Basic authentication'],
		[{ ...BASIC }, 'OK', 'Ready for Basic authentication'],
		[{}, 'Error', 'Set a Bearer token, or a user and a password for Basic authentication'],
		[{ token: 'short' }, 'Error', 'The Bearer token has 5 characters; use at least 16 (e.g. openssl rand -hex 32)'],
		[{ user: 'u', password: 'short' }, 'Error', 'The password has 5 characters; use at least 16 (e.g. openssl rand -hex 32)'],
	])('%j -> %s', async (data, status, message) => {
		expect(await run(data)).toEqual({ status, message });
	});
});
