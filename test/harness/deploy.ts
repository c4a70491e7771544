import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadAllYaml } from '@kubernetes/client-node';

import type { QueueRole } from '../sandbox/queue/n8n';

/**
 * What deploy/queue-mode/ gives each n8n role, read from the compose file and
 * the Kubernetes manifests as a deployer's tools read them: the command and
 * the environment (compose: the merged `<<` anchor; Kubernetes: the ConfigMap
 * behind envFrom plus the container's env, Secret references by name).
 */

export const DEPLOY_DIR = 'deploy/queue-mode';

export interface DeployedRole {
	command: string[];
	/** Value, or `secret:<name>/<key>` for a Secret reference. */
	env: Record<string, string>;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SERVICE_ROLE: Record<string, QueueRole> = { 'n8n-main': 'main', 'n8n-webhook': 'webhook', 'n8n-worker': 'worker' };

function plain(value: unknown): Json {
	return JSON.parse(JSON.stringify(value)) as Json;
}

export function composeRoles(root: string): Record<QueueRole, DeployedRole> & { file: Json } {
	const [file] = loadAllYaml(fs.readFileSync(path.join(root, DEPLOY_DIR, 'compose.yaml'), 'utf8')).map(plain);
	const roles = {} as Record<QueueRole, DeployedRole>;
	for (const [service, role] of Object.entries(SERVICE_ROLE)) {
		const spec = file.services?.[service];
		if (!spec) throw new Error(`${DEPLOY_DIR}/compose.yaml has no service "${service}"`);
		roles[role] = { command: spec.command, env: Object.fromEntries(Object.entries(spec.environment ?? {}).map(([k, v]) => [k, String(v)])) };
	}
	return { ...roles, file };
}

export function kubernetesObjects(root: string): Json[] {
	const dir = path.join(root, DEPLOY_DIR, 'kubernetes');
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.yaml'))
		.flatMap((f) => loadAllYaml(fs.readFileSync(path.join(dir, f), 'utf8')).map(plain));
}

export function kubernetesRoles(root: string): Record<QueueRole, DeployedRole> {
	const objects = kubernetesObjects(root);
	const roles = {} as Record<QueueRole, DeployedRole>;
	for (const [name, role] of Object.entries(SERVICE_ROLE)) {
		const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === name);
		if (!deployment) throw new Error(`${DEPLOY_DIR}/kubernetes has no Deployment "${name}"`);
		const [container] = deployment.spec.template.spec.containers as Json[];
		const env: Record<string, string> = {};
		for (const from of container.envFrom ?? []) {
			const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === from.configMapRef?.name);
			if (!map) throw new Error(`Deployment "${name}" reads ConfigMap "${String(from.configMapRef?.name)}", which ${DEPLOY_DIR}/kubernetes does not define`);
			Object.assign(env, map.data);
		}
		for (const e of container.env ?? []) {
			const ref = e.valueFrom?.secretKeyRef;
			env[e.name] = ref ? `secret:${ref.name}/${ref.key}` : String(e.value);
		}
		roles[role] = { command: container.args, env };
	}
	return roles;
}
