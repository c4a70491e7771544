import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';

import { KubernetesApi } from '../../credentials/KubernetesApi.credentials';
import { KubernetesPatch } from '../../nodes/KubernetesPatch/KubernetesPatch.node';
import { LoadBalancerDrain } from '../../nodes/LoadBalancerDrain/LoadBalancerDrain.node';
import { closeN8n, runNode } from '../harness/n8n';
import { freePort } from '../sandbox/processes';
import { renderKubeconfig, startKubeSandbox } from '../sandbox/kube';
import { type Cluster, object, only, runPatch, startCluster } from '../unit/kubernetes/support';

/*
 * The Kubernetes API credential: kubeconfig (with context choice and exec
 * plugins), server URL + token + CA, in-cluster; and its test (GET /version),
 * all through the real @kubernetes/client-node KubeConfig inside n8n's executor.
 */

let cluster: Cluster;
let dir: string;

beforeAll(async () => {
	cluster = await startCluster();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-credential-'));
});

afterAll(async () => {
	await cluster?.sandbox.close();
	fs.rmSync(dir, { recursive: true, force: true });
	closeN8n();
});

const credentialTest = new KubernetesPatch().methods.credentialTest.kubernetesApiConnectionTest;
const test_ = (data: ICredentialDataDecryptedObject) => credentialTest.call({} as ICredentialTestFunctions, { id: '1', name: 'k8s', type: 'kubeOpsKubernetesApi', data });

describe('credential test (GET /version)', () => {
	test('a kubeconfig: connected, with server, version and cluster name', async () => {
		expect(await test_(cluster.credential)).toEqual({ status: 'OK', message: `Connected to ${cluster.sandbox.url}: Kubernetes v1.32.4+kube-ops-sandbox, cluster "prod-eu-1"` });
	});

	test('server URL, token and CA', async () => {
		const data = { source: 'token', server: cluster.sandbox.url, token: cluster.sandbox.tokens.limited, caCertificate: cluster.sandbox.caCert ?? '', clusterName: 'eu' };
		expect(await test_(data)).toEqual({ status: 'OK', message: `Connected to ${cluster.sandbox.url}: Kubernetes v1.32.4+kube-ops-sandbox, cluster "eu"` });
		const untrusted = await test_({ ...data, caCertificate: '' });
		expect(untrusted).toEqual({ status: 'Error', message: expect.stringMatching(/^The API server's TLS certificate is not trusted \(.*\) at https:\/\/127\.0\.0\.1:\d+\. Put the cluster CA certificate in the credential/) });
		expect(await test_({ ...data, caCertificate: '', skipTlsVerify: true })).toMatchObject({ status: 'OK' });
		expect(await test_({ ...data, server: cluster.sandbox.url.replace('https:', 'http:') })).toEqual({ status: 'Error', message: expect.stringMatching(/is not https\. The API server must be reached over https/) });
	});

	test('a wrong token, an unknown context, an unreachable server', async () => {
		expect(await test_({ ...cluster.credential, kubeconfig: cluster.kubeconfig.replace(cluster.sandbox.tokens.admin, 'expired') })).toEqual({
			status: 'Error',
			message: expect.stringMatching(/rejected the credentials \(401 Unauthorized\)\. The token or client certificate is invalid or expired/),
		});
		expect(await test_({ ...cluster.credential, context: 'prod-us-1' })).toEqual({ status: 'Error', message: expect.stringMatching(/^Context "prod-us-1" is not in the kubeconfig \(it has: prod-eu-1\)/) });
		const port = await freePort();
		const closed = renderKubeconfig([{ name: 'gone', url: `https://127.0.0.1:${port}`, caCert: cluster.sandbox.caCert, tokens: cluster.sandbox.tokens }]);
		expect(await test_({ source: 'kubeconfig', kubeconfig: closed })).toEqual({ status: 'Error', message: expect.stringMatching(new RegExp(`^Cannot reach the API server at https://127\\.0\\.0\\.1:${port} \\(connection refused\\)`)) });
		expect(await test_({ source: 'kubeconfig', kubeconfig: 'clusters: [oops' })).toMatchObject({ status: 'Error', message: expect.stringMatching(/^The kubeconfig could not be read/) });
	});

	test('in-cluster outside a pod says so', async () => {
		const saved = process.env.KUBERNETES_SERVICE_HOST;
		delete process.env.KUBERNETES_SERVICE_HOST;
		try {
			expect(await test_({ source: 'inCluster' })).toEqual({ status: 'Error', message: expect.stringMatching(/^n8n is not running inside a Kubernetes pod/) });
		} finally {
			if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
		}
	});
});

describe('the node with each way to connect', () => {
	test('the kubeconfig context picks the cluster', async () => {
		const other = await startKubeSandbox({ podStartupMs: 50, clusterName: 'us-west' });
		try {
			const kubeconfig = renderKubeconfig([
				{ name: 'prod-eu-1', url: cluster.sandbox.url, caCert: cluster.sandbox.caCert, tokens: cluster.sandbox.tokens },
				{ name: 'us-west', url: other.url, caCert: other.caCert, tokens: other.tokens },
			]);
			const json = only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'checkout', replicas: 8 }, { credential: { source: 'kubeconfig', kubeconfig, context: 'us-west' } }));
			expect(json.target).toMatchObject({ cluster: 'us-west' });
			expect(other.get('deployments.apps', 'shop', 'checkout')?.spec?.replicas).toBe(8);
			expect(object(cluster, 'deployments.apps', 'checkout').spec?.replicas).toBe(4);
		} finally {
			await other.close();
		}
	});

	test('an exec plugin runs only when allowed, and then authenticates through client-node inside n8n\'s executor', async () => {
		const marker = path.join(dir, 'exec-ran');
		const script = path.join(dir, 'token-helper.js');
		fs.writeFileSync(
			script,
			`require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes');
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(cluster.sandbox.tokens.admin)}, expirationTimestamp: new Date(Date.now() + 600000).toISOString() } }));`,
		);
		const kubeconfig = [
			'apiVersion: v1',
			'kind: Config',
			'current-context: eks',
			'clusters:',
			`- name: eks\n  cluster:\n    server: ${cluster.sandbox.url}\n    certificate-authority-data: ${Buffer.from(cluster.sandbox.caCert as string).toString('base64')}`,
			'contexts:',
			'- name: eks\n  context:\n    cluster: eks\n    user: eks-user',
			'users:',
			`- name: eks-user\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${JSON.stringify(process.execPath)}\n      args: [${JSON.stringify(script)}]\n      interactiveMode: Never`,
		].join('\n');
		const refused = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 4 }, { credential: { source: 'kubeconfig', kubeconfig } });
		expect(refused.error?.message).toBe('The kubeconfig\'s user "eks-user" has "exec", which makes n8n run a command on its host, and this credential does not allow that (option "Allow Exec Plugins and Local Files" is off)');
		expect(fs.existsSync(marker)).toBe(false);
		const json = only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 4 }, { credential: { source: 'kubeconfig', kubeconfig, allowHostAccess: true } }));
		expect(json).toMatchObject({ after: { replicas: 4 }, target: { cluster: 'eks' } });
		expect(fs.readFileSync(marker, 'utf8')).toBe('yes');
	});

	test('server URL and token: the limited identity gets the 403 RBAC gives it', async () => {
		const credential = { source: 'token', server: cluster.sandbox.url, token: cluster.sandbox.tokens.limited, caCertificate: cluster.sandbox.caCert ?? '' };
		expect(only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 5 }, { credential }))).toMatchObject({ after: { replicas: 5 } });
		const { error } = await runPatch(cluster, { operation: 'annotate', apiVersion: 'v1', kind: 'Namespace', name: 'default', annotations: { annotation: [{ key: 'a', value: 'b' }] } }, { credential });
		expect(error?.message).toBe('Forbidden: cannot get namespaces (API group "") "default" at cluster scope');
	});
});

describe('hostile kubeconfigs through every entry point: nothing runs, no file is read', () => {
	const shapes = (marker: string, secretFile: string): Array<[string, string]> => [
		['gcp cmd-path as a number', `    auth-provider:\n      name: gcp\n      config:\n        cmd-path: 1\n        cmd-args: "; touch ${marker}"`],
		['gcp cmd-path as a list', `    auth-provider:\n      name: gcp\n      config:\n        cmd-path: ["touch ${marker}"]`],
		['token-file as !!binary', `    token-file: !!binary ${Buffer.from(secretFile).toString('base64')}`],
		['exec with a list command', `    exec:\n      command: [sh, -c, "touch ${marker}"]`],
	];

	function hostileKubeconfig(user: string): string {
		return [
			'apiVersion: v1',
			'kind: Config',
			'current-context: c',
			'clusters:',
			`- name: k\n  cluster:\n    server: ${cluster.sandbox.url}\n    certificate-authority-data: ${Buffer.from(cluster.sandbox.caCert as string).toString('base64')}`,
			'contexts:',
			'- name: c\n  context:\n    cluster: k\n    user: u',
			'users:',
			`- name: u\n  user:\n${user}`,
		].join('\n');
	}

	test('the credential test, Kubernetes Patch and Load Balancer Drain refuse each shape by field and option', async () => {
		const marker = path.join(dir, 'hostile-ran');
		const secretFile = path.join(dir, 'hostile-secret');
		fs.writeFileSync(secretFile, cluster.sandbox.tokens.admin);
		for (const [what, user] of shapes(marker, secretFile)) {
			const credential = { source: 'kubeconfig', kubeconfig: hostileKubeconfig(user) };
			const tested = await test_(credential);
			expect({ what, status: tested.status }).toEqual({ what, status: 'Error' });
			expect(tested.message).toMatch(/has "(auth-provider|token-file|exec)", which makes n8n (run a command|read a file) on its host, and this credential does not allow that \(option "Allow Exec Plugins and Local Files" is off\)/);
			const patched = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 6 }, { credential });
			expect(patched.error?.message).toMatch(/option "Allow Exec Plugins and Local Files" is off/);
			const drained = await runNode({
				node: LoadBalancerDrain,
				credentialTypes: [KubernetesApi],
				credentials: { kubeOpsKubernetesApi: credential },
				parameters: { provider: 'kubernetes', operation: 'status', kubernetesNamespace: 'shop', kubernetesKind: 'httproute', kubernetesRoute: 'checkout' } as never,
			});
			expect(drained.error?.message).toMatch(/option "Allow Exec Plugins and Local Files" is off/);
			expect(fs.existsSync(marker)).toBe(false);
		}
		expect(object(cluster, 'deployments.apps', 'web').spec?.replicas).not.toBe(6);
	});

	test('insecure-skip-tls-verify needs "Allow Insecure Connection"; then the node works and its output notes it', async () => {
		const skip = cluster.kubeconfig.replace(/certificate-authority-data: .*/, 'insecure-skip-tls-verify: true');
		const refused = await test_({ source: 'kubeconfig', kubeconfig: skip });
		expect(refused).toEqual({ status: 'Error', message: expect.stringMatching(/skips TLS verification \(insecure-skip-tls-verify\)\), and this credential does not allow that \(option "Allow Insecure Connection" is off\)/) });
		const json = only(await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 3 }, { credential: { source: 'kubeconfig', kubeconfig: skip, allowInsecure: true } }));
		expect(json.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^Insecure connection allowed by the credential: cluster ".*" skips TLS verification/)]));
	});

	test('a wrong token in the kubeconfig never appears in the error', async () => {
		const wrong = 'wrong-token-value-0123456789';
		const { error } = await runPatch(cluster, { operation: 'scale', namespace: 'shop', name: 'web', replicas: 4 }, { credential: { ...cluster.credential, kubeconfig: cluster.kubeconfig.replace(cluster.sandbox.tokens.admin, wrong) } });
		expect(error?.message).toMatch(/401 Unauthorized/);
		expect(JSON.stringify(error)).not.toContain(wrong);
	});
});
