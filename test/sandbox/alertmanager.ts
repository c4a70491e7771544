import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

import { ManagedProcess, freePort, requireBinary, startProcess, waitUntil } from './processes';

/**
 * A real Alertmanager (the Debian package `prometheus-alertmanager`) on a free
 * loopback port, with one route to one webhook receiver. Alerts are added with
 * the real `amtool` (what an operator would type) and resolved through the v2
 * API with an `endsAt` in the past (what Prometheus does when a rule stops firing).
 */

export interface AlertmanagerOptions {
	/** Where Alertmanager posts its notifications, e.g. http://127.0.0.1:5678/webhook/alertmanager */
	webhookUrl: string;
	/** Sent as `Authorization: Bearer <token>` (http_config.authorization). */
	bearerToken?: string;
	/** Sent as HTTP Basic auth (http_config.basic_auth). */
	basicAuth?: { username: string; password: string };
	/** Route timings; short defaults so tests do not wait (1 s / 1 s / 1 h / 5 m). */
	groupWaitSeconds?: number;
	groupIntervalSeconds?: number;
	repeatIntervalSeconds?: number;
	resolveTimeoutSeconds?: number;
	/** Labels that form a group (default ['alertname']). */
	groupBy?: string[];
	/**
	 * Alerts matching every label here go to their own webhook instead of
	 * `webhookUrl` (e.g. RegionDown to the failover workflow, CanaryRegression to
	 * the canary workflow). Same authentication as the default receiver.
	 */
	routes?: Array<{ match: Record<string, string>; webhookUrl: string }>;
}

export interface LocalAlertmanager {
	/** http://127.0.0.1:<port> */
	url: string;
	port: number;
	process: ManagedProcess;
	/** Adds (or refreshes) a firing alert with `amtool alert add`. `labels` must include `alertname`. */
	addAlert(labels: Record<string, string>, annotations?: Record<string, string>, opts?: { endsAt?: string }): Promise<void>;
	/** Resolves the alert with exactly these labels: posts it with `endsAt` one second in the past. */
	resolveAlert(labels: Record<string, string>): Promise<void>;
	stop(): Promise<void>;
}

const seconds = (value: number) => `${value}s`;

/** Alertmanager's YAML config; JSON is valid YAML, so no YAML library is needed. */
export function renderAlertmanagerConfig(options: AlertmanagerOptions): string {
	const httpConfig: Record<string, unknown> = {};
	if (options.bearerToken !== undefined) httpConfig.authorization = { type: 'Bearer', credentials: options.bearerToken };
	if (options.basicAuth) httpConfig.basic_auth = { username: options.basicAuth.username, password: options.basicAuth.password };
	const receiver = (name: string, url: string) => ({
		name,
		webhook_configs: [
			{
				url,
				send_resolved: true,
				max_alerts: 0,
				...(Object.keys(httpConfig).length > 0 ? { http_config: httpConfig } : {}),
			},
		],
	});
	const routes = options.routes ?? [];
	const config = {
		global: { resolve_timeout: seconds(options.resolveTimeoutSeconds ?? 300) },
		route: {
			receiver: 'kube-ops',
			group_by: options.groupBy ?? ['alertname'],
			group_wait: seconds(options.groupWaitSeconds ?? 1),
			group_interval: seconds(options.groupIntervalSeconds ?? 1),
			repeat_interval: seconds(options.repeatIntervalSeconds ?? 3600),
			...(routes.length > 0
				? { routes: routes.map((route, index) => ({ receiver: `kube-ops-${index + 1}`, matchers: Object.entries(route.match).map(([k, v]) => `${k}="${v}"`) })) }
				: {}),
		},
		receivers: [receiver('kube-ops', options.webhookUrl), ...routes.map((route, index) => receiver(`kube-ops-${index + 1}`, route.webhookUrl))],
	};
	return JSON.stringify(config, null, 2) + '\n';
}

function run(binary: string, args: string[]): Promise<string> {
	// Asynchronous on purpose: a test's own webhook server must keep answering while amtool runs.
	return new Promise((resolve, reject) => {
		execFile(binary, args, { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
			if (error) reject(new Error(`${binary} ${args.join(' ')} failed: ${stderr || stdout || error.message}`));
			else resolve(stdout);
		});
	});
}

function ready(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const request = http.get({ host: '127.0.0.1', port, path: '/-/ready', timeout: 1000 }, (response) => {
			response.resume();
			resolve(response.statusCode === 200);
		});
		request.on('error', () => resolve(false));
		request.on('timeout', () => {
			request.destroy();
			resolve(false);
		});
	});
}

function postJson(url: string, body: unknown): Promise<void> {
	const data = Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length } }, (response) => {
			let text = '';
			response.on('data', (chunk: Buffer) => (text += chunk.toString()));
			response.on('end', () => {
				if ((response.statusCode ?? 0) >= 300) reject(new Error(`POST ${url} answered ${response.statusCode}: ${text}`));
				else resolve();
			});
		});
		request.on('error', reject);
		request.end(data);
	});
}

interface StoredAlert {
	labels: Record<string, string>;
	annotations: Record<string, string>;
	startsAt: string;
	generatorURL?: string;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
	const keys = Object.keys(a);
	return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function getJson(url: string): Promise<unknown> {
	return new Promise((resolve, reject) => {
		http
			.get(url, (response) => {
				let text = '';
				response.on('data', (chunk: Buffer) => (text += chunk.toString()));
				response.on('end', () => {
					if ((response.statusCode ?? 0) >= 300) reject(new Error(`GET ${url} answered ${response.statusCode}: ${text}`));
					else resolve(JSON.parse(text));
				});
			})
			.on('error', reject);
	});
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<LocalAlertmanager> {
	const binary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
	const amtool = requireBinary('amtool', 'prometheus-alertmanager');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-alertmanager-'));
	const configPath = path.join(dir, 'alertmanager.yml');
	fs.writeFileSync(configPath, renderAlertmanagerConfig(options));
	const dataDir = path.join(dir, 'data');
	fs.mkdirSync(dataDir);

	// A port can be taken between picking and binding; retry with a new one.
	for (let attempt = 1; ; attempt++) {
		const port = await freePort();
		const child = startProcess(
			binary,
			[
				`--config.file=${configPath}`,
				`--storage.path=${dataDir}`,
				`--web.listen-address=127.0.0.1:${port}`,
				// Sent in every notification as externalURL; workflows call back to it (e.g. "is it still resolved?").
				`--web.external-url=http://127.0.0.1:${port}`,
				// Empty: no gossip port, so parallel test runs cannot collide or form a cluster.
				'--cluster.listen-address=',
			],
			dir,
		);
		try {
			await waitUntil(() => ready(port), `Alertmanager on 127.0.0.1:${port}`, 30_000, child);
		} catch (error) {
			await child.stop();
			if (attempt < 3 && /address already in use/.test(child.log())) continue;
			fs.rmSync(dir, { recursive: true, force: true });
			throw error;
		}
		const url = `http://127.0.0.1:${port}`;
		return {
			url,
			port,
			process: child,
			addAlert: async (labels, annotations = {}, opts = {}) => {
				if (!labels.alertname) throw new Error('addAlert: labels need an alertname');
				const args = [`--alertmanager.url=${url}`, 'alert', 'add'];
				for (const [name, value] of Object.entries(labels)) args.push(`${name}=${value}`);
				for (const [name, value] of Object.entries(annotations)) args.push(`--annotation=${name}=${value}`);
				if (opts.endsAt) args.push(`--end=${opts.endsAt}`);
				await run(amtool, args);
			},
			resolveAlert: async (labels) => {
				// Re-send the alert as Prometheus does when a rule stops firing: same labels, annotations and
				// startsAt, endsAt in the past. Without the annotations the resolved notification would lose them.
				const endsAt = new Date(Date.now() - 1000).toISOString();
				const current = (await getJson(`${url}/api/v2/alerts`)) as StoredAlert[];
				const same = current.find((a) => sameLabels(a.labels, labels));
				const alert = same
					? { labels, annotations: same.annotations, startsAt: same.startsAt, generatorURL: same.generatorURL || undefined, endsAt }
					: { labels, endsAt };
				await postJson(`${url}/api/v2/alerts`, [alert]);
			},
			stop: async () => {
				await child.stop();
				fs.rmSync(dir, { recursive: true, force: true });
			},
		};
	}
}
