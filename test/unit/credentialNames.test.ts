import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ICredentialType } from 'n8n-workflow';

/**
 * n8n keys credential types by name across every installed package: a community package defining `kubernetesApi`
 * next to ours would shadow one of the two. Every type this package defines carries its prefix, and the shipped
 * workflows and nodes use only those.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const files = fs.readdirSync(path.join(ROOT, 'credentials')).filter((f) => f.endsWith('.credentials.ts'));

async function credentialTypes(): Promise<ICredentialType[]> {
	const modules = await Promise.all(files.map(async (file) => (await import(path.join(ROOT, 'credentials', file))) as Record<string, new () => ICredentialType>));
	return modules.flatMap((exported) => Object.values(exported).map((Type) => new Type()));
}

test('every credential type is named kubeOps…', async () => {
	const names = (await credentialTypes()).map((type) => type.name);
	expect(names.length).toBe(files.length);
	expect(names.filter((name) => !/^kubeOps[A-Z]/.test(name))).toEqual([]);
});

test('the shipped workflows reference only credential types this package or n8n itself defines', async () => {
	const ours = new Set((await credentialTypes()).map((type) => type.name));
	const n8nOwn = new Set(['httpBasicAuth']);
	for (const file of fs.readdirSync(path.join(ROOT, 'workflows')).filter((f) => f.endsWith('.json'))) {
		const workflow = JSON.parse(fs.readFileSync(path.join(ROOT, 'workflows', file), 'utf8')) as { nodes: Array<{ name: string; credentials?: Record<string, unknown> }> };
		const used = workflow.nodes.flatMap((node) => Object.keys(node.credentials ?? {}).map((type) => ({ node: node.name, type })));
		expect(used.length).toBeGreaterThan(0);
		expect(used.filter(({ type }) => !ours.has(type) && !n8nOwn.has(type))).toEqual([]);
	}
});
