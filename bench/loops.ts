/**
 * Queue-mode benchmark: the shipped workflows on n8n's queue mode (Postgres,
 * Redis, a main, two workers, one webhook processor; test/sandbox/queue), on
 * this machine. Figures on stdout and in bench/results/loops.{json,md}:
 *
 * - one scheduled pre-scaling run for 10, 50 and 100 workloads: wall time
 *   (the execution's start to stop) and the peak RSS of each worker process
 *   (and of its task runner) while it ran; targets at 50: <= 30 s, <= 256 MB;
 * - alert -> drain decision latency: the RegionDown post to the webhook
 *   processor until "Drain the failing region" starts, minus the time "Wait for
 *   Ready in us-west" spent (pods starting is not n8n's latency); against a
 *   bare Webhook -> Respond to Webhook round trip on the same stack; target <= 3x;
 * - the dedupe path: duplicate RegionDown notifications (already handled) at
 *   rising rates; the highest rate at which the webhook processor still
 *   answers 95 % within 1 s, and how far the workers fell behind.
 *
 *   npm run bench -- --only loops [--workloads 10,50]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { type Execution, runsOf } from '../test/sandbox/loops';
import { REPOSITORY_ROOT } from '../test/sandbox/n8n';
import { waitUntil } from '../test/sandbox/processes';
import { type QueueLoopsStack, extraWorkloadNames, importPreScaling, resetPreScaling, startQueueLoopsStack } from '../test/sandbox/queue';
import { acted, finishedIds, finishedSince, newAlertStart, postAll, regionDownBody, regionFailing, resetFailover, unfinished, withData } from '../test/sandbox/queue/scenarios';
import { updateDocBlock } from './repository';

const RESULTS = path.join(REPOSITORY_ROOT, 'bench', 'results');
const say = (line = '') => process.stdout.write(`${line}\n`);
const TARGETS = { preScalingWallSeconds: 30, workerRssMb: 256, latencyRatio: 3, dedupeP95Ms: 1000 };

/** RSS in MB of a process, and of its children (n8n's task runner). */
function rssMb(pid: number): { self: number; children: number } {
	const read = (p: number) => {
		try {
			return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
		} catch {
			return 0;
		}
	};
	let children = 0;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid === pid) children += read(Number(entry));
		} catch {
			// gone
		}
	}
	return { self: read(pid), children };
}

function sampler(loops: QueueLoopsStack): { stop: () => Record<string, { self: number; children: number }> } {
	const peak: Record<string, { self: number; children: number }> = {};
	const tick = () => {
		for (const w of [...loops.n8n.workers, ...loops.n8n.webhooks]) {
			const pid = w.process().child.pid;
			if (pid === undefined) continue;
			const now = rssMb(pid);
			const p = (peak[w.name] ??= { self: 0, children: 0 });
			p.self = Math.max(p.self, now.self);
			p.children = Math.max(p.children, now.children);
		}
	};
	tick();
	const timer = setInterval(tick, 250);
	return {
		stop: () => {
			clearInterval(timer);
			tick();
			return peak;
		},
	};
}

const pct = (values: number[], p: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};

interface PreScalingFigure {
	workloads: number;
	wallSeconds: number;
	worker: string;
	raised: number;
	peakRss: Record<string, { self: number; children: number }>;
}

async function preScalingRun(loops: QueueLoopsStack, count: number): Promise<PreScalingFigure> {
	const extra = extraWorkloadNames(count - 1);
	await importPreScaling(loops, REPOSITORY_ROOT, extra, 10);
	resetPreScaling(loops, ['checkout', ...extra]);
	const id = loops.workflows.ids.prescaling;
	const startedIds = () => new Set(loops.n8n.workers.flatMap((w) => w.started()));
	const before = startedIds();
	const rss = sampler(loops);
	await loops.n8n.api('POST', `/workflows/${id}/activate`);
	// Unpublished as soon as a worker takes the first scheduled run; every run started by then is waited for.
	await waitUntil(async () => [...startedIds()].some((e) => !before.has(e)), `the pre-scaling run for ${count} workloads to start`, 120_000);
	await loops.n8n.api('POST', `/workflows/${id}/deactivate`);
	await new Promise((r) => setTimeout(r, 1000));
	const ids = [...startedIds()].filter((e) => !before.has(e));
	await waitUntil(async () => {
		const finished = await finishedIds(loops, id);
		return ids.every((e) => finished.includes(e));
	}, `the pre-scaling run for ${count} workloads`, 1_800_000);
	const runs = await withData(loops, ids);
	const peakRss = rss.stop();
	const raisedBy = (r: Execution) => runsOf(r, 'Raise HPA floor').reduce((n, x) => n + (x.data?.main?.[0]?.length ?? 0), 0);
	// When the schedule put two runs on the queue at once, the one that holds the Leases did the work.
	const r = [...runs].sort((a, b) => raisedBy(b) - raisedBy(a))[0];
	if (runs.length > 1) say(`  (${runs.length} runs were started at once: ${runs.map((x) => `#${x.id} raised ${raisedBy(x)}`).join(', ')})`);
	return { workloads: count, wallSeconds: (Date.parse(String(r.stoppedAt)) - Date.parse(r.startedAt)) / 1000, worker: loops.n8n.workerOf(r.id) ?? '?', raised: raisedBy(r), peakRss };
}

async function bareRoundTrips(loops: QueueLoopsStack, n: number): Promise<number[]> {
	const created = await loops.n8n.api<{ id: string }>('POST', '/workflows', {
		name: 'bench: bare webhook -> respond',
		nodes: [
			{ id: 'b1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'bench-echo', parameters: { httpMethod: 'POST', path: 'bench-echo', responseMode: 'responseNode', options: {} } },
			{ id: 'b2', name: 'Respond to Webhook', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [200, 0], parameters: { respondWith: 'json', responseBody: '={{ { "ok": true } }}', options: {} } },
		],
		connections: { Webhook: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	});
	await loops.n8n.api('POST', `/workflows/${created.id}/activate`);
	const url = `${loops.n8n.webhookBase}/webhook/bench-echo`;
	await waitUntil(async () => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status === 200, 'the bare webhook', 30_000);
	const times: number[] = [];
	for (let i = 0; i < n; i++) {
		const t0 = performance.now();
		const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"i":1}' });
		await response.text();
		if (response.status !== 200) throw new Error(`bare webhook answered ${response.status}`);
		times.push(performance.now() - t0);
	}
	await loops.n8n.api('POST', `/workflows/${created.id}/deactivate`);
	return times;
}

async function alertToDrain(loops: QueueLoopsStack, n: number): Promise<number[]> {
	loops.stack.apps.checkout['us-east'].setErrorRate(0.5);
	await regionFailing(loops.stack, 'us-east');
	const id = loops.workflows.ids.failover;
	const latencies: number[] = [];
	for (let i = 0; i < n; i++) {
		await resetFailover(loops);
		const seen = new Set(await finishedIds(loops, id));
		const posted = Date.now();
		await postAll(loops.workflows.webhooks.failover, loops.webhookToken, [regionDownBody([{ service: 'checkout', region: 'us-east', startsAt: newAlertStart() }])]);
		let run: Execution | undefined;
		await waitUntil(async () => {
			run = (await finishedSince(loops, id, seen)).find(acted);
			return run !== undefined;
		}, 'the failover run', 120_000);
		const r = run as Execution;
		const drainStart = runsOf(r, 'Drain the failing region')[0].startTime;
		const readyWait = runsOf(r, 'Wait for Ready in us-west').reduce((t, x) => t + x.executionTime, 0);
		latencies.push(drainStart - posted - readyWait);
	}
	return latencies;
}

interface DedupeStep {
	rate: number;
	p50: number;
	p95: number;
	refused: number;
	backlogSeconds: number;
}

async function dedupePath(loops: QueueLoopsStack): Promise<DedupeStep[]> {
	// The last failover left its dedupe key on the Lease: the same notification is now a duplicate.
	const body = regionDownBody([{ service: 'checkout', region: 'us-east', startsAt: newAlertStart() }]);
	await resetFailover(loops);
	const id = loops.workflows.ids.failover;
	const steps: DedupeStep[] = [];
	const seen0 = new Set(await finishedIds(loops, id));
	await postAll(loops.workflows.webhooks.failover, loops.webhookToken, [body]);
	await waitUntil(async () => (await finishedSince(loops, id, seen0)).some(acted), 'the failover that records the key', 120_000);
	for (const rate of [5, 10, 20, 40, 80]) {
		const seconds = 8;
		const times: number[] = [];
		let refused = 0;
		const pending: Array<Promise<void>> = [];
		const start = performance.now();
		for (let i = 0; i < rate * seconds; i++) {
			const due = start + (i * 1000) / rate;
			const wait = due - performance.now();
			if (wait > 0) await new Promise((r) => setTimeout(r, wait));
			const t0 = performance.now();
			pending.push(
				fetch(loops.workflows.webhooks.failover, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${loops.webhookToken}` }, body })
					.then(async (r) => {
						await r.arrayBuffer();
						if (r.status !== 200) refused++;
						times.push(performance.now() - t0);
					})
					.catch(() => {
						refused++;
					}),
			);
		}
		await Promise.all(pending);
		const sent = performance.now();
		// How long the workers needed after the last post to finish what was queued.
		const expected = rate * seconds;
		await waitUntil(async () => (await unfinished(loops, id)).length === 0, 'the queue to drain', 600_000);
		const step = { rate, p50: pct(times, 50), p95: pct(times, 95), refused, backlogSeconds: (performance.now() - sent) / 1000 };
		say(`  dedupe path ${rate}/s for ${seconds} s (${expected} posts): p50 ${step.p50.toFixed(0)} ms, p95 ${step.p95.toFixed(0)} ms, refused ${refused}, workers done ${step.backlogSeconds.toFixed(1)} s after the last post`);
		steps.push(step);
		if (step.p95 > TARGETS.dedupeP95Ms) break;
	}
	return steps;
}

type LoopsReport = Parameters<typeof markdown>[0];

/** bench/results/loops.md and the block in docs/queue-mode.md, from the figures; returns the markdown. */
function writeReports(report: LoopsReport): string {
	const text = markdown(report);
	fs.writeFileSync(path.join(RESULTS, 'loops.md'), `${text}\n`);
	updateDocBlock('<!-- loops-bench:start (written by npm run bench -- --only loops) -->', '<!-- loops-bench:end -->', text.split('\n').slice(2).join('\n').replace(/^## /gm, '### ').trim());
	return text;
}

export async function runLoopsBenchmarks(args: string[] = []): Promise<void> {
	// --docs: only write loops.md and the docs block again from bench/results/loops.json.
	if (args.includes('--docs')) {
		say(writeReports(JSON.parse(fs.readFileSync(path.join(RESULTS, 'loops.json'), 'utf8')) as LoopsReport));
		return;
	}
	// --workloads 10,50: only these pre-scaling sizes (default 10, 50, 100).
	const sizes = args.includes('--workloads') ? args[args.indexOf('--workloads') + 1].split(',').map(Number) : [10, 50, 100];
	const started = Date.now();
	say('loops benchmark: n8n 2.41.1 queue mode (Postgres, Redis, main, 2 workers x concurrency 5, 1 webhook processor)');
	const loops = await startQueueLoopsStack(REPOSITORY_ROOT, Math.floor(Date.now() / 1000), (line) => say(`  ${line.trim()}`), { extraWorkloads: Math.max(...sizes) - 1 });
	// Ctrl-C or a kill stops the whole stack (n8n's processes run in their own process groups and would stay).
	const interrupted = () => {
		void loops.stop().finally(() => process.exit(130));
	};
	process.once('SIGINT', interrupted);
	process.once('SIGTERM', interrupted);
	try {
		const pre: PreScalingFigure[] = [];
		for (const n of sizes) {
			const figure = await preScalingRun(loops, n);
			const rss = Object.entries(figure.peakRss).map(([w, r]) => `${w} ${r.self.toFixed(0)} MB (+ runner ${r.children.toFixed(0)} MB)`).join(', ');
			say(`  pre-scaling ${n} workloads on ${figure.worker}: ${figure.wallSeconds.toFixed(1)} s, raised ${figure.raised}; peak RSS ${rss}`);
			pre.push(figure);
		}
		const bare = await bareRoundTrips(loops, 20);
		say(`  bare webhook -> respond: median ${pct(bare, 50).toFixed(0)} ms, p95 ${pct(bare, 95).toFixed(0)} ms`);
		const decision = await alertToDrain(loops, 5);
		say(`  alert -> drain decision: ${decision.map((d) => d.toFixed(0)).join(', ')} ms`);
		const dedupe = await dedupePath(loops);
		const report = { measuredAt: new Date().toISOString(), node: process.version, machine: `${process.platform}/${process.arch}, 2 cores`, preScaling: pre, bareRoundTripMs: bare, alertToDrainMs: decision, dedupe, targets: TARGETS };
		fs.mkdirSync(RESULTS, { recursive: true });
		fs.writeFileSync(path.join(RESULTS, 'loops.json'), `${JSON.stringify(report, null, 2)}\n`);
		say();
		say(writeReports(report));
		say(`(benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
	} finally {
		await loops.stop();
	}
}

function verdict(ok: boolean): string {
	return ok ? 'meets' : '**misses**';
}

function markdown(r: { measuredAt: string; node: string; preScaling: PreScalingFigure[]; bareRoundTripMs: number[]; alertToDrainMs: number[]; dedupe: DedupeStep[] }): string {
	const lines = [
		'# Queue-mode benchmark (`npm run bench -- --only loops`)',
		'',
		`Measured ${r.measuredAt} with Node ${r.node} on a 2-core machine shared with other work; n8n 2.41.1 in queue mode: Postgres 15, Redis 7 (append-only), a main, two workers (\`--concurrency=5\`), one webhook processor (test/sandbox/queue).`,
		'',
		'## One scheduled pre-scaling run',
		'',
		'| workloads | wall (s) | raised | worker | peak RSS per worker process (MB) | its task runner (MB) | target (50) |',
		'|---:|---:|---:|---|---|---|---|',
	];
	for (const p of r.preScaling) {
		const workers = Object.entries(p.peakRss).filter(([n]) => n.startsWith('worker'));
		const target = p.workloads === 50 ? `${verdict(p.wallSeconds <= TARGETS.preScalingWallSeconds)} <= 30 s; ${verdict(workers.every(([, x]) => x.self <= TARGETS.workerRssMb))} <= 256 MB` : '';
		lines.push(`| ${p.workloads} | ${p.wallSeconds.toFixed(1)} | ${p.raised} | ${p.worker} | ${workers.map(([n, x]) => `${n} ${x.self.toFixed(0)}`).join(', ')} | ${workers.map(([n, x]) => `${n} ${x.children.toFixed(0)}`).join(', ')} | ${target} |`);
	}
	if (r.preScaling.length > 1) {
		// Linear in workloads means the same seconds per workload at every size.
		lines.push('', `Seconds per workload: ${r.preScaling.map((p) => `${p.workloads} workloads ${(p.wallSeconds / p.workloads).toFixed(2)}`).join(', ')}.`);
	}
	const bare = pct(r.bareRoundTripMs, 50);
	const decision = pct(r.alertToDrainMs, 50);
	lines.push(
		'',
		'## Alert -> drain decision latency',
		'',
		`Bare Webhook -> Respond to Webhook round trip through the webhook processor, Redis and a worker: median ${bare.toFixed(0)} ms (p95 ${pct(r.bareRoundTripMs, 95).toFixed(0)} ms, ${r.bareRoundTripMs.length} calls).`,
		`RegionDown posted -> "Drain the failing region" started, minus the wait for Ready in us-west: median ${decision.toFixed(0)} ms (${r.alertToDrainMs.map((d) => d.toFixed(0)).join(', ')} ms).`,
		`Ratio ${(decision / bare).toFixed(1)}x; target <= ${TARGETS.latencyRatio}x: ${verdict(decision / bare <= TARGETS.latencyRatio)}.`,
		'',
		'## Dedupe path (duplicate notifications, no action)',
		'',
		'| rate (/s, 8 s) | p50 (ms) | p95 (ms) | refused | workers finished after the last post (s) |',
		'|---:|---:|---:|---:|---:|',
		...r.dedupe.map((d) => `| ${d.rate} | ${d.p50.toFixed(0)} | ${d.p95.toFixed(0)} | ${d.refused} | ${d.backlogSeconds.toFixed(1)} |`),
	);
	const ok = r.dedupe.filter((d) => d.p95 <= TARGETS.dedupeP95Ms && d.refused === 0);
	lines.push('', ok.length ? `The webhook processor answered 95 % within 1 s up to ${ok[ok.length - 1].rate} notifications/s${ok.length === r.dedupe.length ? ' (the highest rate tried)' : ''}.` : 'The webhook processor answered slower than 1 s already at the lowest rate.');
	return lines.join('\n');
}
