import * as fs from 'node:fs';
import * as path from 'node:path';

import { DIST, ROOT, listFiles, requireBuilt, runNodeScript } from '../harness/built';

/**
 * The built package as n8n sees it: n8n-core's own PackageDirectoryLoader
 * (what n8n uses for installed community packages) reads package.json and
 * requires the compiled files with plain CommonJS `require`, in a separate
 * Node 24 process outside jest.
 */

const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('package.json declares an n8n community package', () => {
	expect(packageJson.name).toBe('n8n-nodes-kube-ops');
	expect(packageJson.license).toBe('MIT');
	expect(packageJson.keywords).toContain('n8n-community-node-package');
	expect(packageJson.files).toEqual(['dist']);
	expect(packageJson.n8n.n8nNodesApiVersion).toBe(1);
	expect(packageJson.engines.node).toBe('>=24');
	expect(packageJson.peerDependencies['n8n-workflow']).toBeDefined();
	for (const file of [...packageJson.n8n.nodes, ...packageJson.n8n.credentials]) expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
});

test('n8n\'s package loader loads every node and credential from dist, with their icons', () => {
	const script = `
		const { PackageDirectoryLoader } = require('n8n-core');
		(async () => {
			const loader = new PackageDirectoryLoader(process.argv[1]);
			await loader.loadAll();
			console.log(JSON.stringify({
				name: loader.packageName,
				nodes: loader.types.nodes.map((n) => ({ name: n.name, iconUrl: n.iconUrl, credentials: n.credentials })),
				credentials: loader.types.credentials.map((c) => ({ name: c.name, iconUrl: c.iconUrl })),
			}));
		})().catch((e) => { console.error(e); process.exit(1); });`;
	const result = runNodeScript(script, [ROOT]);
	expect(result.stderr).toBe('');
	expect(result.status).toBe(0);
	const loaded = JSON.parse(result.stdout);
	expect(loaded.name).toBe('n8n-nodes-kube-ops');
	const expectedNodes = packageJson.n8n.nodes.map((f: string) => path.basename(f, '.node.js'));
	expect(loaded.nodes.map((n: { name: string }) => n.name.toLowerCase()).sort()).toEqual(expectedNodes.map((n: string) => n.toLowerCase()).sort());
	expect(loaded.nodes.find((n: { name: string }) => n.name === 'prometheusQuery').credentials[0]).toMatchObject({ name: 'kubeOpsPrometheusApi', testedBy: 'prometheusApiConnectionTest' });
	expect(loaded.credentials.map((c: { name: string }) => c.name)).toContain('kubeOpsPrometheusApi');
	for (const entry of [...loaded.nodes, ...loaded.credentials]) {
		for (const url of Object.values(entry.iconUrl as Record<string, string>)) {
			// n8n serves icons/<package>/<path inside the package>
			const file = path.join(ROOT, url.replace(/^icons\/n8n-nodes-kube-ops\//, ''));
			expect(fs.existsSync(file)).toBe(true);
		}
	}
});

test('the ESM-only @kubernetes/client-node loads with CommonJS require in the built package\'s Node', () => {
	requireBuilt('src/cli/main.js');
	const result = runNodeScript(
		`const k8s = require('@kubernetes/client-node'); const kc = new k8s.KubeConfig(); kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:6443' }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' }); const api = kc.makeApiClient(k8s.AppsV1Api); console.log(process.versions.node.split('.')[0], typeof api.readNamespacedDeployment, kc.getCurrentCluster().server);`,
	);
	expect(result.stderr).toBe('');
	expect(result.stdout.trim()).toBe('24 function https://127.0.0.1:6443');
});

test('the build output holds no tests and no test harness', () => {
	const files = listFiles(DIST).map((f) => path.relative(DIST, f));
	expect(files.filter((f) => /\.test\.js$|^test\/harness\//.test(f))).toEqual([]);
	expect(files).toContain('nodes/PrometheusQuery/prometheus.svg');
});
