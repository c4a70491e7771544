import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

import { BackfillSeries, nycTaxiRegions, writeOpenMetrics } from './demoSeries';
import { ManagedProcess, freePort, requireBinary, runOrThrow, startProcess, waitUntil } from './processes';

/** A real Prometheus server (the Debian package) on a free loopback port, with backfilled history. */
export interface LocalPrometheus {
	url: string;
	port: number;
	dataDir: string;
	samples: number;
	process: ManagedProcess;
	stop: () => Promise<void>;
}

export interface LocalPrometheusOptions {
	series: BackfillSeries[];
	scrapeSeconds?: number;
	/** Prometheus --web.config.file contents (TLS, basic auth), YAML. */
	webConfig?: string;
	/** Extra files written next to the web config (certificates), by name. */
	files?: Record<string, string>;
	extraArgs?: string[];
	/**
	 * Live scraping: YAML list items appended under scrape_configs (each
	 * starting `- job_name: ...`, at column 0 or indented consistently).
	 * Paths in them (ca_file) are relative to the config's folder, where
	 * `files` are written.
	 */
	scrapeConfigs?: string;
	/** global scrape_interval (Prometheus's default is 1m). */
	scrapeIntervalSeconds?: number;
}

export async function startLocalPrometheus(options: LocalPrometheusOptions): Promise<LocalPrometheus> {
	const prometheus = requireBinary('prometheus', 'prometheus');
	const promtool = requireBinary('promtool', 'prometheus');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-prometheus-'));
	const dataDir = path.join(dir, 'data');
	const openMetrics = path.join(dir, 'history.om');
	const samples = writeOpenMetrics(openMetrics, options.series, options.scrapeSeconds ?? 60);
	// Without --max-block-duration promtool writes 2 h blocks, minutes instead of seconds.
	runOrThrow(
		promtool,
		['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=720h', openMetrics, dataDir],
		'Backfilling Prometheus history with promtool',
	);
	fs.rmSync(openMetrics);

	const config = path.join(dir, 'prometheus.yml');
	fs.writeFileSync(config, renderPrometheusConfig(options));
	for (const [name, content] of Object.entries(options.files ?? {})) fs.writeFileSync(path.join(dir, name), content);
	const args = [
		`--config.file=${config}`,
		`--storage.tsdb.path=${dataDir}`,
		'--storage.tsdb.retention.time=3650d',
		'--web.enable-admin-api',
		...(options.extraArgs ?? []),
	];
	if (options.webConfig !== undefined) {
		const webConfig = path.join(dir, 'web.yml');
		fs.writeFileSync(webConfig, options.webConfig);
		args.push(`--web.config.file=${webConfig}`);
	}

	// A port can be taken between picking and binding; retry with a new one.
	for (let attempt = 1; ; attempt++) {
		const port = await freePort();
		const process = startProcess(prometheus, [...args, `--web.listen-address=127.0.0.1:${port}`], dir);
		const scheme = options.webConfig?.includes('tls_server_config') ? 'https' : 'http';
		const url = `${scheme}://127.0.0.1:${port}`;
		try {
			await waitUntil(() => isListening(port), `Prometheus on 127.0.0.1:${port}`, 60_000, process);
			await waitUntil(async () => /Server is ready to receive web requests/.test(process.log()), 'Prometheus readiness', 60_000, process);
		} catch (error) {
			await process.stop();
			if (attempt < 3 && /address already in use/.test(process.log())) continue;
			throw error;
		}
		return {
			url,
			port,
			dataDir,
			samples,
			process,
			stop: async () => {
				await process.stop();
				fs.rmSync(dir, { recursive: true, force: true });
			},
		};
	}
}

/** Without live scraping, exactly the config the history-only tests have always used. */
export function renderPrometheusConfig(options: Pick<LocalPrometheusOptions, 'scrapeConfigs' | 'scrapeIntervalSeconds'>): string {
	const global = ['global:', '  evaluation_interval: 1m'];
	if (options.scrapeIntervalSeconds !== undefined) {
		// Prometheus durations take no fractions ("0.5s" is invalid), so milliseconds; the timeout may not exceed the interval.
		const intervalMs = Math.max(1, Math.round(options.scrapeIntervalSeconds * 1000));
		global.push(`  scrape_interval: ${intervalMs}ms`, `  scrape_timeout: ${Math.min(intervalMs, 10_000)}ms`);
	}
	const scrape = options.scrapeConfigs?.trim() ? `scrape_configs:\n${options.scrapeConfigs.replace(/\n*$/, '\n')}` : 'scrape_configs: []\n';
	return `${global.join('\n')}\n${scrape}`;
}

function isListening(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const request = http.get({ host: '127.0.0.1', port, path: '/-/ready', timeout: 1000 }, (response) => {
			response.resume();
			resolve(true);
		});
		request.on('error', () => resolve(false));
		request.on('timeout', () => {
			request.destroy();
			resolve(false);
		});
	});
}

export interface TaxiPrometheus {
	prometheus: LocalPrometheus;
	east: BackfillSeries;
	west: BackfillSeries;
}

/** The standard local stack: both NYC taxi "regions" ending at `now`. */
export async function startTaxiPrometheus(now: number): Promise<TaxiPrometheus> {
	const [east, west] = nycTaxiRegions(now);
	return { prometheus: await startLocalPrometheus({ series: [east, west] }), east, west };
}
