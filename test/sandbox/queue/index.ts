import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { seedDeployment } from '../kube/seed';
import { type LoopsStack, SANDBOX_SETTINGS, type SandboxSettings, editForSandbox, readWorkflow, startLoopsStack } from '../loops';
import type { OpsStack } from '../stack';
import { IMAGES, NAMESPACE } from '../stack';
import { hpa } from '../stack/seed';
import { type QueueN8n, type QueueOptions, startQueueN8n } from './n8n';

export * from './n8n';
export * from './services';

/**
 * The loops stack (ops stack + the shipped workflows) on n8n's queue mode:
 * Postgres, Redis, a main, two workers and a webhook processor that
 * Alertmanager posts to. The workflows are the shipped files with the
 * sandbox's usual edits, plus what the queue scenarios need: a failover Lease
 * short enough that a killed worker's claim runs out within a test, and
 * extra pre-scaling workloads on a seconds schedule (published on demand).
 */

export type QueueLoopsStack = LoopsStack<QueueN8n>;

// Long enough for a whole failover run on a loaded 2-core machine (a run that outlives its Lease may not record: seen at 20 s).
export const QUEUE_FAILOVER_LEASE_SECONDS = 45;
export const PRESCALING_EVERY_SECONDS = 20;

/** `extra-001` ... : the pre-scaling workloads besides checkout. */
export function extraWorkloadNames(count: number): string[] {
	return Array.from({ length: count }, (_, i) => `extra-${String(i + 1).padStart(3, '0')}`);
}

/** A Deployment and its HPA in us-east for each name: what the pre-scaling loop raises. */
export function seedWorkloads(stack: OpsStack, names: string[], replicas = 2): void {
	const api = stack.kube['us-east'].api;
	for (const name of names) {
		api.create(api.def('deployments.apps'), NAMESPACE, seedDeployment(name, replicas, { app: name, track: 'stable' }, IMAGES.checkout));
		api.create(api.def('horizontalpodautoscalers.autoscaling'), NAMESPACE, hpa(name));
	}
}

export interface QueueLoopsOptions extends QueueOptions {
	/** Pre-scaling workloads besides checkout (default none). */
	extraWorkloads?: number;
	settings?: Partial<SandboxSettings>;
}

export async function startQueueLoopsStack(root: string, now: number, log: (line: string) => void = () => undefined, options: QueueLoopsOptions = {}): Promise<QueueLoopsStack> {
	const extra = extraWorkloadNames(options.extraWorkloads ?? 0);
	const settings: SandboxSettings = {
		...SANDBOX_SETTINGS,
		failoverLeaseSeconds: QUEUE_FAILOVER_LEASE_SECONDS,
		preScalingEverySeconds: PRESCALING_EVERY_SECONDS,
		extraWorkloads: extra,
		...options.settings,
	};
	const loops = await startLoopsStack<QueueN8n>(root, now, log, { startN8n: (tarball) => startQueueN8n(tarball, { ...options, log }), settings });
	try {
		seedWorkloads(loops.stack, extra);
	} catch (error) {
		await loops.stop();
		throw error;
	}
	return loops;
}

/** "worker-1 12, worker-2 9": how many executions each worker logged as started. */
export function startedWorkers(loops: QueueLoopsStack): string {
	return loops.n8n.workers.map((w) => `${w.name} ${w.started().length}`).join(', ');
}

/**
 * Re-imports the pre-scaling workflow (same id, left inactive) managing
 * checkout plus `extra`: the benchmark runs it for 10, 50 and 100 workloads.
 */
export async function importPreScaling(loops: QueueLoopsStack, root: string, extra: string[], everySeconds = PRESCALING_EVERY_SECONDS): Promise<void> {
	const id = loops.workflows.ids.prescaling;
	await loops.n8n.api('POST', `/workflows/${id}/deactivate`);
	const edited = editForSandbox('prescaling', readWorkflow(root, 'prescaling'), { ...SANDBOX_SETTINGS, extraWorkloads: extra, preScalingEverySeconds: everySeconds });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-workflows-'));
	try {
		const file = path.join(dir, 'predictive-prescaling.json');
		fs.writeFileSync(file, JSON.stringify(edited, null, 2));
		await loops.n8n.cli(['import:workflow', `--input=${file}`]);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Puts every pre-scaling workload back to a floor of `floor` and forgets the loop's state (Leases in us-east). */
export function resetPreScaling(loops: QueueLoopsStack, names: string[], floor = 4): void {
	const api = loops.stack.kube['us-east'].api;
	for (const name of names) {
		api.patch(api.def('horizontalpodautoscalers.autoscaling'), 'shop', name, 'merge', { spec: { minReplicas: floor } });
		if (api.find(api.def('leases.coordination.k8s.io'), 'shop', `kube-ops-prescale-${name}`)) api.delete(api.def('leases.coordination.k8s.io'), 'shop', `kube-ops-prescale-${name}`);
	}
}
