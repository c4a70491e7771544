import { runBuilt } from '../harness/built';
import { BackfillSeries, valueAt } from '../sandbox/demoSeries';
import { LocalPrometheus, startTaxiPrometheus } from '../sandbox/prometheus';
import { freePort } from '../sandbox/processes';

/** `kube-ops query`, the built command, against a real Prometheus. */

const now = Math.floor(Date.now() / 1000);
let prometheus: LocalPrometheus;
let east: BackfillSeries;
let west: BackfillSeries;

beforeAll(async () => {
	({ prometheus, east, west } = await startTaxiPrometheus(now));
}, 120_000);

afterAll(async () => {
	await prometheus?.stop();
});

// The test Prometheus is plain http on loopback.
const cli = (...args: string[]) => runBuilt('src/cli/main.js', ['query', '--allow-insecure', ...args]);

test('--range --step --json prints [{metric, values}] with the real numbers', () => {
	const result = cli('--url', prometheus.url, '--query', 'taxi_passengers{region="us-east"}', '--range', '2h', '--step', '1m', '--json');
	expect(result.stderr).toBe('');
	expect(result.status).toBe(0);
	const series = JSON.parse(result.stdout) as Array<{ metric: Record<string, string>; values: Array<[number, number | null]> }>;
	expect(series).toHaveLength(1);
	expect(Object.keys(series[0]).sort()).toEqual(['metric', 'values']);
	expect(series[0].metric).toEqual({ __name__: 'taxi_passengers', region: 'us-east', source: 'nab_nyc_taxi' });
	expect(series[0].values).toHaveLength(121);
	for (const [t, v] of series[0].values) expect(v).toBe(valueAt(east, t));
});

test('--time --json prints [{metric, value}]', () => {
	const at = now - 7200;
	const result = cli('--url', prometheus.url, '--query', 'sum(taxi_passengers)', '--time', String(at), '--json');
	expect(result.status).toBe(0);
	const series = JSON.parse(result.stdout);
	expect(series).toEqual([{ metric: {}, value: [at, valueAt(east, at)! + valueAt(west, at)!] }]);
});

test('NaN/Inf are null in JSON, with a warning on stderr', () => {
	const result = cli('--url', prometheus.url, '--query', 'taxi_passengers{region="us-east"} / 0', '--json');
	expect(result.status).toBe(0);
	expect(JSON.parse(result.stdout)[0].value[1]).toBeNull();
	expect(result.stderr).toMatch(/warning: 1 \+Inf sample\(s\) were returned as gaps \(null\), not zeros/);
});

test('without --json a readable summary', () => {
	const result = cli('--url', prometheus.url, '--query', 'taxi_passengers', '--range', '1d');
	expect(result.status).toBe(0);
	expect(result.stdout).toMatch(/^2 series, .* step 30s, 1 request\(s\)/);
	expect(result.stdout).toMatch(/taxi_passengers\{region="us-east", source="nab_nyc_taxi"\}  points=2881 gaps=0 min=\d+ max=\d+ last=\d+/);
});

test('a bad query exits 1 with Prometheus\'s own error text', () => {
	const result = cli('--url', prometheus.url, '--query', 'sum by (region taxi_passengers', '--json');
	expect(result.status).toBe(1);
	expect(result.stdout).toBe('');
	expect(result.stderr).toMatch(/kube-ops query: Prometheus rejected the query "sum by \(region taxi_passengers" \(bad_data: invalid parameter "query": 1:\d+: parse error: .*\)/);
});

test('an unreachable server exits 1 naming the URL', async () => {
	const port = await freePort();
	const result = cli('--url', `http://127.0.0.1:${port}`, '--query', 'up', '--timeout', '2s');
	expect(result.status).toBe(1);
	expect(result.stderr).toContain(`Cannot reach Prometheus at http://127.0.0.1:${port} (connection refused)`);
});

test.each([
	[['--query', 'up'], /--url is required/],
	[['--url', 'http://x', '--query', 'up', '--range', '1h', '--time', 'now'], /either --range .* or --time/],
	[['--url', 'http://x', '--query', 'up', '--rnage', '1h'], /Unknown option --rnage/],
	[['--url', 'http://x', '--query', 'up', '--step', '1m'], /--step needs --range/],
])('usage errors exit 2: %j', (args, message) => {
	const result = cli(...args);
	expect(result.status).toBe(2);
	expect(result.stderr).toMatch(message);
	expect(result.stderr).toMatch(/Usage: kube-ops query/);
});

test('a bad duration exits 1 and says what a duration looks like', () => {
	const result = cli('--url', prometheus.url, '--query', 'up', '--range', '2 weeks');
	expect(result.status).toBe(1);
	expect(result.stderr).toMatch(/Invalid --range "2 weeks": use a positive Prometheus duration such as 30s, 5m/);
});

test('a plain http URL needs --allow-insecure, and a password in the URL never reaches stderr', () => {
	const refused = runBuilt('src/cli/main.js', ['query', '--url', prometheus.url, '--query', 'up']);
	expect(refused.status).toBe(2);
	expect(refused.stderr).toMatch(/--url is plain http; use https, or add --allow-insecure/);
	const port = prometheus.url.split(':').pop();
	const leaky = cli('--url', `http://ops:cli-url-password-5@127.0.0.1:${Number(port) + 1}`, '--query', 'up', '--timeout', '2s');
	expect(leaky.status).toBe(1);
	expect(leaky.stderr).toMatch(/http:\/\/ops:\[redacted[^\]]*\]@127\.0\.0\.1/);
	expect(leaky.stderr).not.toContain('cli-url-password-5');
});
