/**
 * `npm run demo`: the whole local stack and the three shipped workflows in a
 * real n8n, each loop driven once, what it saw and decided said in plain
 * words. Then n8n stays open with the workflows on the canvas until Ctrl-C
 * (`--once` stops after the scenarios, for CI). `--queue` runs the same on
 * n8n's queue mode: Postgres, Redis, a main, two workers and a webhook
 * processor that Alertmanager posts to (test/sandbox/queue).
 */
import { type LoopsContext, canary, failover, preScaling, startLoopsStack } from './loops';
import { N8N_OWNER, REPOSITORY_ROOT } from './n8n';
import { startQueueLoopsStack, startedWorkers } from './queue';

const say = (text = '') => process.stdout.write(text + '\n');

/** The loops' own Events (not the sandbox controllers'), counted by object and reason. */
function loopEvents(events: Array<Record<string, any>>): string { // eslint-disable-line @typescript-eslint/no-explicit-any
	const counts = new Map<string, number>();
	for (const e of events) {
		if (!/^(Scale|Canary|Failover|Failback)/.test(String(e.reason))) continue;
		const key = `${String(e.involvedObject?.name)} ${String(e.reason)}`;
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	return [...counts].map(([key, n]) => (n > 1 ? `${key} x${n}` : key)).join(', ') || 'none';
}

function describeVerdict(verdict: Record<string, unknown> | undefined): string {
	if (!verdict) return 'no verdict';
	return `${String(verdict.decision)}${verdict.decidedBy ? ` (decided by ${String(verdict.decidedBy)})` : ''}: ${String(verdict.reason)}`;
}

async function main(): Promise<void> {
	const once = process.argv.includes('--once');
	const queue = process.argv.includes('--queue');
	const started = Date.now();
	say(`kube-ops demo: the three shipped workflows in a real n8n${queue ? ' in queue mode (Postgres, Redis, main, 2 workers, webhook processor)' : ''}, on a local stack`);
	say('  real Prometheus (NYC taxi history + live scrapes), real Alertmanager, real HAProxy with traffic,');
	say('  Kubernetes API sandboxes for us-east, us-west and a control cluster');
	say();
	const log = (line: string) => say(`  ${line.trim()}`);
	const now = Math.floor(Date.now() / 1000);
	const queued = queue ? await startQueueLoopsStack(REPOSITORY_ROOT, now, log) : undefined;
	const loops = queued ?? (await startLoopsStack(REPOSITORY_ROOT, now, log));
	const ctx: LoopsContext = { n8n: loops.n8n, stack: loops.stack, workflows: loops.workflows, log: say };
	try {
		say(`stack up in ${((Date.now() - started) / 1000).toFixed(0)} s`);
		say();

		say('1. Predictive pre-scaling (workflow "kube-ops: predictive pre-scaling", run now twice)');
		const pre = await preScaling(ctx);
		say(`  proposal: ${String(pre.first.proposal?.rationale ?? 'none')}`);
		say(`  Policy Gate: ${describeVerdict(pre.first.verdict)}`);
		say(`  HPA shop/checkout in us-east: minReplicas ${pre.minReplicasBefore} -> ${pre.first.minReplicasAfter}; Deployment ${pre.first.readyReplicasAfter} ready`);
		say(`  second run: Policy Gate: ${describeVerdict(pre.second.verdict)}`);
		say(`  Events (the change's audit Event and the decision record): ${loopEvents(pre.events)}`);
		say();

		say('2. Canary rollback (workflow "kube-ops: canary rollback")');
		const ca = await canary(ctx);
		say(`  checkout canary: Policy Gate: ${describeVerdict(ca.verdict)}`);
		say(`  canary weight now ${String(ca.canaryWeight)}, canary replicas ${ca.canaryReplicas}`);
		say(`  search canary (no traffic): Policy Gate: ${describeVerdict(ca.search.verdict)}; replicas ${ca.search.replicas}, weight ${String(ca.search.weight)} (unchanged)`);
		say(`  Events: ${loopEvents(ca.events)}`);
		say();
		say('3. Alertmanager-driven failover (workflow "kube-ops: Alertmanager-driven multi-region failover")');
		const fo = await failover(ctx, { interruptFirst: true });
		if (fo.interrupted) {
			say(`  first attempt failed after the scale-up (us-west's API refused to show the Deployment): us-east ${fo.interrupted.eastDrainedAfter ? 'WAS DRAINED' : 'kept its traffic'}, recorded as a failure (consecutiveErrors ${String(fo.interrupted.consecutiveErrors)})`);
		}
		say(`  proposal: ${String(fo.proposal?.action)} ${String(fo.proposal?.from)} -> ${String(fo.proposal?.to)}`);
		say(`  Policy Gate: ${describeVerdict(fo.verdict)}`);
		say(`  us-west checkout scaled to ${fo.westReplicasAtDrain.spec}, ${fo.westReplicasAtDrain.ready} ready ${fo.westReadyBeforeDrain ? 'before' : 'AFTER'} us-east was drained in HAProxy`);
		say(`  repeated notifications: ${fo.repeats.executions} more runs, ${fo.repeats.acted} of them acted (the dedupe key was already handled)`);
		if (fo.failback) {
			say(`  resolved + dwell: Policy Gate: ${describeVerdict(fo.failback.verdict)}`);
			say(`  us-east ${fo.failback.eastServing ? 'serves again' : 'still out'}: ${fo.failback.trafficToEast} requests in 2 s`);
		}
		say(`  Events (control cluster): ${loopEvents(fo.events)}`);
		say();

		if (queued) {
			say(`queue mode: executions per worker: ${startedWorkers(queued)}; \`n8n execute\` (the pre-scaling runs) always runs in its own process (n8n falls back to regular mode for the CLI)`);
			say();
		}
		say(`all three loops done in ${((Date.now() - started) / 1000).toFixed(0)} s`);

		if (!once) {
			say();
			say(`n8n is open at ${loops.n8n.url} (log in as ${N8N_OWNER.email} / ${N8N_OWNER.password}); the three workflows are on the canvas.`);
			if (queued) say(`webhook processor ${queued.n8n.webhookBase}; workers ${queued.n8n.workers.map((w) => w.url).join(', ')}; Postgres 127.0.0.1:${queued.n8n.postgres.port}; Redis 127.0.0.1:${queued.n8n.redis.port}`);
			say(`Prometheus ${loops.stack.prometheus.url}, Alertmanager ${loops.stack.alertmanager.url}, HAProxy ${loops.stack.haproxy.url}`);
			say('Press Ctrl-C to stop everything.');
			await new Promise<void>((resolve) => {
				process.once('SIGINT', () => resolve());
				process.once('SIGTERM', () => resolve());
			});
		}
	} finally {
		await loops.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
