import { composeRoles, kubernetesRoles } from '../harness/deploy';
import { type Execution, cluster, itemsOf, ran } from '../sandbox/loops';
import { REPOSITORY_ROOT } from '../sandbox/n8n';
import { waitUntil } from '../sandbox/processes';
import { type QueueLoopsStack, QUEUE_FAILOVER_LEASE_SECONDS, extraWorkloadNames, startQueueLoopsStack } from '../sandbox/queue';
import {
	acted,
	failoverEvents,
	failoverLease,
	finishedIds,
	finishedSince,
	handledDuplicate,
	newAlertStart,
	newFinished,
	postAll,
	regionDownBody,
	regionFailing,
	resetFailover,
	scaledUp,
	settled,
	startedByWorker,
	withData,
} from '../sandbox/queue/scenarios';

/**
 * The shipped workflows on n8n's queue mode: Postgres, Redis, a main, two
 * workers and a webhook processor that takes Alertmanager's posts. Storms,
 * a killed worker, and Redis and Postgres restarts; the Leases must keep
 * every action single across processes.
 */

let loops: QueueLoopsStack;
const log = (line: string) => process.stderr.write(`[queue e2e] ${line}\n`);
const EXTRA = 49; // + checkout = 50 pre-scaling workloads
// Executions of killed workers: they stay "running" in the database for good.
const deadExecutions: string[] = [];

beforeAll(async () => {
	loops = await startQueueLoopsStack(REPOSITORY_ROOT, Math.floor(Date.now() / 1000), log, { extraWorkloads: EXTRA });
}, 600_000);

afterAll(async () => {
	await loops?.stop();
}, 120_000);

const failoverUrl = () => loops.workflows.webhooks.failover;

test('deploy/queue-mode gives every role the queue settings this stack ran with', () => {
	const queueKey = /^(DB_|QUEUE_|EXECUTIONS_MODE$|N8N_ENCRYPTION_KEY$|N8N_USER_FOLDER$|WEBHOOK_URL$|N8N_DISABLE_PRODUCTION_MAIN_PROCESS$|NODE_ENV$)/;
	for (const [source, roles] of [['compose.yaml', composeRoles(REPOSITORY_ROOT)], ['kubernetes/', kubernetesRoles(REPOSITORY_ROOT)]] as const) {
		for (const role of ['main', 'webhook', 'worker'] as const) {
			const ran = Object.keys(loops.n8n.envByRole[role]).filter((k) => queueKey.test(k));
			expect({ source, role, missing: ran.filter((k) => !(k in roles[role].env)) }).toEqual({ source, role, missing: [] });
		}
	}
});

async function seenNow(): Promise<Set<string>> {
	return new Set(await finishedIds(loops, loops.workflows.ids.failover));
}

describe('an alert storm on the webhook processor', () => {
	let storm: Execution[];
	let statuses: number[];
	let byWorker: Record<string, string[]>;
	beforeAll(async () => {
		loops.stack.apps.checkout['us-east'].setErrorRate(0.5);
		await regionFailing(loops.stack, 'us-east');
		const seen = await seenNow();
		const alert = { service: 'checkout', region: 'us-east', startsAt: newAlertStart() };
		// 50 identical notifications (retries, repeats) and 10 from the HA peer: same alerts, other order and key order.
		const bodies = [...Array.from({ length: 50 }, () => regionDownBody([alert])), ...Array.from({ length: 10 }, (_, i) => regionDownBody([alert], i + 1))];
		bodies.sort(() => Math.random() - 0.5);
		statuses = await postAll(failoverUrl(), loops.webhookToken, bodies);
		storm = await newFinished(loops, seen, 60, 'storm executions');
		byWorker = startedByWorker(loops);
	}, 300_000);

	test('every notification is taken (200) and becomes one execution', () => {
		expect(statuses.filter((s) => s === 200)).toHaveLength(60);
		expect(storm).toHaveLength(60);
	});

	test('the executions ran on both workers', () => {
		const ids = new Set(storm.map((e) => e.id));
		const counts = Object.values(byWorker).map((list) => list.filter((id) => ids.has(id)).length);
		expect(counts).toHaveLength(2);
		for (const n of counts) expect(n).toBeGreaterThan(0);
		expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
	});

	test('exactly one scale-up, one drain and one decision record; the other 59 are handled duplicates', async () => {
		expect(storm.filter(scaledUp)).toHaveLength(1);
		expect(storm.filter(acted)).toHaveLength(1);
		expect(storm.filter((e) => ran(e, 'Record decision'))).toHaveLength(1);
		expect(storm.filter(handledDuplicate)).toHaveLength(59);
		expect(storm.filter((e) => ran(e, 'Record failure'))).toHaveLength(0);
		expect(failoverEvents(loops).filter((e) => /^Failover/.test(String(e.reason)))).toHaveLength(1);
		expect((await loops.stack.haproxy.serverState('us-east'))?.draining).toBe(true);
		expect(failoverLease(loops).state.flipTimes).toHaveLength(1);
	});
});

describe('a worker killed with SIGKILL after the scale-up and before the drain', () => {
	let killedExecution: string;
	let eastDrainedWhileDead: boolean;
	let leaseHolderWhileDead: string | undefined;
	let after: Execution[];
	let westAfterKill: number;
	beforeAll(async () => {
		await resetFailover(loops);
		const west = cluster(loops.stack, 'us-west');
		const fault = loops.stack.kube['us-west'].sandbox.faults.add({ type: 'latency', latencyMs: 45_000, path: /^\/apis\/apps\/v1\/namespaces\/shop\/deployments\/checkout$/, methods: ['GET'] });
		const before = startedByWorker(loops);
		const seen = await seenNow();
		const alert = { service: 'checkout', region: 'us-east', startsAt: newAlertStart() };
		expect(await postAll(failoverUrl(), loops.webhookToken, [regionDownBody([alert])])).toEqual([200]);
		// The scale-up has been asked for and the run waits for Ready in us-west (its reads hang): kill that worker.
		await waitUntil(async () => (west.deployment('checkout')?.spec?.replicas ?? 0) > 2, 'the scale-up in us-west', 120_000);
		let victim: string | undefined;
		await waitUntil(async () => {
			const now = startedByWorker(loops);
			for (const [name, ids] of Object.entries(now)) {
				const fresh = ids.find((id) => !before[name].includes(id));
				if (fresh) [victim, killedExecution] = [name, fresh];
			}
			return victim !== undefined;
		}, 'the worker running the failover', 30_000);
		const worker = loops.n8n.workers.find((w) => w.name === victim)!;
		log(`killing ${victim} (execution ${killedExecution}) with SIGKILL`);
		await worker.kill('SIGKILL');
		deadExecutions.push(killedExecution);
		westAfterKill = west.deployment('checkout')?.spec?.replicas;
		loops.stack.kube['us-west'].sandbox.faults.remove(fault.id);
		// Held by the dead execution until the Lease runs out; nothing drains meanwhile. The worker comes back
		// meanwhile (a restart takes about as long as the Lease), as a supervisor would bring it back.
		const held = failoverLease(loops).lease;
		leaseHolderWhileDead = held?.spec?.holderIdentity;
		const expiresAt = Date.parse(String(held?.spec?.renewTime ?? held?.spec?.acquireTime)) + Number(held?.spec?.leaseDurationSeconds ?? QUEUE_FAILOVER_LEASE_SECONDS) * 1000;
		const restarted = worker.restart().then(() => undefined, (error: unknown) => error);
		await waitUntil(async () => Date.now() > expiresAt + 1000, 'the dead execution\'s Lease to run out', (QUEUE_FAILOVER_LEASE_SECONDS + 30) * 1000);
		eastDrainedWhileDead = (await loops.stack.haproxy.serverState('us-east'))?.draining === true;
		const restartError = await restarted;
		if (restartError) throw restartError;
		// Alertmanager's next repeat of the same notification.
		for (const id of await finishedIds(loops, loops.workflows.ids.failover)) if (id !== killedExecution) seen.add(id);
		expect(await postAll(failoverUrl(), loops.webhookToken, [regionDownBody([alert])])).toEqual([200]);
		await newFinished(loops, seen, 1, 'the repeat after the Lease expired');
		// Whatever else was queued has run too (the killed execution stays "running" in the database).
		await settled(loops, loops.workflows.ids.failover, 'the failover executions after the repeat', deadExecutions);
		after = await finishedSince(loops, loops.workflows.ids.failover, seen);
	}, 400_000);

	test('while the dead worker held the Lease, traffic stayed in us-east', () => {
		expect(westAfterKill).toBeGreaterThan(2);
		expect(leaseHolderWhileDead).toContain(killedExecution);
		expect(eastDrainedWhileDead).toBe(false);
	});

	test('after the Lease expired, the next notification finished the failover exactly once', async () => {
		expect(after.filter(acted)).toHaveLength(1);
		expect((await loops.stack.haproxy.serverState('us-east'))?.draining).toBe(true);
		const record = after.find(acted)!;
		expect(itemsOf(record, 'Policy Gate', 0)[0]?.verdict).toMatchObject({ decision: 'apply', value: 'us-west' });
		expect(failoverEvents(loops).filter((e) => /^Failover/.test(String(e.reason)))).toHaveLength(2);
		expect(failoverLease(loops).state.flipTimes).toHaveLength(1);
	});
});

describe('Redis restarted during a storm', () => {
	let storm: Execution[];
	let accepted: number;
	beforeAll(async () => {
		await resetFailover(loops);
		const seen = await seenNow();
		const alert = { service: 'checkout', region: 'us-east', startsAt: newAlertStart() };
		const body = regionDownBody([alert]);
		const first = postAll(failoverUrl(), loops.webhookToken, Array.from({ length: 15 }, () => body));
		const restart = loops.n8n.redis.restart(2000);
		const during = await postAll(failoverUrl(), loops.webhookToken, Array.from({ length: 15 }, () => body));
		await restart;
		const statuses = [...(await first), ...during];
		// Alertmanager retries a delivery that failed; these are its retries.
		const refused = statuses.filter((s) => s !== 200).length;
		log(`during the Redis restart ${refused} of 30 posts were refused; retrying them`);
		let retried: number[] = [];
		await waitUntil(async () => {
			retried = await postAll(failoverUrl(), loops.webhookToken, [body]);
			return retried[0] === 200;
		}, 'the webhook processor to take posts again', 60_000);
		accepted = statuses.filter((s) => s === 200).length + 1;
		await newFinished(loops, seen, accepted, 'executions of accepted notifications', 240_000);
		// Posts refused while Redis was down may still have been queued: wait for the queue to run dry.
		await settled(loops, loops.workflows.ids.failover, 'the storm\'s executions', deadExecutions);
		storm = await finishedSince(loops, loops.workflows.ids.failover, seen);
	}, 400_000);

	test('every accepted notification ran, and exactly one acted', () => {
		expect(storm.length).toBeGreaterThanOrEqual(accepted);
		expect(storm.filter(acted)).toHaveLength(1);
		expect(storm.filter((e) => ran(e, 'Record decision'))).toHaveLength(1);
	});

	test('the decision was recorded', async () => {
		expect(failoverEvents(loops).filter((e) => /^Failover/.test(String(e.reason)))).toHaveLength(3);
		expect(failoverLease(loops).state.flipTimes).toHaveLength(1);
		expect((await loops.stack.haproxy.serverState('us-east'))?.draining).toBe(true);
	});
});

describe('two services failing at once', () => {
	let runs: Execution[];
	beforeAll(async () => {
		await resetFailover(loops);
		loops.stack.apps.checkout['us-east'].setErrorRate(0.5);
		loops.stack.apps.search.stable.setErrorRate(0.5);
		await regionFailing(loops.stack, 'us-east');
		const seen = await seenNow();
		const start = newAlertStart();
		// Two groups (group_by service), delivered at the same moment.
		const bodies = [regionDownBody([{ service: 'checkout', region: 'us-east', startsAt: start }]), regionDownBody([{ service: 'search', region: 'us-east', startsAt: start }])];
		expect(await postAll(failoverUrl(), loops.webhookToken, bodies)).toEqual([200, 200]);
		// search has no Deployment in us-west: its gate may ask a person, and that run then waits for the approval.
		await waitUntil(async () => {
			const waiting = (await loops.n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${loops.workflows.ids.failover}&status=waiting&includeData=true&limit=50`)).data;
			runs = [...(await finishedSince(loops, loops.workflows.ids.failover, seen)), ...waiting.filter((e) => !seen.has(e.id))];
			return runs.length >= 2;
		}, 'the two services\' runs', 240_000);
		loops.stack.apps.search.stable.setErrorRate(0);
		for (const run of runs) log(`service ${String(itemsOf(run, 'Failover settings')[0]?.service)} run #${run.id} on ${loops.n8n.workerOf(run.id) ?? '?'}: gate ${JSON.stringify([0, 1, 2].flatMap((o) => itemsOf(run, 'Policy Gate', o)).map((i) => `${String(i.verdict?.decision)}: ${String(i.verdict?.reason).slice(0, 160)}`))}`);
	}, 300_000);

	test('each takes its own Lease: neither waits for nor blocks the other', () => {
		const services = runs.map((run) => String(itemsOf(run, 'Failover settings')[0]?.service)).sort();
		expect(services).toEqual(['checkout', 'search']);
		for (const run of runs) {
			expect(handledDuplicate(run)).toBe(false);
			expect(ran(run, 'Policy Gate')).toBe(true);
		}
		const control = cluster(loops.stack, 'control');
		expect(['checkout', 'search'].map((s) => control.lease(`kube-ops-failover-${s}`)?.metadata?.name)).toEqual(['kube-ops-failover-checkout', 'kube-ops-failover-search']);
	});

	test('checkout fails over once, as alone', () => {
		const checkout = runs.find((run) => itemsOf(run, 'Failover settings')[0]?.service === 'checkout') as Execution;
		expect(acted(checkout)).toBe(true);
	});
});

describe('pre-scaling 50 workloads on the schedule, Postgres restarted between two runs', () => {
	const workloads = ['checkout', ...extraWorkloadNames(EXTRA)];
	const runs: Execution[] = [];
	const raisedPerRun: Array<Map<string, number>> = [];
	let floorsAfterFirst: Record<string, number>;
	beforeAll(async () => {
		const id = loops.workflows.ids.prescaling;
		const east = cluster(loops.stack, 'us-east');
		const api = loops.stack.kube['us-east'].api;
		// Floors the forecast stays within 4x of (the approval factor), as in the single-process scenario.
		for (const name of workloads) api.patch(api.def('horizontalpodautoscalers.autoscaling'), 'shop', name, 'merge', { spec: { minReplicas: 4 } });
		// One scheduled run: published until the main has put one run on the queue, then unpublished until it ends.
		// The public API lists finished executions only; a worker logs the start of each one it takes.
		const startedIds = () => new Set(Object.values(startedByWorker(loops)).flat());
		const finishedBefore = new Set(await finishedIds(loops, id));
		const scheduledRun = async (what: string): Promise<Execution> => {
			const before = startedIds();
			await loops.n8n.api('POST', `/workflows/${id}/activate`);
			let started: string | undefined;
			await waitUntil(async () => {
				started = [...startedIds()].find((e) => !before.has(e));
				return started !== undefined;
			}, `${what} to start on a worker`, 120_000);
			await loops.n8n.api('POST', `/workflows/${id}/deactivate`);
			await waitUntil(async () => (await finishedIds(loops, id)).includes(started as string), `${what} to finish`, 900_000);
			return (await withData(loops, [started as string]))[0];
		};
		runs.push(await scheduledRun('the first scheduled pre-scaling run'));
		floorsAfterFirst = Object.fromEntries(workloads.map((n) => [n, east.hpa(n)?.spec?.minReplicas as number]));
		log('restarting Postgres between two scheduled runs');
		await loops.n8n.postgres.restart();
		// The main answers 503 "Database is not ready!" until it has reconnected; a readiness probe waits the same way.
		for (const url of [loops.n8n.url, ...loops.n8n.workers.map((w) => w.url), ...loops.n8n.webhooks.map((w) => w.url)]) {
			await waitUntil(async () => (await fetch(`${url}/healthz/readiness`)).status === 200, `${url} ready after the Postgres restart`, 120_000);
		}
		runs.push(await scheduledRun('the second scheduled pre-scaling run'));
		// Any run the schedule started meanwhile (two triggers in one instant) counts too.
		await settled(loops, id, 'the scheduled pre-scaling runs');
		for (const e of await finishedSince(loops, id, finishedBefore)) if (!runs.some((r) => r.id === e.id)) runs.push(e);
		for (const run of runs) {
			const decisions = new Map<string, number>();
			for (const item of [0, 1, 2].flatMap((o) => itemsOf(run, 'Policy Gate', o))) {
				const key = `${String(item.verdict?.decision)}: ${String(item.verdict?.reason).replace(/Deployment\/\S+/, 'Deployment/<name>').slice(0, 100)}`;
				decisions.set(key, (decisions.get(key) ?? 0) + 1);
			}
			const nodes = Object.entries(run.data?.resultData.runData ?? {}).map(([node, r]) => `${node} ${r.reduce((n, x) => n + (x.data?.main ?? []).reduce((m, o) => m + (o?.length ?? 0), 0), 0)}`);
			log(`pre-scaling run #${run.id} on ${loops.n8n.workerOf(run.id) ?? '?'} (${run.startedAt} .. ${String(run.stoppedAt)}): ${[...decisions].map(([k, n]) => `${n}x ${k}`).join('; ')} | ${nodes.join(', ')}`);
			const raised = new Map<string, number>();
			for (const item of itemsOf(run, 'Raise HPA floor')) {
				const name = String(item.proposal?.target?.name ?? item.deployment ?? item.name);
				raised.set(name, (raised.get(name) ?? 0) + 1);
			}
			raisedPerRun.push(raised);
		}
	}, 2_000_000);

	test('both runs ran on workers and succeeded across the Postgres restart', () => {
		expect(runs.length).toBeGreaterThanOrEqual(2);
		for (const run of runs) {
			expect(run.status).toBe('success');
			expect(loops.n8n.workerOf(run.id)).toMatch(/^worker-/);
		}
	});

	test('the first run raises all 50 workloads, each once', () => {
		const first = raisedPerRun[0];
		expect([...first.keys()].sort()).toEqual([...workloads].sort());
		for (const n of first.values()) expect(n).toBe(1);
		for (const name of workloads) expect(floorsAfterFirst[name]).toBeGreaterThan(4);
	});

	test('no workload is raised twice in a run, nor again by a later run', () => {
		const total = new Map<string, number>();
		for (const raised of raisedPerRun) for (const [name, n] of raised) total.set(name, (total.get(name) ?? 0) + n);
		for (const name of workloads) expect(total.get(name)).toBe(1);
	});

	test('the second run decided on every workload (held: cooldown) and recorded it', () => {
		const second = runs[1];
		const verdicts = [0, 1, 2].flatMap((o) => itemsOf(second, 'Policy Gate', o)).map((i) => i.verdict?.decision);
		expect(verdicts).toHaveLength(workloads.length);
		expect(verdicts.every((d) => d !== 'apply')).toBe(true);
		expect(['Record decision', 'Record decision (no change)'].flatMap((node) => itemsOf(second, node)).length).toBe(workloads.length);
	});
});
