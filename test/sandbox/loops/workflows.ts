import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { RunningN8n } from '../n8n';
import { waitUntil } from '../processes';
import type { OpsStack } from '../stack';

/**
 * The shipped workflows, set up in a real n8n the way a user does it:
 * credentials created under the names the files reference, the files edited
 * where their sticky notes say "edit here", imported with n8n's CLI, published.
 */

export const WORKFLOW_FILES = {
	prescaling: 'predictive-prescaling.json',
	failover: 'alertmanager-failover.json',
	canary: 'canary-rollback.json',
} as const;
export type LoopName = keyof typeof WORKFLOW_FILES;

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	position: [number, number];
	credentials?: Record<string, { id: string | null; name: string }>;
	disabled?: boolean;
	webhookId?: string;
}

export interface WorkflowFile {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
	[key: string]: unknown;
}

export function workflowsDir(root: string): string {
	return path.join(root, 'workflows');
}

export function readWorkflow(root: string, loop: LoopName): WorkflowFile {
	return JSON.parse(fs.readFileSync(path.join(workflowsDir(root), WORKFLOW_FILES[loop]), 'utf8')) as WorkflowFile;
}

export function nodeNamed(workflow: WorkflowFile, name: string): WorkflowNode {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`workflow "${workflow.name}" has no node "${name}"`);
	return node;
}

/** One run's Kube-Ops Signing Key (the Policy Gates sign with it, the mutating nodes verify with it). */
export const SANDBOX_SIGNING_SECRET = randomBytes(32).toString('hex');
/** Who may resume the pre-scaling loop's Wait for approval (Basic authentication). */
export const SANDBOX_APPROVER = { user: 'alice', password: randomBytes(16).toString('hex') };
/** In the n8n Prometheus credential's URL; the e2e test checks it never reaches an Event. */
export const PROMETHEUS_URL_PASSWORD = 'e2e-url-password-4711';

/** Credential name (as the workflow files reference it) -> type and data. */
export function credentialsFor(stack: OpsStack, webhookToken: string): Array<{ name: string; type: string; data: Record<string, unknown> }> {
	const kube = stack.credentials.kubeOpsKubernetesApi;
	return [
		// A password in the URL, as some users configure it: Prometheus ignores it, and no error, output or Event may show it.
		{ name: 'Prometheus', type: 'kubeOpsPrometheusApi', data: { ...stack.credentials.kubeOpsPrometheusApi, url: stack.credentials.kubeOpsPrometheusApi.url.replace('://', `://kube-ops:${PROMETHEUS_URL_PASSWORD}@`) } },
		{ name: 'Kubernetes us-east', type: 'kubeOpsKubernetesApi', data: { ...kube['us-east'] } },
		{ name: 'Kubernetes us-west', type: 'kubeOpsKubernetesApi', data: { ...kube['us-west'] } },
		{ name: 'Kubernetes control', type: 'kubeOpsKubernetesApi', data: { ...kube.control } },
		{ name: 'HAProxy Runtime API', type: 'kubeOpsHaproxyRuntimeApi', data: { ...stack.credentials.kubeOpsHaproxyRuntimeApi } },
		{ name: 'Alertmanager webhook', type: 'kubeOpsAlertmanagerWebhookApi', data: { token: webhookToken, user: '', password: '' } },
		{ name: 'Kube-Ops signing key', type: 'kubeOpsSigningKey', data: { secret: SANDBOX_SIGNING_SECRET, previousSecret: '' } },
		{ name: 'Approvers', type: 'httpBasicAuth', data: { ...SANDBOX_APPROVER } },
		// The sandbox's Alertmanager listens on plain http on loopback.
		{ name: 'Alertmanager API', type: 'kubeOpsAlertmanagerApi', data: { url: stack.alertmanager.url, authentication: 'none', allowInsecure: true, timeout: 10_000 } },
	];
}

/** A user's edits for this sandbox: what each workflow's "edit here" nodes say to change. */
export interface SandboxSettings {
	/** The pre-scaling loop's demand: the real NYC taxi series backfilled into Prometheus. */
	demandQuery: string;
	perPodCapacity: number;
	/** The accuracy gate's WAPE limit in the sandbox's policy (the shipped one). */
	maxWape: number;
	/** Requests/s one checkout pod serves in the failover's capacity check (the sandbox's traffic is small). */
	failoverPerPodCapacity: number;
	/** Seconds: failback dwell (Wait node and policy) and the minimum time between flips. */
	resolveDwellSeconds: number;
	minDwellSeconds: number;
	/** Extra canaries to watch besides checkout (the stack's search canary gets no traffic). */
	watchSearchCanary: boolean;
	/** Seconds the failover's Lease lasts (shipped: 600): a crashed worker's claim runs out within a test. */
	failoverLeaseSeconds?: number;
	/** Pre-scaling: Deployments in us-east/shop managed besides checkout, each with its own HPA (the queue e2e's 50). */
	extraWorkloads?: string[];
	/** Pre-scaling: the schedule fires every this many seconds instead of every 15 minutes. */
	preScalingEverySeconds?: number;
}

export const SANDBOX_SETTINGS: SandboxSettings = {
	demandQuery: 'taxi_passengers{region="us-east"}',
	perPodCapacity: 5000,
	maxWape: 0.25,
	failoverPerPodCapacity: 5,
	resolveDwellSeconds: 5,
	minDwellSeconds: 5,
	watchSearchCanary: true,
};

function replaceOnce(text: string, from: string | RegExp, to: string, where: string): string {
	// Found, not changed: a sandbox setting may equal the shipped one.
	const found = typeof from === 'string' ? text.includes(from) : new RegExp(from.source, from.flags.replace('g', '')).test(text);
	if (!found) throw new Error(`cannot edit ${where}: ${String(from)} not found (the shipped workflow changed?)`);
	return text.replace(from, to);
}

/** The entries of a Workload List node's form, as a person adds and edits them on the canvas. */
function listEntries(node: WorkflowFile['nodes'][number], list: 'workloads' | 'canaries'): Array<Record<string, unknown>> {
	const entries = ((node.parameters[list] as Record<string, unknown> | undefined)?.[list === 'workloads' ? 'workload' : 'canary']) as Array<Record<string, unknown>> | undefined;
	if (!Array.isArray(entries) || entries.length === 0) throw new Error(`cannot edit ${node.name}: no ${list} in its form (the shipped workflow changed?)`);
	return entries;
}

/** One field of an Edit Fields node, by name. */
function editField(node: WorkflowFile['nodes'][number], name: string, value: unknown): void {
	const fields = (node.parameters.assignments as { assignments?: Array<{ name: string; value: unknown }> } | undefined)?.assignments ?? [];
	const field = fields.find((f) => f.name === name);
	if (!field) throw new Error(`cannot edit ${node.name}: no field ${name} (the shipped workflow changed?)`);
	field.value = value;
}

export function editForSandbox(loop: LoopName, workflow: WorkflowFile, settings: SandboxSettings = SANDBOX_SETTINGS): WorkflowFile {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowFile;
	if (loop === 'prescaling') {
		const entries = listEntries(nodeNamed(copy, 'Workloads to manage'), 'workloads');
		const [workload] = entries;
		workload.demandQuery = settings.demandQuery;
		workload.perPodCapacity = settings.perPodCapacity;
		// The same entry as checkout's for each further Deployment, as a person adds them to the list's form.
		for (const deployment of settings.extraWorkloads ?? []) entries.push({ ...workload, deployment });
		if (settings.preScalingEverySeconds) {
			const trigger = nodeNamed(copy, 'Every 15 minutes');
			trigger.parameters = { rule: { interval: [{ field: 'seconds', secondsInterval: settings.preScalingEverySeconds }] } };
		}
		const gate = nodeNamed(copy, 'Policy Gate');
		gate.parameters.policy = replaceOnce(gate.parameters.policy as string, /maxWape: [0-9.]+/, `maxWape: ${settings.maxWape}`, 'Policy Gate');
	}
	if (loop === 'failover') {
		editField(nodeNamed(copy, 'Failover settings'), 'perPodCapacity', settings.failoverPerPodCapacity);
		if (settings.failoverLeaseSeconds) {
			const lock = nodeNamed(copy, 'Lock service');
			lock.parameters = { ...lock.parameters, leaseSeconds: settings.failoverLeaseSeconds };
		}
		const dwell = nodeNamed(copy, 'Wait resolve dwell');
		dwell.parameters = { ...dwell.parameters, amount: settings.resolveDwellSeconds, unit: 'seconds' };
		const gate = nodeNamed(copy, 'Policy Gate');
		let policy = gate.parameters.policy as string;
		policy = replaceOnce(policy, /resolveDwellSeconds: \d+/, `resolveDwellSeconds: ${settings.resolveDwellSeconds}`, 'Policy Gate');
		policy = replaceOnce(policy, /minDwellSeconds: \d+/, `minDwellSeconds: ${settings.minDwellSeconds}`, 'Policy Gate');
		gate.parameters.policy = policy;
	}
	if (loop === 'canary' && settings.watchSearchCanary) {
		const canaries = listEntries(nodeNamed(copy, 'Canaries to watch'), 'canaries');
		const checkout = canaries.find((c) => c.service === 'checkout');
		if (!checkout) throw new Error('cannot edit Canaries to watch: no checkout canary (the shipped workflow changed?)');
		canaries.push({ ...checkout, service: 'search', canaryDeployment: 'search-canary', canaryIngress: 'search-canary' });
	}
	return copy;
}

export interface PublishedWorkflows {
	ids: Record<LoopName, string>;
	/** Production webhook URLs of the Alertmanager triggers. */
	webhooks: { failover: string; canary: string };
}

/** Credentials through the public API, workflows through `n8n import:workflow`, then published. */
export async function publishWorkflows(n8n: RunningN8n, stack: OpsStack, root: string, webhookToken: string, settings: SandboxSettings = SANDBOX_SETTINGS): Promise<PublishedWorkflows> {
	for (const credential of credentialsFor(stack, webhookToken)) await n8n.api('POST', '/credentials', credential);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-workflows-'));
	const ids = {} as Record<LoopName, string>;
	const triggerPaths: Partial<Record<LoopName, string>> = {};
	for (const loop of Object.keys(WORKFLOW_FILES) as LoopName[]) {
		const edited = editForSandbox(loop, readWorkflow(root, loop), settings);
		const file = path.join(dir, WORKFLOW_FILES[loop]);
		fs.writeFileSync(file, JSON.stringify(edited, null, 2));
		ids[loop] = edited.id;
		const trigger = edited.nodes.find((n) => n.type === 'n8n-nodes-kube-ops.alertmanagerTrigger');
		if (trigger) triggerPaths[loop] = String(trigger.parameters.path);
	}
	// One command for the three: each start of n8n's CLI costs 10-20 s here.
	try {
		await n8n.cli(['import:workflow', '--separate', `--input=${dir}`]);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	// Published like a user would; the pre-scaling loop's schedule runs at the quarter hour (its scenario steers clear).
	// A schedule of seconds is published by the scenario that wants its runs.
	for (const loop of Object.keys(ids) as LoopName[]) if (!(loop === 'prescaling' && settings.preScalingEverySeconds)) await n8n.api('POST', `/workflows/${ids[loop]}/activate`);
	// In queue mode they answer on the webhook processor, not the main.
	const webhooks = { failover: `${n8n.webhookBase}/webhook/${triggerPaths.failover}`, canary: `${n8n.webhookBase}/webhook/${triggerPaths.canary}` };
	// Publishing registers production webhooks asynchronously: wait until each answers (401 without a token) rather than 404.
	for (const url of Object.values(webhooks)) {
		await waitUntil(async () => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status !== 404, `${url} to answer after the workflow was published`, 30_000);
	}
	return { ids, webhooks };
}
