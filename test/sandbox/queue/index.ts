import { seedDeployment } from '../kube/seed';
import { type LoopsStack, SANDBOX_SETTINGS, type SandboxSettings, startLoopsStack } from '../loops';
import type { OpsStack } from '../stack';
import { CHECKOUT_HPA, IMAGES, NAMESPACE } from '../stack';
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

export const QUEUE_FAILOVER_LEASE_SECONDS = 20;
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
		api.create(api.def('horizontalpodautoscalers.autoscaling'), NAMESPACE, {
			apiVersion: 'autoscaling/v2',
			kind: 'HorizontalPodAutoscaler',
			metadata: { name, namespace: NAMESPACE },
			spec: {
				scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
				...CHECKOUT_HPA,
				metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
			},
		});
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
