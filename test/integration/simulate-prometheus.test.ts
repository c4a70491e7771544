import { runBuilt } from '../harness/built';
import { LocalPrometheus, startTaxiPrometheus } from '../sandbox/prometheus';

/** `kube-ops simulate --prometheus`: the history from a real Prometheus holding the NYC taxi series. */

const now = Math.floor(Date.now() / 1000);
let prometheus: LocalPrometheus;

beforeAll(async () => {
	({ prometheus } = await startTaxiPrometheus(now));
}, 120_000);

afterAll(async () => {
	await prometheus?.stop();
});

const cli = (...args: string[]) => runBuilt('src/cli/main.js', ['simulate', '--prometheus', prometheus.url, '--allow-insecure', ...args]);
const settings = ['--range', '4d', '--step', '1m', '--end', String(now), '--capacity-per-pod', '2000', '--min', '2', '--max', '40', '--warmup', '3d'];

test('a range query at 1m steps replays like a CSV: both policies scored over the day after the warm-up', () => {
	const result = cli('--query', 'taxi_passengers{region="us-east"}', ...settings, '--json');
	expect(result.status).toBe(0);
	const json = JSON.parse(result.stdout);
	expect(Object.keys(json)).toEqual(['reactive', 'predictive']);
	// 4 days at 1m end at `now`; the last day, about 1,440 minutes, is scored.
	expect(json.reactive.underProvisionedMinutes / json.reactive.underProvisionedShare).toBeGreaterThan(1400);
	expect(json.reactive.underProvisionedMinutes / json.reactive.underProvisionedShare).toBeLessThan(1442); // 5,761 points in 4 days at 1m, 4,320 of them warm-up
	expect(json.reactive.peakReplicas).toBeGreaterThan(2);
	expect(json.predictive.underProvisionedMinutes).toBeLessThan(json.reactive.underProvisionedMinutes);
});

test('a query that returns several series is refused with the fix', () => {
	const result = cli('--query', 'taxi_passengers', ...settings, '--json');
	expect(result.status).toBe(1);
	expect(result.stdout).toBe('');
	expect(result.stderr).toMatch(/the query returned 2 series; the replay needs one \(fix: aggregate, e\.g\. sum\(\.\.\.\)/);
});
