import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';

import { PrometheusApi } from '../../credentials/PrometheusApi.credentials';
import { PrometheusQuery } from '../../nodes/PrometheusQuery/PrometheusQuery.node';
import { startAuthGateway } from '../harness/netStubs';
import { closeN8n, runNode } from '../harness/n8n';
import { BackfillSeries, valueAt } from '../sandbox/demoSeries';
import { LocalPrometheus, startTaxiPrometheus } from '../sandbox/prometheus';
import { freePort } from '../sandbox/processes';

/** The Prometheus Query node inside n8n's own executor, against a real Prometheus. */

const now = Math.floor(Date.now() / 1000);
let prometheus: LocalPrometheus;
let east: BackfillSeries;
let west: BackfillSeries;
let credential: ICredentialDataDecryptedObject;

beforeAll(async () => {
	({ prometheus, east, west } = await startTaxiPrometheus(now));
	credential = { url: prometheus.url, authentication: 'none', allowInsecure: true, timeout: 20000 };
}, 120_000);

afterAll(async () => {
	await prometheus?.stop();
	closeN8n();
});

function run(parameters: Record<string, unknown>, extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({
		node: PrometheusQuery,
		credentialTypes: [PrometheusApi],
		credentials: { kubeOpsPrometheusApi: credential },
		parameters: parameters as never,
		...extra,
	});
}

type Pair = [number, number | null];

test('range query: one item per series, real values, labels, pairedItem', async () => {
	const { outputs, error } = await run({ queryType: 'range', query: 'taxi_passengers', rangeMode: 'last', last: '6h', step: '5m' });
	expect(error).toBeUndefined();
	const items = outputs[0];
	expect(items).toHaveLength(2);
	for (const item of items) {
		expect(item.pairedItem).toEqual({ item: 0 });
		const json = item.json as { metric: Record<string, string>; values: Pair[]; step: number; points: number; gaps: number; query: string };
		expect(json.query).toBe('taxi_passengers');
		expect(json.step).toBe(300);
		expect(json.points).toBe(73);
		expect(json.gaps).toBe(0);
		const series = json.metric.region === 'us-east' ? east : west;
		for (const [t, v] of json.values) expect(v).toBe(valueAt(series, t));
	}
});

test('one query per input item, from an expression, each output paired with its input', async () => {
	const { outputs } = await run(
		{ queryType: 'instant', query: '=taxi_passengers{region="{{ $json.region }}"}', time: '=now-{{ $json.ago }}' },
		{ input: [{ json: { region: 'us-west', ago: '2h' } }, { json: { region: 'us-east', ago: '1d' } }] },
	);
	const items = outputs[0];
	expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	const [westItem, eastItem] = items.map((i) => i.json as { metric: Record<string, string>; value: Pair; time: number });
	expect(westItem.metric.region).toBe('us-west');
	expect(eastItem.metric.region).toBe('us-east');
	expect(westItem.value[1]).toBe(valueAt(west, westItem.time));
	expect(eastItem.value[1]).toBe(valueAt(east, eastItem.time));
	expect(Math.abs(eastItem.time - (now - 86400))).toBeLessThan(120);
});

test('explicit start/end, combined output, and long ranges chunked transparently', async () => {
	const { outputs } = await run({
		queryType: 'range',
		query: 'taxi_passengers{region="us-east"}',
		rangeMode: 'between',
		start: String(now - 14 * 86400),
		// Pinned: 'now' here would be read when the node runs, possibly in the next minute (20,162 points).
		end: String(now),
		step: '1m',
		output: 'combined',
	});
	expect(outputs[0]).toHaveLength(1);
	const json = outputs[0][0].json as { chunks: number; series: Array<{ values: Pair[] }>; resultType: string; seriesCount: number; warnings: string[] };
	expect(json.resultType).toBe('matrix');
	expect(json.chunks).toBe(2);
	expect(json.seriesCount).toBe(1);
	// Only the note that the credential allows plain http (the test Prometheus has no TLS).
	expect(json.warnings).toEqual([expect.stringMatching(/is plain http/)]);
	expect(json.series[0].values).toHaveLength(14 * 1440 + 1);
	for (const [t, v] of json.series[0].values) expect(v).toBe(valueAt(east, t));
});

test('NaN/Inf samples become null gaps and raise a warning hint', async () => {
	const { outputs, taskData } = await run({
		queryType: 'range',
		query: 'taxi_passengers{region="us-east"} / (taxi_passengers{region="us-east"} < bool 15000)',
		rangeMode: 'last',
		last: '1d',
		step: '30m',
	});
	const json = outputs[0][0].json as { values: Pair[]; gaps: number; warnings: string[] };
	const nulls = json.values.filter(([, v]) => v === null).length;
	expect(nulls).toBeGreaterThan(0);
	expect(json.gaps).toBe(nulls);
	expect(json.values.some(([, v]) => v === 0)).toBe(false);
	expect(json.warnings[0]).toMatch(new RegExp(`^${nulls} \\+Inf sample\\(s\\) were returned as gaps`));
	expect(taskData?.hints?.map((h) => h.message)).toEqual(json.warnings);
});

describe('no matching series', () => {
	const params = { queryType: 'range', query: 'taxi_pasengers', rangeMode: 'last', last: '1h' };

	test('is an error by default, naming the query and what to check', async () => {
		const { error, outputs } = await run(params);
		expect(outputs[0] ?? []).toHaveLength(0);
		expect(error).toMatchObject({ message: 'No series matched the query "taxi_pasengers"' });
		expect(error?.description).toMatch(/metric name and label matchers/);
	});

	test('can be one empty item, so a later node treats no data as its own outcome', async () => {
		const { outputs, error } = await run({ ...params, onNoData: 'emptyItem' });
		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(1);
		expect(outputs[0][0].json).toMatchObject({ seriesCount: 0, metric: {}, values: [], query: 'taxi_pasengers' });
		expect(outputs[0][0].pairedItem).toEqual({ item: 0 });
	});

	test('or nothing at all', async () => {
		const { outputs, error } = await run({ ...params, onNoData: 'nothing' });
		expect(error).toBeUndefined();
		expect(outputs[0] ?? []).toHaveLength(0);
	});
});

describe('failures', () => {
	test('bad PromQL stops the node with Prometheus\'s own text and the fix', async () => {
		const { error } = await run({ queryType: 'instant', query: 'sum(rate(taxi_passengers[5m])', time: 'now' });
		expect(error?.message).toMatch(/Prometheus rejected the query "sum\(rate\(taxi_passengers\[5m\]\)" \(bad_data: .*parse error/);
		expect(error?.description).toMatch(/HTTP status: 400\nFix: Fix the PromQL/);
	});

	test('with Continue On Fail, each failed item becomes an error item paired with its input', async () => {
		const { outputs, error } = await run(
			{ queryType: 'instant', query: '={{ $json.q }}', time: 'now' },
			{
				continueOnFail: true,
				input: [{ json: { q: 'taxi_passengers{region="us-east"}' } }, { json: { q: 'rate(' } }, { json: { q: 'taxi_passengers{region="us-west"}' } }],
			},
		);
		expect(error).toBeUndefined();
		const items = outputs[0];
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.metric).toMatchObject({ region: 'us-east' });
		expect(items[1].json).toMatchObject({ errorKind: 'bad_query', httpStatus: 400 });
		expect(String(items[1].json.error)).toMatch(/Prometheus rejected the query "rate\("/);
		expect(items[2].json.metric).toMatchObject({ region: 'us-west' });
	});

	test('an unreachable Prometheus names the URL from the credential', async () => {
		const port = await freePort();
		const { error } = await runNode({
			node: PrometheusQuery,
			credentialTypes: [PrometheusApi],
			credentials: { kubeOpsPrometheusApi: { url: `http://127.0.0.1:${port}`, authentication: 'none', allowInsecure: true, timeout: 2000 } },
			parameters: { queryType: 'instant', query: 'up', time: 'now' },
		});
		expect(error?.message).toMatch(new RegExp(`Cannot reach Prometheus at http://127.0.0.1:${port} \\(connection refused\\).*Check the base URL`));
	});

	test('a bad duration is reported as such', async () => {
		const { error } = await run({ queryType: 'range', query: 'taxi_passengers', rangeMode: 'last', last: '14 days' });
		expect(error?.message).toMatch(/Invalid range \("last"\) "14 days": use a positive Prometheus duration/);
	});
});

describe('credential', () => {
	test('bearer token and tenant header from the credential reach the server; the credential test reports the version', async () => {
		const gateway = await startAuthGateway({ upstream: prometheus.url, token: 'tok-123', tenant: 'team-a' });
		try {
			const fields = { url: gateway.url, authentication: 'bearerToken', token: 'tok-123', headers: 'X-Scope-OrgID: team-a\n# comment\n', allowInsecure: true };
			const { outputs, error } = await runNode({
				node: PrometheusQuery,
				credentialTypes: [PrometheusApi],
				credentials: { kubeOpsPrometheusApi: fields },
				parameters: { queryType: 'instant', query: 'taxi_passengers{region="us-east"}', time: 'now-5m' },
			});
			expect(error).toBeUndefined();
			expect((outputs[0][0].json as { value: Pair }).value[1]).toBe(valueAt(east, (outputs[0][0].json as { time: number }).time));
			expect(gateway.seen.every((r) => r.tenant === 'team-a')).toBe(true);

			const test = new PrometheusQuery().methods.credentialTest.prometheusApiConnectionTest;
			const context = {} as ICredentialTestFunctions;
			const ok = await test.call(context, { id: '1', name: 'prom', type: 'kubeOpsPrometheusApi', data: fields });
			expect(ok).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected: Prometheus-compatible API, version 2\.42\..* \(The Prometheus URL http:\/\/127\.0\.0\.1:\d+ is plain http/) });
			const bad = await test.call(context, { id: '1', name: 'prom', type: 'kubeOpsPrometheusApi', data: { ...fields, token: 'wrong' } });
			expect(bad.status).toBe('Error');
			expect(bad.message).toMatch(/HTTP 401.*Check the authentication type/);
		} finally {
			await gateway.close();
		}
	});

	test('a malformed extra header line is refused with the expected format', async () => {
		const { error } = await runNode({
			node: PrometheusQuery,
			credentialTypes: [PrometheusApi],
			credentials: { kubeOpsPrometheusApi: { url: prometheus.url, headers: 'X-Scope-OrgID team-a', allowInsecure: true } },
			parameters: { queryType: 'instant', query: 'up', time: 'now' },
		});
		expect(error?.message).toMatch(/Extra header line 1 .* is not "Name: value"/);
	});
});

describe('untrusted input: values, credentials and Prometheus\'s own answers', () => {
	const hostile = 'us-east"} or vector(1) or x{a="';

	test('query variables: a label value stays one label value; the same text concatenated would inject vector(1)', async () => {
		const good = await run({ queryType: 'instant', query: 'count(taxi_passengers{region=$region})', variables: { variable: [{ name: 'region', value: 'us-east' }] }, time: 'now-5m', onNoData: 'emptyItem' });
		expect(good.error).toBeUndefined();
		expect((good.outputs[0][0].json as { value: Pair }).value[1]).toBe(1);
		const escaped = await run({ queryType: 'instant', query: 'count(taxi_passengers{region=$region})', variables: { variable: [{ name: 'region', value: hostile }] }, time: 'now-5m', onNoData: 'emptyItem' });
		expect(escaped.error).toBeUndefined();
		expect(escaped.outputs[0][0].json).toMatchObject({ seriesCount: 0, values: [] });
		// What the shipped workflows did before: string concatenation turns the label into an expression.
		const concatenated = await run({ queryType: 'instant', query: `count(taxi_passengers{region="${hostile}"})`, time: 'now-5m', onNoData: 'emptyItem' });
		// count() now also counts the injected vector(1): 2 series where the label matches nothing.
		expect(concatenated.outputs[0][0].json).toMatchObject({ metric: {}, value: [expect.any(Number), 2] });
	});

	test('plain http without "Allow Insecure Connection" is refused; with it, the output notes it', async () => {
		const refused = await runNode({ node: PrometheusQuery, credentialTypes: [PrometheusApi], credentials: { kubeOpsPrometheusApi: { url: prometheus.url, authentication: 'none' } }, parameters: { queryType: 'instant', query: 'up', time: 'now' } });
		expect(refused.error?.message).toMatch(/is plain http .*turn on "Allow Insecure Connection"/);
		const noted = await run({ queryType: 'instant', query: 'taxi_passengers{region="us-east"}', time: 'now-5m' });
		expect(noted.outputs[0][0].json.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^The Prometheus URL http:\/\/127\.0\.0\.1:\d+ is plain http/)]));
	});

	test('a password in the Prometheus URL appears in no error, output or credential test', async () => {
		const port = await freePort();
		const fields = { url: `http://kube-ops:pw-in-the-url-42@127.0.0.1:${port}`, authentication: 'none', allowInsecure: true, timeout: 2000 };
		const failed = await runNode({ node: PrometheusQuery, credentialTypes: [PrometheusApi], credentials: { kubeOpsPrometheusApi: fields }, parameters: { queryType: 'instant', query: 'up', time: 'now' } });
		expect(failed.error?.message).toMatch(/Cannot reach Prometheus at http:\/\/kube-ops:\[redacted[^\]]*\]@127\.0\.0\.1/);
		expect(JSON.stringify(failed.error)).not.toContain('pw-in-the-url-42');
		const item = await runNode({ node: PrometheusQuery, credentialTypes: [PrometheusApi], credentials: { kubeOpsPrometheusApi: fields }, parameters: { queryType: 'instant', query: 'up', time: 'now' }, continueOnFail: true });
		expect(JSON.stringify(item.outputs)).not.toContain('pw-in-the-url-42');
		const tested = await new PrometheusQuery().methods.credentialTest.prometheusApiConnectionTest.call({} as ICredentialTestFunctions, { id: '1', name: 'p', type: 'kubeOpsPrometheusApi', data: fields });
		expect(tested.status).toBe('Error');
		expect(tested.message).not.toContain('pw-in-the-url-42');
	});

	test('a token with a newline is refused by the node and the credential test without echoing it', async () => {
		const fields = { url: prometheus.url, authentication: 'bearerToken', token: 'tok-first\ntok-second-part', allowInsecure: true };
		const { error } = await runNode({ node: PrometheusQuery, credentialTypes: [PrometheusApi], credentials: { kubeOpsPrometheusApi: fields }, parameters: { queryType: 'instant', query: 'up', time: 'now' } });
		expect(error?.message).toMatch(/token has a line break/);
		expect(JSON.stringify(error)).not.toContain('tok-second-part');
		const tested = await new PrometheusQuery().methods.credentialTest.prometheusApiConnectionTest.call({} as ICredentialTestFunctions, { id: '1', name: 'p', type: 'kubeOpsPrometheusApi', data: fields });
		expect(tested.message).not.toContain('tok-second-part');
	});

	test('bounded reads: response size and series count, with the option that raises them', async () => {
		const big = await run({ queryType: 'range', query: 'taxi_passengers', rangeMode: 'last', last: '1d', step: '1m', options: { maxResponseBytes: 2000 } });
		expect(big.error?.message).toMatch(/answered \/api\/v1\/query_range with more than 2000 bytes .*Max Response Size/);
		const many = await run({ queryType: 'instant', query: 'taxi_passengers', time: 'now-5m', options: { maxSeries: 1 } });
		expect(many.error?.message).toMatch(/returned more than 1 series.*Max Series/);
		expect((await run({ queryType: 'instant', query: 'taxi_passengers', time: 'now-5m', options: { maxSeries: 2 } })).error).toBeUndefined();
	});

	test('samples Prometheus never sends ("" or hex) are an error, never 0 or 31', async () => {
		for (const sample of ['', '0x1F']) {
			const server = http.createServer((_req, res) => {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1700000000, sample] }] } }));
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			try {
				const { error } = await runNode({
					node: PrometheusQuery,
					credentialTypes: [PrometheusApi],
					credentials: { kubeOpsPrometheusApi: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, allowInsecure: true } },
					parameters: { queryType: 'instant', query: 'up', time: 'now' },
				});
				expect(error?.message).toContain(`Prometheus sent a sample that is not [unix seconds, "number"]: [1700000000,${JSON.stringify(sample)}]`);
			} finally {
				await new Promise<void>((resolve) => server.close(() => resolve()));
			}
		}
	});
});
