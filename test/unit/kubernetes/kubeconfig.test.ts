import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';

import { KubeError, connectionFromCredential } from '../../../src/kubernetes';

/*
 * Hostile kubeconfigs, as a user who may create a credential would write
 * them: every field that makes client-node run a program or read a file, in
 * every YAML shape (string, number, list, mapping, !!binary, nested). With
 * "Allow Exec Plugins and Local Files" off each is refused naming the field
 * and the option, and nothing runs and no file is read. The positive control
 * shows the same text does run a command once the option is on.
 */

let dir: string;
let marker: string;
let secretFile: string;

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-hostile-'));
	marker = path.join(dir, 'ran');
	secretFile = path.join(dir, 'secret');
	fs.writeFileSync(secretFile, 'host-secret-value');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

afterEach(() => fs.rmSync(marker, { force: true }));

function doc(user: string, cluster = ''): string {
	return [
		'apiVersion: v1',
		'kind: Config',
		'current-context: c',
		'clusters:',
		`- name: k\n  cluster:\n    server: https://k.example:6443${cluster}`,
		'contexts:',
		'- name: c\n  context:\n    cluster: k\n    user: u',
		'users:',
		`- name: u\n  user:\n${user}`,
	].join('\n');
}

function refusal(kubeconfig: string): KubeError {
	try {
		connectionFromCredential({ source: 'kubeconfig', kubeconfig });
	} catch (error) {
		expect(error).toBeInstanceOf(KubeError);
		return error as KubeError;
	}
	throw new Error('expected the kubeconfig to be refused');
}

const touch = () => `touch ${marker}`;

// [what, user or cluster YAML, the field the refusal must name]
const hostile: Array<[string, () => string, string]> = [
	['gcp cmd-path as a number, the command in cmd-args', () => doc(`    auth-provider:\n      name: gcp\n      config:\n        cmd-path: 1\n        cmd-args: "; ${touch()}"`), 'auth-provider'],
	['gcp cmd-path as a list', () => doc(`    auth-provider:\n      name: gcp\n      config:\n        cmd-path: ["${touch()}"]`), 'auth-provider'],
	['azure auth-provider with cmd-path as a mapping', () => doc(`    auth-provider:\n      name: azure\n      config:\n        cmd-path: {a: "${touch()}"}`), 'auth-provider'],
	['auth-provider as a list', () => doc(`    auth-provider: [gcp]`), 'auth-provider'],
	['auth-provider as a number', () => doc(`    auth-provider: 1`), 'auth-provider'],
	['exec with a string command', () => doc(`    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args: ["-c", "${touch()}"]`), 'exec'],
	['exec with a list command', () => doc(`    exec:\n      command: [sh, -c, "${touch()}"]`), 'exec'],
	['exec as a number', () => doc(`    exec: 7`), 'exec'],
	['exec as !!binary', () => doc(`    exec: !!binary c2g=`), 'exec'],
	['token-file as a string', () => doc(`    token-file: ${secretFile}`), 'token-file'],
	['token-file as !!binary', () => doc(`    token-file: !!binary ${Buffer.from(secretFile).toString('base64')}`), 'token-file'],
	['token-file as a list', () => doc(`    token-file: ["${secretFile}"]`), 'token-file'],
	['token-file as a number', () => doc(`    token-file: 42`), 'token-file'],
	['client-certificate as a list', () => doc(`    client-certificate: ["${secretFile}"]`), 'client-certificate'],
	['client-key as !!binary', () => doc(`    client-key: !!binary ${Buffer.from(secretFile).toString('base64')}`), 'client-key'],
	['certificate-authority on the cluster as a mapping', () => doc('    token: t0123456789', `\n    certificate-authority: {path: "${secretFile}"}`), 'certificate-authority'],
];

describe('with "Allow Exec Plugins and Local Files" off', () => {
	test.each(hostile)('%s: refused naming the field and the option; nothing runs', (_what, render, field) => {
		const error = refusal(render());
		expect(error.message).toContain(`has "${field}"`);
		expect(error.message).toContain('"Allow Exec Plugins and Local Files"');
		expect(error.fix).toMatch(/Turn on "Allow Exec Plugins and Local Files"/);
		expect(error.message).not.toContain('host-secret-value');
		expect(fs.existsSync(marker)).toBe(false);
	});

	test('the positive control: the same shapes do run once the owner allows it', async () => {
		const kubeconfig = hostile[0][1]();
		const { kubeConfig } = connectionFromCredential({ source: 'kubeconfig', kubeconfig, allowHostAccess: true });
		// client-node's gcp provider runs "<cmd-path> <cmd-args>" through a shell; its own parsing of the output then fails.
		await kubeConfig.applySecurityAuthentication(new k8s.RequestContext('https://k.example:6443/version', k8s.HttpMethod.GET)).catch(() => undefined);
		expect(fs.existsSync(marker)).toBe(true);
	});

	test('YAML that is not plain data is refused wherever it is', () => {
		expect(refusal(doc('    token: !!binary aGVsbG8=')).message).toMatch(/not plain YAML data \(binary data, e\.g\. !!binary\)/);
		expect(refusal(doc('    token: 2026-01-01')).message).toMatch(/not plain YAML data \(a timestamp\)/);
		expect(refusal(doc('    token: [a, b]')).message).toBe('The kubeconfig\'s user "u" has "token" that is not a string (a list)');
		expect(refusal(doc('    password: 12345678\n    username: admin')).message).toBe('The kubeconfig\'s user "u" has "password" that is not a string (number)');
		expect(refusal(doc('    token: t', '\n    insecure-skip-tls-verify: "yes"')).message).toMatch(/"insecure-skip-tls-verify" that is not true or false/);
	});

	test('fields outside the allowlist are refused by name, even harmless-looking ones', () => {
		expect(refusal(doc('    token: t\n    as: admin')).message).toBe('The kubeconfig\'s user "u" has "as", which this credential does not support unless "Allow Exec Plugins and Local Files" is on');
		expect(refusal(doc('    token: t', '\n    proxy-url: http://proxy:3128')).message).toMatch(/cluster "k" has "proxy-url"/);
		expect(refusal(`${doc('    token: t')}\nsomething: else`).message).toMatch(/has "something" at the top level/);
		expect(refusal(doc('    token: t').replace('- name: u\n  user:', '- name: u\n  exec: {command: sh}\n  user:')).message).toBe('The kubeconfig\'s users[0] has "exec" next to name and user');
	});

	test('two entries with one name are ambiguous and refused', () => {
		expect(refusal(`${doc('    token: t')}\n- name: u\n  user:\n    token: other`).message).toBe('The kubeconfig names user "u" twice');
	});

	test('YAML aliases cannot blow up the walk', () => {
		const bomb = ['preferences:', '  a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `  ${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
		expect(refusal(`${doc('    token: t')}\n${bomb}`).message).toMatch(/too large to read/);
	});

	test('a token that cannot be an HTTP header value is refused without echoing it', () => {
		const error = refusal(doc('    token: "abc\\ndef-secret-part"'));
		expect(error.message).toBe('The kubeconfig\'s user "u" has a token with a line break, a control or a non-ASCII character, which cannot be sent in an HTTP header');
		expect(refusal(doc('    token: "tökén-secret"')).message).not.toContain('secret');
	});

	test('inline data is accepted: token, client certificate and key data, basic auth, tls-server-name, namespace', () => {
		const kubeconfig = doc('    client-certificate-data: Y2VydA==\n    client-key-data: a2V5\n    username: admin\n    password: pw', '\n    certificate-authority-data: Y2E=\n    tls-server-name: api.internal\n    extensions: [{name: x, extension: {}}]').replace('    user: u', '    user: u\n    namespace: shop');
		const { kubeConfig } = connectionFromCredential({ source: 'kubeconfig', kubeconfig });
		expect(kubeConfig.getCurrentUser()).toMatchObject({ certData: 'Y2VydA==', keyData: 'a2V5', username: 'admin', password: 'pw' });
		expect(kubeConfig.getCurrentCluster()).toMatchObject({ caData: 'Y2E=', tlsServerName: 'api.internal', skipTLSVerify: false });
		expect(kubeConfig.getContextObject('c')?.namespace).toBe('shop');
	});
});

describe('TLS unless the owner says otherwise', () => {
	test('http:// and insecure-skip-tls-verify need "Allow Insecure Connection"; then the connection says so', () => {
		const plain = doc('    token: t').replace('https://k.example:6443', 'http://k.example:8080');
		expect(refusal(plain).message).toBe('The connection would not be secure (cluster "k" is reached over plain http (http://k.example:8080)), and this credential does not allow that (option "Allow Insecure Connection" is off)');
		expect(connectionFromCredential({ source: 'kubeconfig', kubeconfig: plain, allowInsecure: true }).insecure).toBe('Insecure connection allowed by the credential: cluster "k" is reached over plain http (http://k.example:8080)');
		const skip = doc('    token: t', '\n    insecure-skip-tls-verify: true');
		expect(refusal(skip).message).toMatch(/cluster "k" skips TLS verification \(insecure-skip-tls-verify\)\), and this credential does not allow that \(option "Allow Insecure Connection" is off\)/);
		expect(connectionFromCredential({ source: 'kubeconfig', kubeconfig: skip, allowInsecure: true }).insecure).toMatch(/skips TLS verification/);
		// Also with the host-access option on: client-node then reads the file whole, the transport rule still holds.
		expect(() => connectionFromCredential({ source: 'kubeconfig', kubeconfig: skip, allowHostAccess: true })).toThrow(/"Allow Insecure Connection" is off/);
		expect(connectionFromCredential({ source: 'kubeconfig', kubeconfig: doc('    token: t') }).insecure).toBeUndefined();
	});

	test('the token form: http only with the option; a password in the server URL never appears in the error', () => {
		expect(() => connectionFromCredential({ source: 'token', server: 'http://k.example', token: 'tok-abcdef' })).toThrow(/is not https/);
		expect(connectionFromCredential({ source: 'token', server: 'http://k.example', token: 'tok-abcdef', allowInsecure: true }).insecure).toMatch(/plain http/);
		const plain = doc('    token: t').replace('https://k.example:6443', 'http://admin:s3cr3t-pass@k.example:8080');
		const error = refusal(plain);
		expect(error.message).toContain('http://admin:[redacted]@k.example:8080');
		expect(error.message).not.toContain('s3cr3t-pass');
	});
});

describe('names from alerts never address another object', () => {
	test('a namespace or name of "." or ".." is refused before any request', async () => {
		const { KubeClient } = await import('../../../src/kubernetes');
		const { knownResource } = await import('../../../src/kubernetes/resources');
		const client = new KubeClient(connectionFromCredential({ source: 'kubeconfig', kubeconfig: doc('    token: t0123456789') }));
		const leases = knownResource('coordination.k8s.io/v1', 'Lease');
		expect(leases).toBeDefined();
		await expect((async () => client.get(leases!, '..', 'kube-ops-failover-checkout'))()).rejects.toThrow('The namespace ".." is not a Kubernetes name');
		await expect((async () => client.get(leases!, 'shop', '.'))()).rejects.toThrow('The name "." is not a Kubernetes name');
	});
});
