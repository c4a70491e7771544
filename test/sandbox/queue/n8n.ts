import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type RunningN8n, baseN8nEnv, installPackageInto, startN8nWithPackage } from '../n8n';
import { type ManagedProcess, freePort, startProcess, waitUntil } from '../processes';
import { type LocalPostgres, type LocalRedis, startPostgres, startRedis } from './services';

/**
 * n8n in queue mode, as teams run it in production: a main (editor, public
 * API, schedules), webhook processors that take Alertmanager's posts and put
 * executions on the queue, and workers that run them; Redis between them and
 * Postgres under all. Every process gets the same encryption key and the
 * same user folder, which holds this package installed from its tarball.
 */

export type QueueRole = 'main' | 'worker' | 'webhook';

export interface QueueEnvInput {
	postgres: Pick<LocalPostgres, 'host' | 'port' | 'database' | 'user' | 'password'>;
	redis: Pick<LocalRedis, 'host' | 'port'>;
	/** Public base URL of the webhook processors (what Alertmanager posts to). */
	webhookUrl: string;
}

/**
 * The queue-mode settings one process of `role` needs on top of n8n's usual
 * ones (encryption key, user folder, port). deploy/ carries the same keys;
 * test/unit/deploy.test.ts holds them to this function.
 */
export function queueEnv(role: QueueRole, input: QueueEnvInput): Record<string, string> {
	const env: Record<string, string> = {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: input.postgres.host,
		DB_POSTGRESDB_PORT: String(input.postgres.port),
		DB_POSTGRESDB_DATABASE: input.postgres.database,
		DB_POSTGRESDB_USER: input.postgres.user,
		DB_POSTGRESDB_PASSWORD: input.postgres.password,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: input.redis.host,
		QUEUE_BULL_REDIS_PORT: String(input.redis.port),
		// Production webhook URLs shown in the editor and registered by triggers point at the webhook processors.
		WEBHOOK_URL: input.webhookUrl,
	};
	// The main must not take production webhooks itself once processors do (they are routed to them instead).
	if (role === 'main') env.N8N_DISABLE_PRODUCTION_MAIN_PROCESS = 'true';
	if (role === 'worker') env.QUEUE_HEALTH_CHECK_ACTIVE = 'true';
	return env;
}

export interface QueueProcess {
	role: QueueRole;
	name: string;
	/** Health URL (worker: its queue health check; webhook: /healthz). */
	url: string;
	process: () => ManagedProcess;
	/** Kills the process (and its task runner) with `signal`; `restart` brings it back. */
	kill: (signal: NodeJS.Signals) => Promise<void>;
	restart: () => Promise<void>;
	log: () => string;
	/** Execution ids this process logged "Worker started execution <id>" for, over all its restarts. */
	started: () => string[];
}

export interface QueueN8n extends RunningN8n {
	postgres: LocalPostgres;
	redis: LocalRedis;
	workers: QueueProcess[];
	webhooks: QueueProcess[];
	/** The environment each role ran with, minus the machine's own (for the deploy/ test and the report). */
	envByRole: Record<QueueRole, Record<string, string>>;
	/** Which worker logged "started execution <id>" (its name), if any did. */
	workerOf: (executionId: string) => string | undefined;
}

export interface QueueOptions {
	workers?: number;
	webhookProcessors?: number;
	/** Jobs one worker runs at once (n8n's --concurrency; its default is 10). */
	concurrency?: number;
	log?: (line: string) => void;
}

/** `port`: a port chosen beforehand (the webhook processor that WEBHOOK_URL names). */
async function startRole(bin: string, role: Exclude<QueueRole, 'main'>, name: string, userFolder: string, env: NodeJS.ProcessEnv, port?: number): Promise<QueueProcess> {
	port ??= await freePort();
	const roleEnv: NodeJS.ProcessEnv = { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
	if (role === 'worker') roleEnv.QUEUE_HEALTH_CHECK_PORT = String(port);
	else roleEnv.N8N_PORT = String(port);
	const args = role === 'worker' ? ['worker', `--concurrency=${env.KUBE_OPS_WORKER_CONCURRENCY ?? '5'}`] : ['webhook'];
	const url = `http://127.0.0.1:${port}`;
	const started: string[] = [];
	const launch = async () => {
		const child = startProcess(bin, args, userFolder, roleEnv, { group: true });
		// The process log is a ring buffer; the executions it started are kept whole.
		for (const stream of [child.child.stdout, child.child.stderr]) {
			let partial = '';
			stream?.on('data', (chunk: Buffer) => {
				const lines = (partial + chunk.toString()).split('\n');
				partial = lines.pop() ?? '';
				for (const line of lines) {
					const id = /Worker started execution (\d+)/.exec(line)?.[1];
					if (id) started.push(id);
				}
			});
		}
		// The worker's readiness checks its database and Redis connections; the webhook processor's /healthz/readiness the database.
		await waitUntil(async () => (await fetch(`${url}/healthz/readiness`)).status === 200, `n8n ${name} on ${url}`, 180_000, child);
		return child;
	};
	let child = await launch();
	return {
		role,
		name,
		url,
		process: () => child,
		kill: (signal) => child.kill(signal),
		restart: async () => {
			await child.stop();
			child = await launch();
		},
		log: () => child.log(),
		started: () => [...started],
	};
}

export async function startQueueN8n(tarball: string, options: QueueOptions = {}): Promise<QueueN8n> {
	const log = options.log ?? (() => undefined);
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-n8n-queue-'));
	installPackageInto(userFolder, tarball);
	const [pg, rd] = await Promise.allSettled([startPostgres(), startRedis()]);
	const stopAll: Array<() => Promise<void>> = [];
	const cleanup = async () => {
		for (const stop of stopAll.reverse()) await stop().catch(() => undefined);
		fs.rmSync(userFolder, { recursive: true, force: true });
	};
	if (pg.status === 'fulfilled') stopAll.push(pg.value.stop);
	if (rd.status === 'fulfilled') stopAll.push(rd.value.stop);
	if (pg.status === 'rejected' || rd.status === 'rejected') {
		await cleanup();
		throw pg.status === 'rejected' ? pg.reason : (rd as PromiseRejectedResult).reason;
	}
	const postgres = pg.value;
	const redis = rd.value;
	log(`Postgres on ${postgres.port}, Redis on ${redis.port}`);
	try {
		const webhookPort = await freePort();
		const input: QueueEnvInput = { postgres, redis, webhookUrl: `http://127.0.0.1:${webhookPort}/` };
		const concurrency = String(options.concurrency ?? 5);
		const mainEnv = queueEnv('main', input);
		// The main migrates the database; workers and webhook processors start once it is ready.
		const main = await startN8nWithPackage(tarball, { userFolder, env: mainEnv });
		stopAll.push(main.process.stop);
		log(`n8n main ${main.url} up`);
		const shared = { ...process.env, ...baseN8nEnv(userFolder), KUBE_OPS_WORKER_CONCURRENCY: concurrency };
		const workerEnv = { ...shared, ...queueEnv('worker', input) };
		const webhookEnv = { ...shared, ...queueEnv('webhook', input) };
		// Workers and webhook processors start side by side (each start of n8n takes 30-60 s here); one that fails stops all.
		const starting = [
			...Array.from({ length: options.workers ?? 2 }, (_, i) => startRole(main.bin, 'worker', `worker-${i + 1}`, userFolder, workerEnv)),
			// The first processor listens where WEBHOOK_URL points; more would sit behind a load balancer.
			...Array.from({ length: options.webhookProcessors ?? 1 }, (_, i) => startRole(main.bin, 'webhook', `webhook-${i + 1}`, userFolder, webhookEnv, i === 0 ? webhookPort : undefined)),
		];
		const started = await Promise.allSettled(starting);
		for (const result of started) if (result.status === 'fulfilled') stopAll.push(() => result.value.process().stop());
		const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
		if (failed) throw failed.reason;
		const roles = started.map((r) => (r as PromiseFulfilledResult<QueueProcess>).value);
		const workers = roles.filter((r) => r.role === 'worker');
		const webhooks = roles.filter((r) => r.role === 'webhook');
		log(`${workers.length} workers and ${webhooks.length} webhook processor(s) up; webhooks on ${webhooks[0]?.url}`);
		const strip = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && process.env[k] !== v)) as Record<string, string>;
		const envByRole = {
			main: strip(main.env),
			worker: strip({ ...workerEnv, N8N_RUNNERS_BROKER_PORT: '<free port>', QUEUE_HEALTH_CHECK_PORT: '<free port>' }),
			webhook: strip({ ...webhookEnv, N8N_PORT: String(webhookPort), N8N_RUNNERS_BROKER_PORT: '<free port>' }),
		};
		delete envByRole.worker.KUBE_OPS_WORKER_CONCURRENCY;
		delete envByRole.webhook.KUBE_OPS_WORKER_CONCURRENCY;
		return {
			...main,
			webhookBase: webhooks[0].url,
			postgres,
			redis,
			workers,
			webhooks,
			envByRole,
			workerOf: (executionId: string) => workers.find((w) => w.started().includes(executionId))?.name,
			stop: cleanup,
		};
	} catch (error) {
		await cleanup();
		throw error;
	}
}
