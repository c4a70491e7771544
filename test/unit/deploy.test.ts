import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadAllYaml } from '@kubernetes/client-node';

import { DEPLOY_DIR, composeRoles, kubernetesObjects, kubernetesRoles } from '../harness/deploy';
import { type QueueRole, queueEnv } from '../sandbox/queue/n8n';

/**
 * deploy/queue-mode/ against the environment the queue-mode harness runs n8n
 * with (queueEnv, the function test/sandbox/queue starts every process from):
 * every queue setting present for every role, with the same meaning.
 */

const ROOT = path.join(__dirname, '..', '..');
const ROLES: QueueRole[] = ['main', 'webhook', 'worker'];
const HARNESS = (role: QueueRole) => queueEnv(role, { postgres: { host: 'h', port: 1, database: 'n8n', user: 'n8n', password: 'p' }, redis: { host: 'r', port: 2 }, webhookUrl: 'http://w/' });
const COMMANDS: Record<QueueRole, string> = { main: 'start', webhook: 'webhook', worker: 'worker' };

describe.each([
	['compose.yaml', () => composeRoles(ROOT)],
	['kubernetes/', () => kubernetesRoles(ROOT)],
])('%s', (_name, read) => {
	const roles = read();

	test.each(ROLES)('%s has every setting the harness gives that role, and no queue setting it lacks', (role) => {
		const harness = HARNESS(role);
		const deployed = roles[role].env;
		expect(Object.keys(harness).filter((k) => !(k in deployed))).toEqual([]);
		// Role-specific settings the harness gives only other roles must not leak in (e.g. the main's webhook switch on a processor).
		const othersOnly = ROLES.filter((r) => r !== role).flatMap((r) => Object.keys(HARNESS(r))).filter((k) => !(k in harness));
		expect(othersOnly.filter((k) => k in deployed)).toEqual([]);
		for (const fixed of ['DB_TYPE', 'EXECUTIONS_MODE', 'N8N_DISABLE_PRODUCTION_MAIN_PROCESS', 'QUEUE_HEALTH_CHECK_ACTIVE']) {
			if (fixed in harness) expect(deployed[fixed]).toBe(harness[fixed]);
		}
		expect(deployed.NODE_ENV).toBe('production');
		expect(roles[role].command[0]).toBe(COMMANDS[role]);
	});

	test('every role has the same encryption key, user folder (where the package is), database, Redis and WEBHOOK_URL', () => {
		for (const key of ['N8N_ENCRYPTION_KEY', 'N8N_USER_FOLDER', 'DB_POSTGRESDB_HOST', 'DB_POSTGRESDB_DATABASE', 'DB_POSTGRESDB_PASSWORD', 'QUEUE_BULL_REDIS_HOST', 'QUEUE_BULL_REDIS_PORT', 'WEBHOOK_URL']) {
			const values = new Set(ROLES.map((r) => roles[r].env[key]));
			expect({ key, values: [...values] }).toEqual({ key, values: [expect.any(String)] });
			expect(roles.main.env[key]).not.toBe('');
		}
	});

	test('the webhook processor listens on the port its service publishes, and the worker health check is on', () => {
		expect(roles.webhook.env.N8N_PORT).toBe('5678');
		expect(roles.worker.env.QUEUE_HEALTH_CHECK_ACTIVE).toBe('true');
	});
});

test('the image installs the package under N8N_USER_FOLDER/.n8n/nodes, where n8n names node types as the workflows do', () => {
	const dockerfile = fs.readFileSync(path.join(ROOT, DEPLOY_DIR, 'Dockerfile'), 'utf8');
	const folder = composeRoles(ROOT).main.env.N8N_USER_FOLDER;
	expect(dockerfile).toContain(`ENV N8N_USER_FOLDER=${folder}`);
	expect(dockerfile).toContain(`cd ${folder}/.n8n/nodes`);
	const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
	expect(dockerfile).toContain(`${manifest.name}@${manifest.version}`);
});

test('compose: Redis keeps accepted jobs over a restart (append-only), and the encryption key must be set', () => {
	const { file } = composeRoles(ROOT);
	expect(file.services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
	expect(composeRoles(ROOT).main.env.N8N_ENCRYPTION_KEY).toMatch(/^\$\{N8N_ENCRYPTION_KEY:\?/);
});

test('kubernetes: secrets come from a Secret, the webhook Service selects the webhook pods, one main', () => {
	const roles = kubernetesRoles(ROOT);
	for (const role of ROLES) expect(roles[role].env.N8N_ENCRYPTION_KEY).toBe('secret:n8n-secrets/N8N_ENCRYPTION_KEY');
	const objects = kubernetesObjects(ROOT);
	const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'n8n-webhook');
	const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'n8n-webhook');
	expect(deployment?.spec.template.metadata.labels).toMatchObject(service?.spec.selector);
	expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'n8n-main')?.spec.replicas).toBe(1);
});

test('the Alertmanager receivers post to the webhook Service at the shipped workflows\' trigger paths', () => {
	const [config] = loadAllYaml(fs.readFileSync(path.join(ROOT, DEPLOY_DIR, 'alertmanager-receiver.yaml'), 'utf8')) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
	const urls = (config.receivers as Array<{ webhook_configs: Array<{ url: string }> }>).flatMap((r) => r.webhook_configs.map((w) => new URL(w.url)));
	const paths: string[] = [];
	for (const file of ['alertmanager-failover.json', 'canary-rollback.json']) {
		const workflow = JSON.parse(fs.readFileSync(path.join(ROOT, 'workflows', file), 'utf8')) as { nodes: Array<{ type: string; parameters: { path?: string } }> };
		paths.push(`/webhook/${String(workflow.nodes.find((n) => n.type === 'n8n-nodes-kube-ops.alertmanagerTrigger')?.parameters.path)}`);
	}
	expect(urls.map((u) => u.pathname).sort()).toEqual(paths.sort());
	for (const url of urls) expect(url.hostname).toBe('n8n-webhook.kube-ops.svc');
});
