import { PrometheusClient } from '../../../src/prometheus';
import type { KubeObject } from '../kube/types';
import type { RunningN8n } from '../n8n';
import { type ClusterName, type OpsStack, STACK_QUERIES } from '../stack';
import { waitUntil } from '../processes';
import { type Execution, executionsOf, finishedAt, firstFailure, gateItems, itemsOf, ran, runsOf, waitForExecutions } from './executions';
import type { PublishedWorkflows } from './workflows';

/**
 * The three loops driven through the shipped workflows in a real n8n, as an
 * operator would see them: what went in, what the gate said, what changed in
 * the clusters and the load balancer. The e2e tests assert on what these
 * return; `npm run demo` prints it.
 */

export interface LoopsContext {
	n8n: RunningN8n;
	stack: OpsStack;
	workflows: PublishedWorkflows;
	log: (line: string) => void;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function cluster(stack: OpsStack, name: ClusterName) {
	const api = stack.kube[name].api;
	const find = (resource: string, objectName: string, namespace = 'shop'): Json | undefined => api.find(api.def(resource), namespace, objectName) as Json | undefined;
	return {
		deployment: (n: string) => find('deployments.apps', n),
		hpa: (n: string) => find('horizontalpodautoscalers.autoscaling', n),
		ingress: (n: string) => find('ingresses.networking.k8s.io', n),
		lease: (n: string) => find('leases.coordination.k8s.io', n),
		events: (): Json[] => (api.list(api.def('events'), 'shop').items as KubeObject[]) as Json[],
	};
}

export function leaseState(lease: Json | undefined): Json {
	const text = lease?.metadata?.annotations?.['kube-ops.io/state'];
	return typeof text === 'string' ? (JSON.parse(text) as Json) : {};
}

async function instant(stack: OpsStack, query: string): Promise<Array<{ metric: Record<string, string>; value: number | null }>> {
	const result = await new PrometheusClient({ baseUrl: stack.prometheus.url }).instant({ query, time: Date.now() / 1000 });
	return result.series.map((s) => ({ metric: s.metric, value: s.value[1] }));
}

async function newExecution(ctx: LoopsContext, workflowId: string, seen: Set<string>, what: string, done: (e: Execution) => boolean = () => true): Promise<Execution> {
	return waitForExecutions(ctx.n8n, workflowId, (list) => list.find((e) => !seen.has(e.id) && done(e)), what, 120_000);
}

/* ---------------------------------------------------------------- pre-scaling */

export interface PreScalingRun {
	execution: Execution;
	proposal?: Json;
	verdict?: Json;
	output: 'apply' | 'approve' | 'hold' | 'none';
	minReplicasAfter: number;
	readyReplicasAfter: number;
}

export interface PreScalingObservation {
	minReplicasBefore: number;
	first: PreScalingRun;
	second: PreScalingRun;
	events: Json[];
	leaseState: Json;
}

/** n8n's Schedule Trigger fires at :00/:15/:30/:45; a manual run right at that moment would race it. */
async function awayFromQuarterHour(log: (line: string) => void): Promise<void> {
	const intoQuarter = (Date.now() / 1000) % 900;
	if (intoQuarter > 840) {
		log(`  (waiting ${Math.ceil(905 - intoQuarter)} s for the scheduled run at the quarter hour to pass)`);
		await new Promise((r) => setTimeout(r, (905 - intoQuarter) * 1000));
	}
}

async function runPreScalingOnce(ctx: LoopsContext, seen: Set<string>): Promise<PreScalingRun> {
	const id = ctx.workflows.ids.prescaling;
	for (const e of await executionsOf(ctx.n8n, id)) seen.add(e.id);
	await ctx.n8n.cli(['execute', `--id=${id}`, '--rawOutput']).catch((error: Error) => {
		throw new Error(`running the pre-scaling workflow failed: ${error.message}`);
	});
	const execution = await newExecution(ctx, id, seen, 'the pre-scaling run');
	seen.add(execution.id);
	const outputs = ['apply', 'approve', 'hold'] as const;
	let output: PreScalingRun['output'] = 'none';
	let item: Json | undefined;
	outputs.forEach((name, index) => {
		const items = itemsOf(execution, 'Policy Gate', index);
		if (items.length > 0) {
			output = name;
			item = items[0];
		}
	});
	const east = cluster(ctx.stack, 'us-east');
	return {
		execution,
		proposal: item?.proposal as Json | undefined,
		verdict: item?.verdict as Json | undefined,
		output,
		minReplicasAfter: east.hpa('checkout')?.spec?.minReplicas,
		readyReplicasAfter: east.deployment('checkout')?.status?.readyReplicas,
	};
}

/** Sets the checkout HPA's floor in us-east, as a person or another controller would. */
export function setHpaFloor(stack: OpsStack, minReplicas: number): void {
	const api = stack.kube['us-east'].api;
	api.patch(api.def('horizontalpodautoscalers.autoscaling'), 'shop', 'checkout', 'merge', { spec: { minReplicas } });
}

export async function preScaling(ctx: LoopsContext): Promise<PreScalingObservation> {
	await awayFromQuarterHour(ctx.log);
	// A floor the forecast's proposal stays well below 4x of (the policy's approvalFactor), so this run applies
	// whatever the history's last hours forecast; the approval path has its own scenario.
	setHpaFloor(ctx.stack, 4);
	const east = cluster(ctx.stack, 'us-east');
	const minReplicasBefore = east.hpa('checkout')?.spec?.minReplicas as number;
	const seen = new Set<string>();
	const first = await runPreScalingOnce(ctx, seen);
	ctx.log(`  pre-scaling run 1: ${first.output}${firstFailure(first.execution)}`);
	const second = await runPreScalingOnce(ctx, seen);
	return {
		minReplicasBefore,
		first,
		second,
		events: east.events().filter((e) => e.involvedObject?.name === 'checkout'),
		leaseState: leaseState(east.lease('kube-ops-prescale-checkout')),
	};
}

/* ------------------------------------------------------------------- failover */

export interface FailoverObservation {
	alert: Record<string, string>;
	/** The first attempt, when the receiving region's API failed after the scale-up was asked for. */
	interrupted?: { execution: Execution; eastDrainedAfter: boolean; consecutiveErrors: unknown; eventReasons: string[] };
	applied: Execution;
	proposal: Json;
	verdict: Json;
	westReplicasAtDrain: { spec: number; ready: number };
	westReadyBeforeDrain: boolean;
	eastDrained: boolean;
	/** Notifications that reached the workflow after the one that acted, and how many acted. */
	repeats: { executions: number; acted: number };
	failback?: { execution: Execution; verdict: Json; eastServing: boolean; trafficToEast: number };
	events: Json[];
	leaseState: Json;
}

const REGION_DOWN = { alertname: 'RegionDown', region: 'us-east', service: 'checkout', namespace: 'shop', severity: 'critical' };

function acted(e: Execution): boolean {
	return ran(e, 'Drain the failing region') || ran(e, 'Restore the recovered region');
}

export async function failover(ctx: LoopsContext, options: { failback?: boolean; interruptFirst?: boolean } = {}): Promise<FailoverObservation> {
	const { stack, n8n, workflows } = ctx;
	const id = workflows.ids.failover;
	const seen = new Set((await executionsOf(n8n, id)).map((e) => e.id));
	const west = cluster(stack, 'us-west');

	ctx.log('  us-east starts failing: half of its checkout requests answer 500');
	stack.apps.checkout['us-east'].setErrorRate(0.5);
	await waitUntil(async () => (await instant(stack, STACK_QUERIES.regionErrorRate)).some((r) => r.metric.region === 'us-east' && (r.value ?? 0) > 0.05), 'Prometheus to see us-east failing', 60_000);

	// The receiving region's API refuses to show the Deployment after the scale-up was asked for: the wait for
	// Ready fails, so nothing may be drained. Alertmanager's next repeat then finds the API back and fails over.
	const fault = options.interruptFirst
		? stack.kube['us-west'].sandbox.faults.add({ type: 'error', status: 403, message: 'injected: RBAC denies get on deployments', path: /^\/apis\/apps\/v1\/namespaces\/shop\/deployments\/checkout$/, methods: ['GET'] })
		: undefined;
	ctx.log('  Alertmanager: RegionDown{region="us-east", service="checkout"} fires');
	await stack.alertmanager.addAlert(REGION_DOWN, { summary: 'checkout in us-east answers 5xx' });
	let interrupted: FailoverObservation['interrupted'];
	if (fault) {
		ctx.log('  first attempt: us-west\'s API answers 403 while the workflow waits for Ready');
		const failed = await newExecution(ctx, id, seen, 'the failover run that fails before the drain', (e) => ran(e, 'Record failure'));
		seen.add(failed.id);
		const eastAfter = await stack.haproxy.serverState('us-east');
		const control = cluster(stack, 'control');
		interrupted = {
			execution: failed,
			eastDrainedAfter: eastAfter?.draining === true,
			consecutiveErrors: leaseState(control.lease('kube-ops-failover-checkout')).consecutiveErrors,
			eventReasons: control.events().map((e) => String(e.reason)),
		};
		stack.kube['us-west'].sandbox.faults.remove(fault.id);
		ctx.log('  us-west\'s API is back; the next repeated notification retries');
	}
	const applied = await newExecution(ctx, id, seen, 'the failover run that drains us-east', acted);
	const gateItem = itemsOf(applied, 'Policy Gate', 0)[0];
	const drainStart = runsOf(applied, 'Drain the failing region')[0]?.startTime ?? 0;
	const westReadyAt = finishedAt(applied, 'Wait for Ready in us-west') ?? Infinity;
	const deployment = west.deployment('checkout');
	const eastState = await stack.haproxy.serverState('us-east');

	ctx.log('  repeated notifications arrive (Alertmanager repeats every 10 s)');
	const repeats = await waitForExecutions(n8n, id, (list) => {
		const later = list.filter((e) => !seen.has(e.id) && e.id !== applied.id);
		return later.length >= 2 ? later : undefined;
	}, 'two repeated notifications', 60_000);
	for (const e of repeats) seen.add(e.id);
	seen.add(applied.id);

	let failback: FailoverObservation['failback'];
	if (options.failback !== false) {
		ctx.log('  us-east recovers; waiting until its own error rate (1 min window) is clean, then the alert resolves');
		stack.apps.checkout['us-east'].setErrorRate(0);
		await waitUntil(async () => {
			const east = (await instant(stack, STACK_QUERIES.regionErrorRate)).find((r) => r.metric.region === 'us-east');
			return east === undefined || (east.value ?? 0) < 0.005;
		}, 'us-east error rate to clear', 120_000);
		await stack.alertmanager.resolveAlert(REGION_DOWN);
		const back = await newExecution(ctx, id, seen, 'the failback run', (e) => gateItems(e).some((i) => i.proposal?.action === 'failback'));
		const state = await stack.haproxy.serverState('us-east');
		const before = stack.load.checkout.tally().byServer['us-east'] ?? 0;
		await new Promise((r) => setTimeout(r, 2000));
		const after = stack.load.checkout.tally().byServer['us-east'] ?? 0;
		const verdict = gateItems(back).find((i) => i.proposal?.action === 'failback')?.verdict as Json;
		failback = { execution: back, verdict, eastServing: state !== undefined && !state.draining && !state.maintenance, trafficToEast: after - before };
		ctx.log(`  failback: Policy Gate ${String(verdict?.decision)}: ${String(verdict?.reason)}`);
	}

	const control = cluster(stack, 'control');
	return {
		alert: REGION_DOWN,
		interrupted,
		applied,
		proposal: gateItem?.proposal as Json,
		verdict: gateItem?.verdict as Json,
		westReplicasAtDrain: { spec: deployment?.spec?.replicas, ready: deployment?.status?.readyReplicas },
		westReadyBeforeDrain: westReadyAt <= drainStart,
		eastDrained: eastState?.draining === true,
		repeats: { executions: repeats.length, acted: repeats.filter(acted).length },
		failback,
		events: control.events().filter((e) => e.involvedObject?.name === 'checkout'),
		leaseState: leaseState(control.lease('kube-ops-failover-checkout')),
	};
}

/* --------------------------------------------------------------------- canary */

export interface CanaryObservation {
	rolledBack: Execution;
	verdict: Json;
	canaryWeight: string | undefined;
	canaryReplicas: number;
	search: { verdict: Json; replicas: number; weight: string | undefined; weightBefore: string | undefined };
	events: Json[];
}

const CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

export async function canary(ctx: LoopsContext): Promise<CanaryObservation> {
	const { stack, n8n, workflows } = ctx;
	const id = workflows.ids.canary;
	const seen = new Set((await executionsOf(n8n, id)).map((e) => e.id));
	const east = cluster(stack, 'us-east');
	const searchWeightBefore = east.ingress('search-canary')?.metadata?.annotations?.[CANARY_WEIGHT] as string | undefined;

	ctx.log('  checkout 2.4.0-rc.1 (the canary) answers 30 % of its requests with 500; stable stays clean');
	stack.apps.checkout.canary.setErrorRate(0.3);
	await waitUntil(async () => (await instant(stack, STACK_QUERIES.trackErrorRate)).some((r) => r.metric.track === 'canary' && (r.value ?? 0) > 0.05), 'Prometheus to see the canary regress', 60_000);

	ctx.log('  Alertmanager: CanaryRegression for checkout and search (search\'s canary gets no traffic)');
	await stack.alertmanager.addAlert({ alertname: 'CanaryRegression', service: 'checkout', namespace: 'shop' }, { summary: 'checkout canary error rate' });
	await stack.alertmanager.addAlert({ alertname: 'CanaryRegression', service: 'search', namespace: 'shop' }, { summary: 'search canary check' });

	const rolledBack = await newExecution(ctx, id, seen, 'the canary rollback (third failing run in a row)', (e) => ran(e, 'Scale canary to 0'));
	const verdict = itemsOf(rolledBack, 'Policy Gate', 0)[0]?.verdict as Json;
	const searchRun = await waitForExecutions(n8n, id, (list) => {
		for (const e of list) {
			const item = gateItems(e, [1, 2]).find((i) => i.proposal?.target?.name === 'search-canary');
			if (item) return item;
		}
		return undefined;
	}, 'a verdict on the search canary', 90_000);
	return {
		rolledBack,
		verdict,
		canaryWeight: east.ingress('checkout-canary')?.metadata?.annotations?.[CANARY_WEIGHT],
		canaryReplicas: east.deployment('checkout-canary')?.spec?.replicas,
		search: {
			verdict: searchRun.verdict as Json,
			replicas: east.deployment('search-canary')?.spec?.replicas,
			weight: east.ingress('search-canary')?.metadata?.annotations?.[CANARY_WEIGHT],
			weightBefore: searchWeightBefore,
		},
		events: east.events().filter((e) => ['checkout-canary', 'search-canary'].includes(e.involvedObject?.name)),
	};
}
