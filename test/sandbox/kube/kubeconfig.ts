import * as fs from 'node:fs';
import * as path from 'node:path';

export interface KubeconfigCluster {
	/** Context and cluster name, e.g. `us-east`. */
	name: string;
	url: string;
	/** PEM to trust for an https URL. */
	caCert?: string;
	tokens: { admin: string; limited: string };
	/** Default namespace of the context (none by default, i.e. `default`). */
	namespace?: string;
}

function quote(value: string): string {
	// A JSON string is a valid double-quoted YAML scalar.
	return JSON.stringify(value);
}

/**
 * A kubeconfig in YAML: one cluster and one context per sandbox (admin
 * user), plus a `<name>-limited` user that no context uses, for
 * `kubectl --user <name>-limited`. The first cluster is the current context.
 */
export function renderKubeconfig(clusters: KubeconfigCluster[]): string {
	if (clusters.length === 0) throw new Error('a kubeconfig needs at least one cluster');
	const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', `current-context: ${quote(clusters[0].name)}`, 'clusters:'];
	for (const c of clusters) {
		lines.push(`- name: ${quote(c.name)}`, '  cluster:', `    server: ${quote(c.url)}`);
		if (c.caCert) lines.push(`    certificate-authority-data: ${Buffer.from(c.caCert).toString('base64')}`);
	}
	lines.push('contexts:');
	for (const c of clusters) {
		lines.push(`- name: ${quote(c.name)}`, '  context:', `    cluster: ${quote(c.name)}`, `    user: ${quote(`${c.name}-admin`)}`);
		if (c.namespace) lines.push(`    namespace: ${quote(c.namespace)}`);
	}
	lines.push('users:');
	for (const c of clusters) {
		lines.push(`- name: ${quote(`${c.name}-admin`)}`, '  user:', `    token: ${quote(c.tokens.admin)}`);
		lines.push(`- name: ${quote(`${c.name}-limited`)}`, '  user:', `    token: ${quote(c.tokens.limited)}`);
	}
	return `${lines.join('\n')}\n`;
}

/** Writes the kubeconfig with owner-only permissions: it holds bearer tokens. */
export function writeKubeconfig(file: string, clusters: KubeconfigCluster[]): string {
	fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
	fs.writeFileSync(file, renderKubeconfig(clusters), { mode: 0o600 });
	return path.resolve(file);
}
