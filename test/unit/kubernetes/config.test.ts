import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEFAULT_TIMEOUT_MS, KubeError, connectionFromCredential } from '../../../src/kubernetes';

/** Credential fields to client-node's KubeConfig, without a network. */

const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function kubeconfig(users: string, contexts = ['a', 'b'], current = 'a'): string {
	return [
		'apiVersion: v1',
		'kind: Config',
		`current-context: ${current}`,
		'clusters:',
		'- name: ca\n  cluster:\n    server: https://a.example:6443/',
		'- name: cb\n  cluster:\n    server: https://b.example:443',
		'contexts:',
		...contexts.map((c) => `- name: ${c}\n  context:\n    cluster: c${c}\n    user: u${c}`),
		'users:',
		users,
	].join('\n');
}

const tokenUsers = '- name: ua\n  user:\n    token: ta\n- name: ub\n  user:\n    token: tb';

function failure(fields: Record<string, unknown>, options = {}): KubeError {
	try {
		connectionFromCredential(fields, options);
	} catch (error) {
		expect(error).toBeInstanceOf(KubeError);
		expect((error as KubeError).kind).toBe('config');
		return error as KubeError;
	}
	throw new Error('expected a configuration error');
}

describe('kubeconfig', () => {
	test('the current-context by default, another when named; the context names the cluster', () => {
		const first = connectionFromCredential({ source: 'kubeconfig', kubeconfig: kubeconfig(tokenUsers) });
		expect(first).toMatchObject({ server: 'https://a.example:6443', clusterName: 'a', timeoutMs: DEFAULT_TIMEOUT_MS });
		const second = connectionFromCredential({ source: 'kubeconfig', kubeconfig: kubeconfig(tokenUsers), context: ' b ', clusterName: 'prod-b', timeout: 1500 });
		expect(second).toMatchObject({ server: 'https://b.example:443', clusterName: 'prod-b', timeoutMs: 1500 });
		expect(second.kubeConfig.getCurrentUser()?.token).toBe('tb');
	});

	test('what is wrong with the kubeconfig, and the fix', () => {
		expect(failure({ source: 'kubeconfig', kubeconfig: '  ' }).message).toBe('The credential has no kubeconfig');
		expect(failure({ kubeconfig: 'clusters: [' }).message).toMatch(/^The kubeconfig could not be read: /);
		expect(failure({ kubeconfig: 'apiVersion: v1\nkind: Config\n' }).message).toBe('The kubeconfig has no contexts');
		expect(failure({ kubeconfig: kubeconfig(tokenUsers, ['a', 'b'], '""') }).message).toBe('The kubeconfig has no current-context; pick one of: a, b');
		const unknown = failure({ kubeconfig: kubeconfig(tokenUsers), context: 'c' });
		expect(unknown.message).toBe('Context "c" is not in the kubeconfig (it has: a, b)');
		expect(unknown.fix).toMatch(/Set Context in the credential/);
		expect(failure({ kubeconfig: kubeconfig('- name: ua\n  user:\n    token: ta') , context: 'b' }).message).toBe('Context "b" refers to user "ub", which the kubeconfig does not define');
	});

	test('commands and local files on the n8n host need the credential\'s permission, for any user in the file', () => {
		const exec = '- name: ua\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args: [eks, get-token, --cluster-name, prod]\n- name: ub\n  user:\n    token: tb';
		const refused = failure({ kubeconfig: kubeconfig(exec) });
		expect(refused.message).toBe('The kubeconfig\'s user "ua" has "exec", which makes n8n run a command on its host, and this credential does not allow that (option "Allow Exec Plugins and Local Files" is off)');
		expect(refused.fix).toMatch(/Turn on "Allow Exec Plugins and Local Files"/);
		expect(connectionFromCredential({ kubeconfig: kubeconfig(exec), allowHostAccess: true }).clusterName).toBe('a');
		// Refused even when the chosen context's user needs nothing: client-node reads every user while parsing.
		expect(failure({ kubeconfig: kubeconfig(exec), context: 'b' }).message).toMatch(/user "ua" has "exec"/);
		const gcp = '- name: ua\n  user:\n    auth-provider:\n      name: gcp\n      config:\n        cmd-path: /usr/bin/gcloud\n        cmd-args: config config-helper\n- name: ub\n  user:\n    token: tb';
		expect(failure({ kubeconfig: kubeconfig(gcp) }).message).toMatch(/user "ua" has "auth-provider", which makes n8n run a command/);
	});

	test('a token file is never read without permission: it would be sent to the kubeconfig\'s server', () => {
		const secret = path.join(os.tmpdir(), `kube-ops-secret-${process.pid}`);
		fs.writeFileSync(secret, 'n8n-encryption-key');
		try {
			expect(failure({ kubeconfig: kubeconfig(`- name: ua\n  user:\n    token-file: ${secret}\n- name: ub\n  user:\n    token: tb`) }).message).toBe(
				'The kubeconfig\'s user "ua" has "token-file", which makes n8n read a file on its host, and this credential does not allow that (option "Allow Exec Plugins and Local Files" is off)',
			);
			expect(failure({ kubeconfig: kubeconfig('- name: ua\n  user:\n    client-certificate: /etc/c.crt\n    client-key: /etc/c.key\n- name: ub\n  user:\n    token: tb') }).message).toMatch(/user "ua" has "client-certificate", which makes n8n read a file/);
			const ca = kubeconfig(tokenUsers).replace('server: https://b.example:443', 'server: https://b.example:443\n    certificate-authority: /etc/ca.crt');
			expect(failure({ kubeconfig: ca }).message).toMatch(/cluster "cb" has "certificate-authority", which makes n8n read a file/);
			const allowed = connectionFromCredential({ kubeconfig: kubeconfig(`- name: ua\n  user:\n    token-file: ${secret}\n- name: ub\n  user:\n    token: tb`), allowHostAccess: true });
			expect(allowed.kubeConfig.getCurrentUser()?.token).toBe('n8n-encryption-key');
		} finally {
			fs.rmSync(secret, { force: true });
		}
	});
});

describe('server URL and token', () => {
	test('builds a one-context KubeConfig with the CA; no cluster name unless given', () => {
		const connection = connectionFromCredential({ source: 'token', server: 'https://10.0.0.1:6443/', token: ' t0k ', caCertificate: ca });
		expect(connection).toMatchObject({ server: 'https://10.0.0.1:6443', clusterName: undefined });
		expect(connection.kubeConfig.getCurrentUser()?.token).toBe('t0k');
		expect(Buffer.from(connection.kubeConfig.getCurrentCluster()?.caData ?? '', 'base64').toString()).toBe(ca.trim());
		expect(connectionFromCredential({ source: 'token', server: 'https://k', token: 't', allowInsecure: true }).kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(true);
		// The token form's earlier switch still counts as the owner's explicit choice.
		expect(connectionFromCredential({ source: 'token', server: 'https://k', token: 't', skipTlsVerify: true }).insecure).toMatch(/^Insecure connection allowed by the credential: cluster "cluster" skips TLS verification/);
	});

	test('refuses what would leak or fail', () => {
		expect(failure({ source: 'token', server: 'k8s.example', token: 't' }).message).toBe('Server URL "k8s.example" is not a URL');
		expect(failure({ source: 'token', server: 'http://k8s.example', token: 't' }).message).toBe('Server URL "http://k8s.example" is not https');
		expect(failure({ source: 'token', server: 'https://k8s.example', token: '' }).message).toBe('The credential has no token');
		expect(failure({ source: 'token', server: 'https://k8s.example', token: 't', caCertificate: 'LS0tLS1CRUdJTi' }).message).toBe('CA Certificate is not a PEM certificate');
		expect(failure({ source: 'vault' }).message).toBe('Unknown credential source "vault"');
	});
});

describe('in-cluster service account', () => {
	let root: string;

	beforeAll(() => {
		root = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-incluster-'));
		const dir = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'token'), 'sa-token');
		fs.writeFileSync(path.join(dir, 'ca.crt'), ca);
		fs.writeFileSync(path.join(dir, 'namespace'), 'kube-ops');
	});

	afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

	test('reads the mounted service account and the service address', () => {
		const connection = connectionFromCredential({ source: 'inCluster', clusterName: 'prod' }, { env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, inClusterRoot: root });
		expect(connection).toMatchObject({ server: 'https://10.96.0.1:443', clusterName: 'prod' });
		expect(connection.kubeConfig.getCurrentCluster()?.caFile).toBe(path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount/ca.crt'));
		expect(connectionFromCredential({ source: 'inCluster' }, { env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, inClusterRoot: root }).server).toBe('https://[fd00::1]:443');
	});

	test('outside a pod, or without a mounted token', () => {
		expect(failure({ source: 'inCluster' }, { env: {}, inClusterRoot: root }).message).toMatch(/^n8n is not running inside a Kubernetes pod/);
		const empty = failure({ source: 'inCluster' }, { env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, inClusterRoot: path.join(root, 'nowhere') });
		expect(empty.message).toMatch(/^No service account token at .*nowhere\/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token$/);
		expect(empty.fix).toMatch(/automountServiceAccountToken/);
	});
});
