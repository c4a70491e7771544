import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';

import { AlertmanagerApi } from '../../credentials/AlertmanagerApi.credentials';
import { AlertmanagerAlertCheck } from '../../nodes/AlertmanagerAlertCheck/AlertmanagerAlertCheck.node';
import { closeN8n, runNode } from '../harness/n8n';
import { type LocalAlertmanager, startAlertmanager } from '../sandbox/alertmanager';
import { freePort } from '../sandbox/processes';

/*
 * The failover's "Still resolved?" step: the Alertmanager Alert Check node
 * inside n8n's executor, asking a real Alertmanager named by the credential.
 * Items go to "Not Active" only on a readable answer without a matching alert.
 */

let alertmanager: LocalAlertmanager;
let credential: ICredentialDataDecryptedObject;

beforeAll(async () => {
	alertmanager = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${await freePort()}/hook` });
	credential = { url: alertmanager.url, authentication: 'none', allowInsecure: true, timeout: 5000 };
	await alertmanager.addAlert({ alertname: 'RegionDown', region: 'us-east', service: 'checkout' });
}, 120_000);

afterAll(async () => {
	await alertmanager?.stop();
	closeN8n();
});

const labels = (region: string, service = 'checkout') => ({ label: [{ name: 'alertname', value: 'RegionDown' }, { name: 'region', value: region }, { name: 'service', value: service }] });

function run(parameters: Record<string, unknown>, data: ICredentialDataDecryptedObject = credential) {
	return runNode({ node: AlertmanagerAlertCheck, credentialTypes: [AlertmanagerApi], credentials: { kubeOpsAlertmanagerApi: data }, parameters: parameters as never, input: [{ json: { alert: { name: 'RegionDown' } } }] });
}

async function withServer(answer: (res: http.ServerResponse) => void, body: (url: string) => Promise<void>): Promise<void> {
	const server = http.createServer((_req, res) => answer(res));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
	} finally {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
}

test('a firing alert goes to "Active or Unknown"; no matching alert to "Not Active"', async () => {
	const firing = await run({ labels: labels('us-east') });
	expect(firing.error).toBeUndefined();
	expect(firing.outputs[0]).toHaveLength(0);
	expect(firing.outputs[1][0].json.alertCheck).toMatchObject({ active: true, count: 1 });
	const resolved = await run({ labels: labels('us-west') });
	expect(resolved.outputs[0][0].json).toMatchObject({ alert: { name: 'RegionDown' }, alertCheck: { active: false, count: 0, filter: ['alertname="RegionDown"', 'region="us-west"', 'service="checkout"'] } });
});

test('a hostile label value stays one matcher value: it matches nothing and widens nothing', async () => {
	const hostile = 'checkout",region=~".*';
	const { outputs } = await run({ labels: labels('us-east', hostile) });
	expect(outputs[0][0].json.alertCheck).toMatchObject({ active: false, count: 0 });
	expect((outputs[0][0].json.alertCheck as { filter: string[] }).filter[2]).toBe('service="checkout\\",region=~\\".*"');
});

test('any answer it cannot read counts as active, so it never leads to a failback', async () => {
	const answers: Array<[string, (res: http.ServerResponse) => void, RegExp]> = [
		['an object instead of a list', (res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"data": []}'), /not a list of alerts/],
		['text', (res) => res.writeHead(200).end('<html>login</html>'), /could not be asked/],
		['a server error', (res) => res.writeHead(503).end('down'), /answered HTTP 503/],
		['a redirect elsewhere', (res) => res.writeHead(302, { Location: 'http://169.254.169.254/' }).end(), /answered HTTP 302/],
		['a list of non-alerts', (res) => res.writeHead(200).end('[1, 2]'), /not an alert/],
		['duplicate keys', (res) => res.writeHead(200).end('[{"labels": {}, "labels": {}}]'), /could not be asked/],
	];
	for (const [what, answer, reason] of answers) {
		await withServer(answer, async (url) => {
			const { outputs, error } = await run({ labels: labels('us-west') }, { ...credential, url });
			expect({ what, error }).toEqual({ what, error: undefined });
			expect(outputs[0]).toHaveLength(0);
			expect(outputs[1][0].json.alertCheck).toMatchObject({ active: true, count: null, reason: expect.stringMatching(reason) });
		});
	}
	const port = await freePort();
	const unreachable = await run({ labels: labels('us-west') }, { ...credential, url: `http://127.0.0.1:${port}` });
	expect(unreachable.outputs[1][0].json.alertCheck).toMatchObject({ active: true, reason: expect.stringMatching(/could not be asked/) });
});

test('the credential: http needs "Allow Insecure Connection"; bearer token sent; the test reports the version', async () => {
	const refused = await run({ labels: labels('us-west') }, { url: alertmanager.url });
	expect(refused.error?.message).toMatch(/is plain http .*"Allow Insecure Connection"/);
	let seen: string | undefined;
	const server = http.createServer((req, res) => {
		seen = req.headers.authorization;
		res.writeHead(200).end('[]');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		const { outputs } = await run({ labels: labels('us-west') }, { url, authentication: 'bearer', token: 'am-token-0123456789', allowInsecure: true });
		expect(seen).toBe('Bearer am-token-0123456789');
		expect(outputs[0][0].json.alertCheck).toMatchObject({ active: false, insecure: expect.stringMatching(/plain http/) });
	} finally {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
	const test = new AlertmanagerAlertCheck().methods.credentialTest.kubeOpsAlertmanagerApiTest;
	expect(await test.call({} as ICredentialTestFunctions, { id: '1', name: 'am', type: 'kubeOpsAlertmanagerApi', data: credential })).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected: Alertmanager 0\.\d+\.\d+ \(The Alertmanager URL .* is plain http/) });
	expect(await test.call({} as ICredentialTestFunctions, { id: '1', name: 'am', type: 'kubeOpsAlertmanagerApi', data: { ...credential, url: 'http://u:pw-secret-99@127.0.0.1:1' } })).toEqual({ status: 'Error', message: expect.not.stringContaining('pw-secret-99') });
});
