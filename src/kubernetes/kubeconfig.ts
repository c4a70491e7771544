import type * as k8s from '@kubernetes/client-node';

import { KubeError } from './errors';
import { headerSafe } from '../shared/headerValue';
import { isRecord } from '../shared/records';

/**
 * A kubeconfig read by allowlist. client-node acts on any truthy value of
 * exec, auth-provider (cmd-path), token-file, client-certificate, ... whatever
 * its YAML type (a number, a list, a !!binary), so a denylist over string values
 * is bypassed by a different type. Here the YAML becomes plain data and only
 * the fields this package supports are copied, each with its type checked;
 * client-node never sees the rest.
 */

export const HOST_ACCESS_OPTION = 'Allow Exec Plugins and Local Files';
export const INSECURE_OPTION = 'Allow Insecure Connection';

/** Fields that make client-node run a program or read a file on the n8n host. */
const HOST_ACCESS_FIELDS: Record<'cluster' | 'user', readonly string[]> = {
	cluster: ['certificate-authority'],
	user: ['exec', 'auth-provider', 'token-file', 'client-certificate', 'client-key'],
};

const CLUSTER_FIELDS = ['server', 'certificate-authority-data', 'tls-server-name', 'insecure-skip-tls-verify'];
const USER_FIELDS = ['token', 'client-certificate-data', 'client-key-data', 'username', 'password'];
const CONTEXT_FIELDS = ['cluster', 'user', 'namespace'];
// Carried by exported kubeconfigs but never acted on by client-node.
const IGNORED_FIELDS = ['extensions'];
const TOP_LEVEL = ['apiVersion', 'kind', 'preferences', 'current-context', 'clusters', 'contexts', 'users', 'extensions'];

export const MAX_KUBECONFIG_BYTES = 1024 * 1024;
// YAML aliases make a small text a large tree; walking it must stay bounded.
const MAX_NODES = 20_000;

export interface PlainKubeconfig {
	clusters: k8s.Cluster[];
	users: k8s.User[];
	contexts: k8s.Context[];
	currentContext: string;
}

function refused(message: string, fix: string): KubeError {
	return new KubeError('config', message, fix);
}

const hostAccessFix = `Turn on "${HOST_ACCESS_OPTION}" in the credential if n8n may do so (the command must be installed in the n8n image, e.g. aws, gke-gcloud-auth-plugin, kubelogin; the files must exist in its container), or inline the data: certificate-authority-data, client-certificate-data, client-key-data, token.`;

/**
 * Fails unless the parsed YAML is plain data (strings, numbers, booleans,
 * null, lists, mappings): a !!binary Buffer, a !!timestamp Date or a custom
 * type is nothing a kubeconfig needs, and some of them are what client-node
 * would act on.
 */
export function assertPlainData(value: unknown, path = 'kubeconfig'): void {
	let visited = 0;
	const walk = (node: unknown, at: string): void => {
		visited += 1;
		if (visited > MAX_NODES) throw refused(`The kubeconfig is too large to read (over ${MAX_NODES} values, e.g. through YAML aliases)`, 'Export it with kubectl config view --minify --raw: one context, no aliases.');
		if (node === null || typeof node === 'string' || typeof node === 'boolean' || (typeof node === 'number' && Number.isFinite(node))) return;
		if (Array.isArray(node)) {
			node.forEach((item, index) => walk(item, `${at}[${index}]`));
			return;
		}
		// client-node's loadYaml wraps the root in its own class; YAML's own non-plain types are binary data and timestamps.
		if (typeof node === 'object' && !ArrayBuffer.isView(node) && !(node instanceof ArrayBuffer) && !(node instanceof Date) && !(node instanceof Map) && !(node instanceof Set)) {
			for (const [key, item] of Object.entries(node as Record<string, unknown>)) walk(item, `${at}.${key}`);
			return;
		}
		throw refused(`The kubeconfig has a value at ${at} that is not plain YAML data (${describeType(node)})`, 'Write every value as a plain string, number, boolean, list or mapping; YAML tags such as !!binary or !!timestamp are not accepted.');
	};
	walk(value, path);
}

function describeType(value: unknown): string {
	if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 'binary data, e.g. !!binary';
	if (value instanceof Date) return 'a timestamp';
	if (typeof value === 'number') return 'a non-finite number';
	return typeof value === 'object' ? 'a tagged object' : typeof value;
}


const present = (value: unknown) => value !== undefined && value !== null;

function optionalString(entry: Record<string, unknown>, field: string, where: string): string | undefined {
	const value = entry[field];
	if (!present(value)) return undefined;
	if (typeof value !== 'string') {
		throw refused(`The kubeconfig's ${where} has "${field}" that is not a string (${Array.isArray(value) ? 'a list' : typeof value})`, `Write ${field} as a plain string.`);
	}
	return value;
}

function checkFields(entry: Record<string, unknown>, allowed: readonly string[], hostAccess: readonly string[], where: string): void {
	for (const [field, value] of Object.entries(entry)) {
		if (allowed.includes(field) || IGNORED_FIELDS.includes(field) || !present(value)) continue;
		if (hostAccess.includes(field)) {
			throw refused(
				`The kubeconfig's ${where} has "${field}", which makes n8n ${field === 'exec' || field === 'auth-provider' ? 'run a command' : 'read a file'} on its host, and this credential does not allow that (option "${HOST_ACCESS_OPTION}" is off)`,
				hostAccessFix,
			);
		}
		throw refused(
			`The kubeconfig's ${where} has "${field}", which this credential does not support unless "${HOST_ACCESS_OPTION}" is on`,
			`Remove "${field}" (supported: ${allowed.join(', ')}), or turn on "${HOST_ACCESS_OPTION}" to hand the whole kubeconfig to the Kubernetes client as kubectl would.`,
		);
	}
}

function named(doc: Record<string, unknown>, list: 'clusters' | 'users' | 'contexts', inner: 'cluster' | 'user' | 'context'): Array<{ name: string; body: Record<string, unknown>; where: string }> {
	const value = doc[list];
	if (!present(value)) return [];
	if (!Array.isArray(value)) throw refused(`The kubeconfig's "${list}" is not a list`, `Write ${list} as a YAML list of entries with name and ${inner}.`);
	const seen = new Set<string>();
	return value.map((item, index) => {
		if (!isRecord(item)) throw refused(`The kubeconfig's ${list}[${index}] is not a mapping`, `Each entry has a name and a ${inner}.`);
		const extra = Object.keys(item).filter((key) => key !== 'name' && key !== inner);
		if (extra.length > 0) throw refused(`The kubeconfig's ${list}[${index}] has "${extra[0]}" next to name and ${inner}`, `Move "${extra[0]}" under ${inner}, or remove it.`);
		const name = item.name;
		if (typeof name !== 'string' || name === '') throw refused(`The kubeconfig's ${list}[${index}] has no name (or a name that is not a string)`, 'Give every entry a string name.');
		if (seen.has(name)) throw refused(`The kubeconfig names ${inner} "${name}" twice`, 'Keep one entry per name.');
		seen.add(name);
		const body = item[inner] ?? {};
		if (!isRecord(body)) throw refused(`The kubeconfig's ${inner} "${name}" is not a mapping`, `Write ${inner} as a mapping of fields.`);
		return { name, body, where: `${inner} "${name}"` };
	});
}

function headerValue(value: string | undefined, field: string, where: string): string | undefined {
	if (value !== undefined && !headerSafe(value)) {
		throw refused(`The kubeconfig's ${where} has a ${field} with a line break, a control or a non-ASCII character, which cannot be sent in an HTTP header`, `Paste the ${field} again without surrounding text.`);
	}
	return value;
}

/** The kubeconfig's data as client-node options, or a refusal naming the field and the option that would allow it. */
export function readKubeconfigByAllowlist(doc: Record<string, unknown>): PlainKubeconfig {
	for (const key of Object.keys(doc)) {
		if (!TOP_LEVEL.includes(key)) throw refused(`The kubeconfig has "${key}" at the top level, which this credential does not support unless "${HOST_ACCESS_OPTION}" is on`, `Remove "${key}"; a kubeconfig has ${TOP_LEVEL.join(', ')}.`);
	}
	// Field names first, whatever their values: the refusal then names the field and the option.
	named(doc, 'clusters', 'cluster').forEach(({ body, where }) => checkFields(body, CLUSTER_FIELDS, HOST_ACCESS_FIELDS.cluster, where));
	named(doc, 'users', 'user').forEach(({ body, where }) => checkFields(body, USER_FIELDS, HOST_ACCESS_FIELDS.user, where));
	named(doc, 'contexts', 'context').forEach(({ body, where }) => checkFields(body, CONTEXT_FIELDS, [], where));
	assertPlainData(doc);
	const clusters = named(doc, 'clusters', 'cluster').map(({ name, body, where }) => {
		const server = optionalString(body, 'server', where);
		if (!server) throw refused(`The kubeconfig's ${where} has no server`, 'Add server: https://<api server address>.');
		const skip = body['insecure-skip-tls-verify'];
		if (present(skip) && typeof skip !== 'boolean') throw refused(`The kubeconfig's ${where} has "insecure-skip-tls-verify" that is not true or false`, 'Write insecure-skip-tls-verify: true or false.');
		return {
			name,
			// As client-node's own reader: paths are appended to the server URL.
			server: server.replace(/\/$/, ''),
			caData: optionalString(body, 'certificate-authority-data', where),
			tlsServerName: optionalString(body, 'tls-server-name', where),
			skipTLSVerify: skip === true,
		} satisfies k8s.Cluster;
	});
	const users = named(doc, 'users', 'user').map(({ name, body, where }) => {
		return {
			name,
			token: headerValue(optionalString(body, 'token', where), 'token', where),
			certData: optionalString(body, 'client-certificate-data', where),
			keyData: optionalString(body, 'client-key-data', where),
			username: headerValue(optionalString(body, 'username', where), 'username', where),
			password: headerValue(optionalString(body, 'password', where), 'password', where),
		} satisfies k8s.User;
	});
	const contexts = named(doc, 'contexts', 'context').map(({ name, body, where }) => {
		return {
			name,
			cluster: optionalString(body, 'cluster', where) ?? '',
			user: optionalString(body, 'user', where) ?? '',
			namespace: optionalString(body, 'namespace', where),
		} satisfies k8s.Context;
	});
	const current = doc['current-context'];
	if (present(current) && typeof current !== 'string') throw refused('The kubeconfig\'s current-context is not a string', 'Write current-context: <context name>.');
	return { clusters, users, contexts, currentContext: typeof current === 'string' ? current : '' };
}

/**
 * What makes a connection insecure (plain http, TLS verification off), in
 * words for the refusal or, when allowed, for the node's output.
 */
export function insecurityOf(clusters: readonly Pick<k8s.Cluster, 'name' | 'server' | 'skipTLSVerify'>[]): string[] {
	const found: string[] = [];
	for (const cluster of clusters) {
		if (/^http:/i.test(cluster.server)) found.push(`cluster "${cluster.name}" is reached over plain http (${cluster.server})`);
		else if (cluster.skipTLSVerify) found.push(`cluster "${cluster.name}" skips TLS verification (insecure-skip-tls-verify)`);
	}
	return found;
}
