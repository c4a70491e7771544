import { parseServersState } from '../../../src/loadbalancer/haproxyRuntime';
import { PrometheusClient } from '../../../src/prometheus';
import { startAlertmanager, type LocalAlertmanager } from '../alertmanager';
import { nycTaxiRegions, type BackfillSeries } from '../demoSeries';
import { startHaproxy, type LocalHaproxy } from '../haproxy';
import { renderKubeconfig, startKubeSandbox, type KubeApi, type KubeSandbox } from '../kube';
import { startLocalPrometheus, type LocalPrometheus } from '../prometheus';
import { startApp, type App, type Track } from './app';
import { stackCredentials, type StackCredentials } from './credentials';
import { startLoad, type Load, type LoadTally } from './load';
import { CLUSTERS, NAMESPACE, seedStackCluster, type ClusterName } from './seed';
import { startWebhookSink, type WebhookNotification, type WebhookSink } from './webhookSink';

/**
 * The whole local ops stack in one call, for the end-to-end tests and
 * `npm run demo`: three Kubernetes API sandboxes (us-east, us-west and the
 * `control` cluster where state lives) exporting kube-state-metrics, the
 * service instances with their own /metrics, real HAProxy in front of the two
 * checkout regions, steady load, a real Prometheus holding the real taxi
 * history and scraping everything every second, and a real Alertmanager
 * posting to a webhook.
 */

export { CLUSTERS, NAMESPACE, REGIONS, CHECKOUT_REPLICAS, CHECKOUT_HPA, CHECKOUT_CANARY_WEIGHT, IMAGES, type ClusterName, type Region } from './seed';
export type { App, Track } from './app';
export type { Load, LoadTally } from './load';
export type { WebhookNotification } from './webhookSink';
export * from './credentials';
export { STACK_QUERIES } from './queries';

export interface OpsStackOptions {
	/** Unix seconds the backfilled history ends at (the test's clock). */
	now: number;
	/** Alertmanager's receiver; without it the stack starts its own sink (see alertmanager.notifications). */
	webhookUrl?: string;
	/** Sent by Alertmanager as `Authorization: Bearer <token>`. */
	bearerToken?: string;
	/** Progress and timings, one line each. */
	log?: (line: string) => void;
	/** How long a new pod takes to become Ready on the sandboxes (default 1500 ms). */
	podStartupMs?: number;
	/** Requests per second (defaults: checkout via HAProxy 20, checkout canary 10, search 20). */
	rates?: Partial<Record<LoadName, number>>;
	/** Alertmanager route timings (defaults 1 s / 2 s / 10 s: repeats are observable within a test). */
	groupWaitSeconds?: number;
	groupIntervalSeconds?: number;
	repeatIntervalSeconds?: number;
	/** Alerts matching `match` go to their own webhook (see startAlertmanager). */
	routes?: Array<{ match: Record<string, string>; webhookUrl: string }>;
}

export type LoadName = 'checkout' | 'checkoutCanary' | 'search';

export interface StackCluster {
	url: string;
	/** Admin bearer token. */
	token: string;
	/** PEM of the sandbox's self-signed certificate (its own CA). */
	caCert?: string;
	clusterName: ClusterName;
	/** In-process REST semantics, system privileges (no auth, no faults). */
	api: KubeApi;
	sandbox: KubeSandbox;
}

export interface HaproxyServerState {
	name: string;
	/** srv_op_state: 0 stopped (health checks failing), 1 starting, 2 running, 3 stopping. */
	operState: number;
	/** srv_admin_state bit field: 0x01 forced maintenance, 0x08 forced drain, ... */
	adminState: number;
	weight: number;
	up: boolean;
	draining: boolean;
	maintenance: boolean;
}

export interface StackApps {
	checkout: { 'us-east': App; 'us-west': App; canary: App };
	search: { stable: App; canary: App };
	all: App[];
}

export interface OpsStack {
	now: number;
	prometheus: { url: string; local: LocalPrometheus };
	alertmanager: {
		url: string;
		addAlert: LocalAlertmanager['addAlert'];
		resolveAlert: LocalAlertmanager['resolveAlert'];
		/** Where it posts (the given webhookUrl or the stack's own sink). */
		webhookUrl: string;
		/** What the stack's own sink received; empty when notifications go to a given webhookUrl. */
		notifications: () => WebhookNotification[];
		local: LocalAlertmanager;
	};
	haproxy: {
		/** The HTTP frontend in front of backend be_app (servers us-east, us-west). */
		url: string;
		backend: 'be_app';
		runtime: { host: string; port: number; address: string };
		serverState(name: string): Promise<HaproxyServerState | undefined>;
		command(command: string): Promise<string>;
		local: LocalHaproxy;
	};
	kube: Record<ClusterName, StackCluster>;
	apps: StackApps;
	load: Record<LoadName, Load> & { tally(): Record<LoadName, LoadTally> };
	/** n8n credential data for every server of the stack. */
	credentials: StackCredentials;
	/** A kubeconfig with one context per cluster (admin users; the first, us-east, is current). */
	kubeconfig(namespace?: string): string;
	/** Milliseconds each component took to start, and `total`. */
	timings: Record<string, number>;
	/** Stops everything that was started; safe to call twice. */
	stop(): Promise<void>;
}

const DEFAULT_RATES: Record<LoadName, number> = { checkout: 20, checkoutCanary: 10, search: 20 };
const LOG_TAIL_CHARS = 3000;

/** One entry per instance: deployment, region, track, and the service label Prometheus gives it. */
const APP_LAYOUT = [
	{ key: 'checkout-us-east', service: 'checkout', region: 'us-east', track: 'stable' },
	{ key: 'checkout-us-west', service: 'checkout', region: 'us-west', track: 'stable' },
	{ key: 'checkout-canary-us-east', service: 'checkout', region: 'us-east', track: 'canary' },
	{ key: 'search-us-east', service: 'search', region: 'us-east', track: 'stable' },
	{ key: 'search-canary-us-east', service: 'search', region: 'us-east', track: 'canary' },
] as const satisfies ReadonlyArray<{ key: string; service: string; region: string; track: Track }>;

/** Starts components, remembers how to stop them, and names the one that failed. */
class Starter {
	readonly timings: Record<string, number> = {};
	private readonly stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];

	constructor(private readonly log: (line: string) => void) {}

	async start<T>(name: string, run: () => Promise<T>, stop: (value: T) => Promise<void>): Promise<T> {
		const started = Date.now();
		let value: T;
		try {
			value = await run();
		} catch (error) {
			const text = error instanceof Error ? error.message : String(error);
			const tail = text.length > LOG_TAIL_CHARS ? `...${text.slice(-LOG_TAIL_CHARS)}` : text;
			throw new Error(`ops stack: ${name} failed to start: ${tail}`);
		}
		this.stoppers.push({ name, stop: () => stop(value) });
		this.timings[name] = Date.now() - started;
		this.log(`  ${name} up in ${formatMs(this.timings[name])}`);
		return value;
	}

	/** Runs starts in parallel; when one fails the others still finish (and are stopped later), then the first failure is thrown. */
	async all<T extends readonly unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
		const results = await Promise.allSettled(starts);
		const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
		if (failed) throw failed.reason;
		return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
	}

	/** The same for a list of like starts. */
	async allOf<T>(starts: Array<Promise<T>>): Promise<T[]> {
		return this.all<T[]>(starts);
	}

	/** Stops in reverse order of starting; every stop runs even when one fails. */
	async stopAll(): Promise<void> {
		const errors: string[] = [];
		for (const { name, stop } of this.stoppers.splice(0).reverse()) {
			try {
				await stop();
			} catch (error) {
				errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		if (errors.length > 0) throw new Error(`ops stack: stopping failed for ${errors.join('; ')}`);
	}
}

function formatMs(ms: number): string {
	return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Prometheus scrape configs: kube-state-metrics of each cluster over verified HTTPS, and every app instance. */
export function renderStackScrapeConfigs(clusters: Array<{ clusterName: string; url: string }>, apps: App[], caFile: string): string {
	const hostPort = (url: string) => new URL(url).host;
	const lines = [
		'- job_name: kube-state-metrics',
		'  scheme: https',
		'  tls_config:',
		`    ca_file: ${caFile}`,
		'  static_configs:',
		...clusters.flatMap((c) => [`    - targets: ['${hostPort(c.url)}']`, `      labels: { region: '${c.clusterName}' }`]),
		'- job_name: app',
		'  static_configs:',
		...apps.flatMap((a) => [`    - targets: ['127.0.0.1:${a.port}']`, `      labels: { service: '${a.service}', region: '${a.region}', track: '${a.track}' }`]),
	];
	return lines.join('\n') + '\n';
}

export async function startOpsStack(options: OpsStackOptions): Promise<OpsStack> {
	const log = options.log ?? (() => undefined);
	const starter = new Starter(log);
	const began = Date.now();
	const rates = { ...DEFAULT_RATES, ...options.rates };
	log('ops stack: starting');
	try {
		// In-process servers first (milliseconds): the child processes need their ports.
		const [sandboxes, apps, sink] = await starter.all([
			starter.allOf(
				CLUSTERS.map((clusterName) =>
					starter.start(
						`kubernetes sandbox ${clusterName}`,
						async () => {
							const sandbox = await startKubeSandbox({ clusterName, seed: false, podStartupMs: options.podStartupMs ?? 1500 });
							try {
								seedStackCluster(sandbox, clusterName);
							} catch (error) {
								await sandbox.close();
								throw error;
							}
							return sandbox;
						},
						(s) => s.close(),
					),
				),
			),
			starter.allOf(
				APP_LAYOUT.map((a) =>
					starter.start(
						`app ${a.key}`,
						() => startApp({ name: a.key, service: a.service, region: a.region, track: a.track }),
						(app) => app.close(),
					),
				),
			),
			options.webhookUrl === undefined ? starter.start('webhook sink', () => startWebhookSink(), (s) => s.close()) : Promise.resolve(undefined as WebhookSink | undefined),
		] as const);
		const app = (key: (typeof APP_LAYOUT)[number]['key']) => apps[APP_LAYOUT.findIndex((a) => a.key === key)];
		const kube = Object.fromEntries(
			sandboxes.map((s) => [s.clusterName, { url: s.url, token: s.tokens.admin, caCert: s.caCert, clusterName: s.clusterName as ClusterName, api: s.api, sandbox: s }]),
		) as Record<ClusterName, StackCluster>;
		const east = app('checkout-us-east');
		const west = app('checkout-us-west');

		const webhookUrl = options.webhookUrl ?? (sink as WebhookSink).url;
		const history: BackfillSeries[] = nycTaxiRegions(options.now);
		const [prometheus, haproxy, alertmanager] = await starter.all([
			starter.start(
				'prometheus',
				() =>
					startLocalPrometheus({
						series: history,
						scrapeIntervalSeconds: 1,
						scrapeConfigs: renderStackScrapeConfigs(sandboxes, apps, 'kube-sandbox-ca.pem'),
						files: { 'kube-sandbox-ca.pem': sandboxes.map((s) => s.caCert ?? '').join('\n') },
					}),
				(p) => p.stop(),
			),
			starter.start(
				'haproxy',
				() =>
					startHaproxy({
						servers: [
							{ name: 'us-east', port: east.port },
							{ name: 'us-west', port: west.port },
						],
					}),
				(h) => h.stop(),
			),
			starter.start(
				'alertmanager',
				() =>
					startAlertmanager({
						webhookUrl,
						bearerToken: options.bearerToken,
						groupWaitSeconds: options.groupWaitSeconds ?? 1,
						groupIntervalSeconds: options.groupIntervalSeconds ?? 2,
						repeatIntervalSeconds: options.repeatIntervalSeconds ?? 10,
						groupBy: ['alertname', 'region', 'service'],
						routes: options.routes,
					}),
				(a) => a.stop(),
			),
		] as const);

		// HAProxy checks /healthz every 300 ms; send load once both regions are in.
		const runtimePort = Number(haproxy.runtimeAddress.split(':').pop());
		const serverState = async (name: string): Promise<HaproxyServerState | undefined> => {
			const row = parseServersState(await haproxy.command('show servers state be_app')).find((r) => r.srv_name === name);
			if (!row) return undefined;
			const operState = Number(row.srv_op_state);
			const adminState = Number(row.srv_admin_state);
			return { name, operState, adminState, weight: Number(row.srv_uweight), up: operState === 2, draining: (adminState & 0x18) !== 0, maintenance: (adminState & 0x27) !== 0 };
		};
		await starter.start(
			'haproxy health checks',
			async () => {
				const deadline = Date.now() + 10_000;
				for (;;) {
					const states = await Promise.all(['us-east', 'us-west'].map(serverState));
					if (states.every((s) => s?.up)) return;
					if (Date.now() > deadline) throw new Error(`be_app servers not up after 10 s: ${JSON.stringify(states)}\n${haproxy.process.log()}`);
					await new Promise((r) => setTimeout(r, 50));
				}
			},
			async () => undefined,
		);

		const loads = await starter.start(
			'load',
			async () => ({
				checkout: startLoad(haproxy.url, rates.checkout),
				checkoutCanary: startLoad(app('checkout-canary-us-east').url, rates.checkoutCanary),
				search: startLoad(app('search-us-east').url, rates.search),
			}),
			async (l) => {
				await Promise.all(Object.values(l).map((one) => one.stop()));
			},
		);

		// Prometheus applies discovered targets on a 5-second tick, so its first scrape comes seconds after
		// it is ready. Return only once every target has two samples: rate() and the kube-state-metrics
		// series answer from the first query on.
		const targets = sandboxes.length + apps.length;
		const client = new PrometheusClient({ baseUrl: prometheus.url });
		await starter.start(
			'prometheus first scrapes',
			async () => {
				const deadline = Date.now() + 20_000;
				let last = 'no answer';
				for (;;) {
					try {
						const answer = await client.instant({ query: 'count(count_over_time(up[10s]) >= 2 and up == 1)', time: Date.now() / 1000 });
						last = `${answer.series[0]?.value[1] ?? 0} of ${targets} targets scraped twice`;
						if (answer.series[0]?.value[1] === targets) return;
					} catch (error) {
						last = String(error);
					}
					if (Date.now() > deadline) throw new Error(`${last} after 20 s\n${prometheus.process.log()}`);
					await new Promise((r) => setTimeout(r, 200));
				}
			},
			async () => undefined,
		);

		starter.timings.total = Date.now() - began;
		log(`ops stack: up in ${formatMs(starter.timings.total)}: Prometheus ${prometheus.url}, HAProxy ${haproxy.url}, Alertmanager ${alertmanager.url}`);
		for (const s of sandboxes) log(`  kubernetes ${s.clusterName.padEnd(8)} ${s.url}`);

		const partial = {
			prometheus: { url: prometheus.url },
			haproxy: { runtime: { address: haproxy.runtimeAddress } },
			kube,
		};
		let stopped: Promise<void> | undefined;
		return {
			now: options.now,
			prometheus: { url: prometheus.url, local: prometheus },
			alertmanager: {
				url: alertmanager.url,
				addAlert: alertmanager.addAlert,
				resolveAlert: alertmanager.resolveAlert,
				webhookUrl,
				notifications: () => [...(sink?.notifications ?? [])],
				local: alertmanager,
			},
			haproxy: {
				url: haproxy.url,
				backend: 'be_app',
				runtime: { host: '127.0.0.1', port: runtimePort, address: haproxy.runtimeAddress },
				serverState,
				command: haproxy.command,
				local: haproxy,
			},
			kube,
			apps: {
				checkout: { 'us-east': east, 'us-west': west, canary: app('checkout-canary-us-east') },
				search: { stable: app('search-us-east'), canary: app('search-canary-us-east') },
				all: [...apps],
			},
			load: {
				...loads,
				tally: () => ({ checkout: loads.checkout.tally(), checkoutCanary: loads.checkoutCanary.tally(), search: loads.search.tally() }),
			},
			credentials: stackCredentials(partial),
			kubeconfig: (namespace = NAMESPACE) =>
				renderKubeconfig(sandboxes.map((s) => ({ name: s.clusterName, url: s.url, caCert: s.caCert, tokens: s.tokens, namespace }))),
			timings: starter.timings,
			stop: () => {
				stopped ??= starter.stopAll();
				return stopped;
			},
		};
	} catch (error) {
		await starter.stopAll().catch((stopError: Error) => log(`ops stack: ${stopError.message}`));
		throw error;
	}
}
