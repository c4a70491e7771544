import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type RunningN8n, packPackage, startN8nWithPackage } from '../n8n';
import { type OpsStack, type OpsStackOptions, startOpsStack } from '../stack';
import { type Load, startLoad } from '../stack/load';
import { type PublishedWorkflows, type SandboxSettings, publishWorkflows } from './workflows';

export * from './approval';
export * from './executions';
export * from './scenarios';
export * from './workflows';

/**
 * Everything the three loops need, started together: the ops stack (three
 * Kubernetes sandboxes, apps with metrics, HAProxy, Prometheus with real
 * history, Alertmanager routing to the workflows' webhooks), a real n8n with
 * this package installed from its tarball, and the shipped workflows
 * imported and published.
 */
export interface LoopsStack<N extends RunningN8n = RunningN8n> {
	n8n: N;
	stack: OpsStack;
	workflows: PublishedWorkflows;
	webhookToken: string;
	stop: () => Promise<void>;
}

export interface LoopsStackOptions<N extends RunningN8n> {
	/** Starts n8n from the package tarball (default: one n8n process on SQLite; queue mode: test/sandbox/queue). */
	startN8n?: (tarball: string) => Promise<N>;
	/** The user's edits to the shipped workflows (default SANDBOX_SETTINGS). */
	settings?: SandboxSettings;
	/** Passed to the ops stack (e.g. Alertmanager's repeat interval). */
	stack?: Partial<Omit<OpsStackOptions, 'now' | 'webhookUrl' | 'bearerToken' | 'routes' | 'log'>>;
}

export async function startLoopsStack<N extends RunningN8n = RunningN8n>(
	root: string,
	now: number,
	log: (line: string) => void = () => undefined,
	options: LoopsStackOptions<N> = {},
): Promise<LoopsStack<N>> {
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-pack-'));
	const webhookToken = `kube-ops-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
	log('starting n8n with the package installed from its npm pack tarball');
	const start = options.startN8n ?? ((tarball: string) => startN8nWithPackage(tarball) as Promise<N>);
	const n8n = await start(packPackage(packDir));
	let stack: OpsStack | undefined;
	const probes: Load[] = [];
	try {
		log(`n8n ${n8n.url} up; starting the ops stack`);
		// Alertmanager posts where production webhooks answer: the main, or in queue mode the webhook processor.
		stack = await startOpsStack({
			...options.stack,
			now,
			webhookUrl: `${n8n.webhookBase}/webhook/kube-ops-unrouted`,
			bearerToken: webhookToken,
			routes: [
				{ match: { alertname: 'RegionDown' }, webhookUrl: `${n8n.webhookBase}/webhook/kube-ops-failover` },
				{ match: { alertname: 'CanaryRegression' }, webhookUrl: `${n8n.webhookBase}/webhook/kube-ops-canary` },
			],
			log: (line) => log(line),
		});
		// Synthetic probes, one per region and straight to it (not through the load
		// balancer): a drained region still has an error rate to judge failback by.
		for (const region of ['us-east', 'us-west'] as const) probes.push(startLoad(stack.apps.checkout[region].url, 3));
		const workflows = await publishWorkflows(n8n, stack, root, webhookToken, options.settings);
		log(`workflows imported and published: ${Object.values(workflows.ids).join(', ')}`);
		const started = stack;
		return {
			n8n,
			stack: started,
			workflows,
			webhookToken,
			stop: async () => {
				for (const probe of probes) await probe.stop();
				await started.stop();
				await n8n.stop();
			},
		};
	} catch (error) {
		for (const probe of probes) await probe.stop();
		await stack?.stop();
		await n8n.stop();
		throw error;
	}
}
