import * as fs from 'node:fs';
import * as k8s from '@kubernetes/client-node';

import { KubeError } from './errors';
import { INSECURE_OPTION, MAX_KUBECONFIG_BYTES, insecurityOf, readKubeconfigByAllowlist } from './kubeconfig';
import { headerSafe } from '../shared/headerValue';
import { redact, rememberSecret } from '../shared/redact';

/**
 * The Kubernetes credential's fields as n8n stores them (plain data, so the
 * engine stays free of n8n). One mapping for the node, its credential test
 * and the CLI.
 */
export interface KubernetesCredentialFields {
	/** 'kubeconfig' | 'token' | 'inCluster' */
	source?: unknown;
	kubeconfig?: unknown;
	/** Context to use; empty = the kubeconfig's current-context. */
	context?: unknown;
	/** Lets the kubeconfig run commands (exec plugins) and read files on the n8n host. */
	allowHostAccess?: unknown;
	server?: unknown;
	token?: unknown;
	caCertificate?: unknown;
	/** Plain http servers and TLS verification off are refused unless this is true. */
	allowInsecure?: unknown;
	/** Earlier name of allowInsecure in the token form; still honoured. */
	skipTlsVerify?: unknown;
	/** Name proposals use for this cluster (target.cluster); defaults to the context name. */
	clusterName?: unknown;
	/** Milliseconds per request. */
	timeout?: unknown;
}

export interface KubeConnection {
	kubeConfig: k8s.KubeConfig;
	server: string;
	/** What proposals must name as target.cluster; undefined when nothing identifies the cluster. */
	clusterName?: string;
	timeoutMs: number;
	/** Set when the credential allowed plain http or no TLS verification: what the node's output notes. */
	insecure?: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value).trim();
}

function configError(message: string, fix: string): KubeError {
	return new KubeError('config', message, fix);
}

function fromKubeconfig(fields: KubernetesCredentialFields): { kc: k8s.KubeConfig; context: string } {
	const raw = typeof fields.kubeconfig === 'string' ? fields.kubeconfig : '';
	if (!raw.trim()) throw configError('The credential has no kubeconfig', 'Paste the kubeconfig (the output of kubectl config view --minify --raw) into the credential.');
	if (Buffer.byteLength(raw) > MAX_KUBECONFIG_BYTES) throw configError(`The kubeconfig is over ${MAX_KUBECONFIG_BYTES} bytes`, 'Export only the context n8n needs: kubectl config view --minify --raw --context <name>.');
	const unreadable = (error: unknown) =>
		configError(`The kubeconfig could not be read: ${(error as Error).message}`, 'Paste the whole kubeconfig file as YAML; kubectl config view --minify --raw prints one with the certificates inlined.');
	let doc: unknown;
	try {
		doc = k8s.loadYaml(raw);
	} catch (error) {
		throw unreadable(error);
	}
	if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw unreadable(new Error('it is not a YAML mapping'));
	const kc = new k8s.KubeConfig();
	if (fields.allowHostAccess === true) {
		// The owner trusts this kubeconfig with the n8n host: client-node reads it whole, as kubectl would.
		try {
			kc.loadFromString(raw);
		} catch (error) {
			throw unreadable(error);
		}
	} else {
		kc.loadFromOptions(readKubeconfigByAllowlist(doc as Record<string, unknown>));
	}
	for (const user of kc.getUsers()) rememberSecret(user.token, user.password, user.keyData);
	const names = kc.getContexts().map((c) => c.name);
	if (names.length === 0) throw configError('The kubeconfig has no contexts', 'Add a context (kubectl config set-context) or paste a kubeconfig exported with kubectl config view --minify --raw.');
	const wanted = text(fields.context) || kc.getCurrentContext();
	if (!wanted) throw configError(`The kubeconfig has no current-context; pick one of: ${names.join(', ')}`, 'Set Context in the credential.');
	if (!names.includes(wanted)) throw configError(`Context "${wanted}" is not in the kubeconfig (it has: ${names.join(', ')})`, 'Set Context in the credential to one of the listed names, or leave it empty for the current-context.');
	kc.setCurrentContext(wanted);
	const context = kc.getContextObject(wanted);
	const cluster = kc.getCurrentCluster();
	const user = kc.getCurrentUser();
	if (!cluster) throw configError(`Context "${wanted}" refers to cluster "${context?.cluster ?? ''}", which the kubeconfig does not define`, 'Export the kubeconfig again with kubectl config view --minify --raw --context <name>.');
	if (!user) throw configError(`Context "${wanted}" refers to user "${context?.user ?? ''}", which the kubeconfig does not define`, 'Export the kubeconfig again with kubectl config view --minify --raw --context <name>.');
	return { kc, context: wanted };
}

/** Plain http or TLS verification off is refused unless the credential allows an insecure connection. */
function checkTransport(kc: k8s.KubeConfig, fields: KubernetesCredentialFields): string | undefined {
	const cluster = kc.getCurrentCluster();
	const found = cluster ? insecurityOf([cluster]) : [];
	if (found.length === 0) return undefined;
	if (!allowsInsecure(fields)) {
		throw configError(
			`The connection would not be secure (${found.join('; ')}), and this credential does not allow that (option "${INSECURE_OPTION}" is off)`,
			`Use an https server with its CA (certificate-authority-data), or turn on "${INSECURE_OPTION}" for a test cluster: the token is then sent to whoever answers.`,
		);
	}
	return redact(`Insecure connection allowed by the credential: ${found.join('; ')}`);
}

function allowsInsecure(fields: KubernetesCredentialFields): boolean {
	// skipTlsVerify: the token form's earlier switch, still honoured for stored credentials.
	return fields.allowInsecure === true || fields.skipTlsVerify === true;
}

function fromToken(fields: KubernetesCredentialFields): k8s.KubeConfig {
	const server = text(fields.server).replace(/\/+$/, '');
	let url: URL;
	try {
		url = new URL(server);
	} catch {
		throw configError(`Server URL "${server}" is not a URL`, 'Use the API server address, e.g. https://10.0.0.1:6443 (kubectl config view --minify -o jsonpath={.clusters[0].cluster.server}).');
	}
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowsInsecure(fields))) {
		throw configError(
			`Server URL "${server}" is not https`,
			`The API server must be reached over https so the token is not sent in clear text; for a test cluster only, turn on "${INSECURE_OPTION}".`,
		);
	}
	const token = text(fields.token);
	if (!token) throw configError('The credential has no token', 'Paste a service account token (kubectl create token <service-account> -n <namespace> --duration=...).');
	if (!headerSafe(token)) throw configError('The token has a line break, a control or a non-ASCII character, which cannot be sent in an HTTP header', 'Paste the token again without surrounding text (kubectl create token prints it on one line).');
	const ca = typeof fields.caCertificate === 'string' ? fields.caCertificate.trim() : '';
	if (ca && !ca.includes('-----BEGIN CERTIFICATE-----')) {
		throw configError('CA Certificate is not a PEM certificate', 'Paste the PEM text starting with -----BEGIN CERTIFICATE----- (base64-decode certificate-authority-data from a kubeconfig).');
	}
	rememberSecret(token);
	const kc = new k8s.KubeConfig();
	kc.loadFromOptions({
		clusters: [{ name: 'cluster', server, caData: ca ? Buffer.from(ca).toString('base64') : undefined, skipTLSVerify: allowsInsecure(fields) }],
		users: [{ name: 'user', token }],
		contexts: [{ name: 'context', cluster: 'cluster', user: 'user' }],
		currentContext: 'context',
	});
	return kc;
}

function fromCluster(env: NodeJS.ProcessEnv, root: string): k8s.KubeConfig {
	const serviceAccountDir = `${root}${SERVICE_ACCOUNT_DIR}`;
	if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) {
		throw configError(
			'n8n is not running inside a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set), so there is no in-cluster service account',
			'Use a kubeconfig or a server URL and token instead, or run n8n in the cluster.',
		);
	}
	if (!fs.existsSync(`${serviceAccountDir}/token`)) {
		throw configError(
			`No service account token at ${serviceAccountDir}/token`,
			'Give the n8n pod a service account and do not set automountServiceAccountToken: false.',
		);
	}
	const kc = new k8s.KubeConfig();
	const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
	// client-node reads the address from process.env; pass ours through for the duration of the call.
	process.env.KUBERNETES_SERVICE_HOST = env.KUBERNETES_SERVICE_HOST;
	process.env.KUBERNETES_SERVICE_PORT = env.KUBERNETES_SERVICE_PORT;
	try {
		kc.loadFromCluster(root);
	} finally {
		restore('KUBERNETES_SERVICE_HOST', saved.host);
		restore('KUBERNETES_SERVICE_PORT', saved.port);
	}
	return kc;
}

function restore(name: string, value: string | undefined): void {
	if (value === undefined) delete process.env[name];
	else process.env[name] = value;
}

export interface ConnectionOptions {
	env?: NodeJS.ProcessEnv;
	/** Prefix of the in-cluster service account path (tests mount a fake one elsewhere). */
	inClusterRoot?: string;
}

/**
 * Builds client-node's KubeConfig from the credential. Without "Allow Exec
 * Plugins and Local Files" only inline data reaches client-node (see
 * kubeconfig.ts); with it, every auth method client-node supports (exec
 * plugins, OIDC, token files) works as it does for kubectl.
 */
export function connectionFromCredential(fields: KubernetesCredentialFields, options: ConnectionOptions = {}): KubeConnection {
	const source = text(fields.source) || 'kubeconfig';
	let kc: k8s.KubeConfig;
	let clusterName = text(fields.clusterName) || undefined;
	if (source === 'kubeconfig') {
		const loaded = fromKubeconfig(fields);
		kc = loaded.kc;
		clusterName ??= loaded.context;
	} else if (source === 'token') {
		kc = fromToken(fields);
	} else if (source === 'inCluster') {
		kc = fromCluster(options.env ?? process.env, options.inClusterRoot ?? '');
	} else {
		throw configError(`Unknown credential source "${source}"`, 'Pick Kubeconfig, Server URL and Token, or In-Cluster Service Account.');
	}
	const insecure = checkTransport(kc, fields);
	const server = kc.getCurrentCluster()?.server ?? '';
	const timeout = Number(fields.timeout);
	return { kubeConfig: kc, server, clusterName, timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS, ...(insecure ? { insecure } : {}) };
}
