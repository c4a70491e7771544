import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';

import {
	KubeClient,
	acquireLease,
	annotate,
	connectionFromCredential,
	findHpaFor,
	findScaledObjectFor,
	releaseLease,
	renewLease,
	rolloutUndo,
	scaleWorkload,
	setCanaryWeight,
	setHpaBounds,
	setKedaBounds,
	waitForReady,
} from '../../src/kubernetes';
import { type KubeSandbox, renderKubeconfig, startKubeSandbox } from '../sandbox/kube';

/*
 * The shipped RBAC Role against what the operations really request: every
 * operation runs against the sandbox, each HTTP request it makes becomes
 * (apiGroup, resource, verb), and the Role must grant all of them. A new
 * request in the engine without a matching rule fails here, not in production.
 */

interface Rule {
	apiGroups: string[];
	resources: string[];
	verbs: string[];
}

const ROLE_FILE = path.join(__dirname, '../../deploy/rbac/kube-ops-role.yaml');
const documents = loadAllYaml(fs.readFileSync(ROLE_FILE, 'utf8')) as { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[]; roleRef?: { kind: string; name: string }; subjects?: { kind: string; name: string; namespace: string }[] }[];

let sandbox: KubeSandbox;
const requests: string[] = [];

beforeAll(async () => {
	sandbox = await startKubeSandbox({
		clusterName: 'rbac',
		podStartupMs: 20,
		log: (line) => {
			if (/^(GET|POST|PUT|PATCH|DELETE) \//.test(line)) requests.push(line);
		},
	});
});

afterAll(async () => {
	await sandbox?.close();
});

/** Where a request lands in RBAC terms; undefined for non-resource URLs (version, discovery). */
function permission(line: string): string | undefined {
	const [method, url] = line.split(' ');
	const segments = new URL(url, 'https://x').pathname.split('/').filter(Boolean);
	let group: string;
	let rest: string[];
	if (segments[0] === 'api' && segments.length > 2) [group, rest] = ['', segments.slice(2)];
	else if (segments[0] === 'apis' && segments.length > 3) [group, rest] = [segments[1], segments.slice(3)];
	else return undefined;
	if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
	const [resource, name, sub] = rest;
	const verb = { GET: name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' }[method];
	return `${group}|${sub ? `${resource}/${sub}` : resource}|${verb}`;
}

function granted(rules: Rule[], wanted: string): boolean {
	const [group, resource, verb] = wanted.split('|');
	return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
}

test('the file holds a ServiceAccount, a namespaced Role and the RoleBinding between them; nothing cluster-wide', () => {
	expect(documents.map((d) => d.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);
	const [account, role, binding] = documents;
	expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
	expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
	expect(binding.metadata.namespace).toBe(role.metadata.namespace);
	for (const rule of role.rules ?? []) expect(rule.verbs).not.toContain('*');
});

test('every request every operation makes is granted by the Role', async () => {
	const kubeconfig = renderKubeconfig([{ name: 'rbac', url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens }]);
	const client = new KubeClient(connectionFromCredential({ source: 'kubeconfig', kubeconfig }));
	const options = { dryRun: false, audit: { actor: 'rbac-test' } };
	sandbox.api.create(sandbox.api.def('rollouts.argoproj.io'), 'shop', {
		metadata: { name: 'cart', namespace: 'shop' },
		spec: { replicas: 1, selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'cart:1' }] } } },
	});
	sandbox.api.patch(sandbox.api.def('deployments.apps'), 'shop', 'checkout', 'strategic', { spec: { template: { spec: { containers: [{ name: 'checkout', image: 'checkout:2' }] } } } });
	sandbox.settle();

	await scaleWorkload(client, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }, 4, options);
	await scaleWorkload(client, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'shop', name: 'cart' }, 2, options);
	await setHpaBounds(client, 'shop', await findHpaFor(client, 'shop', { kind: 'Deployment', name: 'web' }), { min: 4 }, options);
	await setKedaBounds(client, 'shop', await findScaledObjectFor(client, 'shop', { kind: 'Deployment', name: 'worker' }), { min: 3 }, options);
	await rolloutUndo(client, 'shop', 'checkout', 0, options);
	await setCanaryWeight(client, 'shop', 'checkout-canary', 0, options);
	await annotate(client, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }, { 'example.com/x': 'y' }, options);
	await waitForReady(client, 'Deployment', 'shop', 'web', { timeoutMs: 5000, intervalMs: 50 });
	const lock = { namespace: 'shop', name: 'kube-ops-failover-web', holder: 'rbac-test' };
	await acquireLease(client, lock);
	await renewLease(client, lock);
	await releaseLease(client, lock);

	const role = documents.find((d) => d.kind === 'Role') as { rules: Rule[] };
	const used = [...new Set(requests.map(permission).filter((p): p is string => p !== undefined))].sort();
	expect(used.length).toBeGreaterThan(15);
	expect(used.filter((p) => !granted(role.rules, p))).toEqual([]);
	// Generic Patch on the kinds above needs nothing more; other kinds need their own rule (see the file's comment).
	expect(used).toEqual(expect.arrayContaining(['apps|deployments/scale|patch', '|events|create', 'coordination.k8s.io|leases|update', 'apps|replicasets|list']));
});
