import { PrometheusClient, PrometheusError, RangeQueryResult } from '../../src/prometheus';
import { BackfillSeries, valueAt } from '../sandbox/demoSeries';
import { LocalPrometheus, startLocalPrometheus, startTaxiPrometheus } from '../sandbox/prometheus';
import { freePort } from '../sandbox/processes';
import { startAuthGateway, startBlackHole, startFixedAnswer } from '../harness/netStubs';
import { makeTestPki } from '../harness/tls';

/**
 * The Prometheus client against a real Prometheus (Debian package) holding
 * the real NYC taxi series, backfilled with promtool so that it ends now.
 */

const now = Math.floor(Date.now() / 1000);
let prometheus: LocalPrometheus;
let east: BackfillSeries;
let west: BackfillSeries;
let client: PrometheusClient;

beforeAll(async () => {
	({ prometheus, east, west } = await startTaxiPrometheus(now));
	client = new PrometheusClient({ baseUrl: prometheus.url, timeoutMs: 20_000 });
}, 120_000);

afterAll(async () => {
	await prometheus?.stop();
});

function expectRealValues(result: RangeQueryResult, series: BackfillSeries, region: string): void {
	const found = result.series.find((s) => s.metric.region === region);
	expect(found).toBeDefined();
	for (const [t, v] of found!.values) expect(v).toBe(valueAt(series, t));
}

function expectContiguous(result: RangeQueryResult): void {
	for (const s of result.series) {
		for (let i = 1; i < s.values.length; i++) expect(s.values[i][0] - s.values[i - 1][0]).toBe(result.step);
	}
}

describe('instant queries', () => {
	test('return the real value each region holds at that time, with labels', async () => {
		const at = now - 3 * 86400 - 17 * 60;
		const result = await client.instant({ query: 'taxi_passengers', time: at });
		expect(result.resultType).toBe('vector');
		const byRegion = Object.fromEntries(result.series.map((s) => [s.metric.region, s]));
		expect(Object.keys(byRegion).sort()).toEqual(['us-east', 'us-west']);
		expect(byRegion['us-east'].metric).toEqual({ __name__: 'taxi_passengers', region: 'us-east', source: 'nab_nyc_taxi' });
		expect(byRegion['us-east'].value).toEqual([at, valueAt(east, at)]);
		expect(byRegion['us-west'].value).toEqual([at, valueAt(west, at)]);
		// us-west is the same real series three hours later.
		expect(valueAt(west, at)).toBe(valueAt(east, at - 3 * 3600));
	});

	test('scalar results come back as one series without labels', async () => {
		const result = await client.instant({ query: 'scalar(sum(taxi_passengers)) * 2', time: now - 600 });
		expect(result.resultType).toBe('scalar');
		expect(result.series).toEqual([{ metric: {}, value: [now - 600, 2 * ((valueAt(east, now - 600) ?? 0) + (valueAt(west, now - 600) ?? 0))] }]);
	});

	test('a range vector in an instant query is refused with the fix', async () => {
		await expect(client.instant({ query: 'taxi_passengers[5m]', time: now })).rejects.toThrow(/range vector .*last_over_time/);
	});
});

describe('range queries', () => {
	test('the last 6 hours at 1m are the real values, step-aligned and contiguous', async () => {
		const result = await client.range({ query: 'taxi_passengers', start: now - 6 * 3600, end: now, step: 60 });
		expect(result.chunks).toBe(1);
		expect(result.start % 60).toBe(0);
		expect(result.end % 60).toBe(0);
		expect(result.series).toHaveLength(2);
		for (const s of result.series) expect(s.values).toHaveLength(361);
		expectRealValues(result, east, 'us-east');
		expectRealValues(result, west, 'us-west');
		expectContiguous(result);
	});

	test('14 days at 1m (20,161 points) are fetched in two chunks and stitched without loss or duplicates', async () => {
		const result = await client.range({
			query: 'taxi_passengers{region="us-east"}',
			start: now - 14 * 86400,
			end: now,
			step: 60,
		});
		expect(result.chunks).toBe(2);
		expect(result.series).toHaveLength(1);
		expect(result.series[0].values).toHaveLength(14 * 1440 + 1);
		expectRealValues(result, east, 'us-east');
		expectContiguous(result);
	});

	test('Prometheus itself refuses the same range in one request, which is why we chunk', async () => {
		const error = await client
			.range({ query: 'taxi_passengers', start: now - 14 * 86400, end: now, step: 60, maxPointsPerRequest: 30_000 })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(PrometheusError);
		expect((error as PrometheusError).kind).toBe('bad_query');
		expect((error as PrometheusError).prometheusMessage).toMatch(/exceeded maximum resolution of 11,000 points/);
	});

	test('many small chunks give exactly the answer of one request', async () => {
		const window = { query: 'taxi_passengers', start: now - 86400, end: now, step: 60 };
		const whole = await client.range(window);
		const pieces = await client.range({ ...window, maxPointsPerRequest: 100 });
		expect(pieces.chunks).toBe(15);
		expect(whole.chunks).toBe(1);
		const sorted = (r: RangeQueryResult) => [...r.series].sort((a, b) => a.metric.region.localeCompare(b.metric.region));
		expect(sorted(pieces)).toEqual(sorted(whole));
	});

	test('without a step, 14 days get a round step within 5,000 points', async () => {
		const result = await client.range({ query: 'taxi_passengers{region="us-east"}', start: now - 14 * 86400, end: now });
		expect(result.step).toBe(300);
		expect(result.series[0].values.length).toBeLessThanOrEqual(5000);
		expectRealValues(result, east, 'us-east');
	});

	test('a range before the history begins returns no series, not zeros', async () => {
		const start = east.points[0].t + east.shiftSeconds - 30 * 86400;
		const result = await client.range({ query: 'taxi_passengers', start, end: start + 86400, step: 300 });
		expect(result.series).toEqual([]);
	});

	test('end before start is refused before any request', async () => {
		await expect(client.range({ query: 'up', start: now, end: now - 60, step: 15 })).rejects.toThrow(/ends before it starts.*Swap/);
	});
});

describe('NaN and infinities are gaps, never zeros', () => {
	test.each([
		['taxi_passengers{region="us-east"} / 0', 'posInf'],
		['-taxi_passengers{region="us-east"} / 0', 'negInf'],
		['(taxi_passengers{region="us-east"} - taxi_passengers{region="us-east"}) / 0', 'nan'],
	] as const)('%s', async (query, kind) => {
		const instant = await client.instant({ query, time: now - 60 });
		expect(instant.series[0].value[1]).toBeNull();
		expect(instant.nonFinite[kind]).toBe(1);

		const range = await client.range({ query, start: now - 3600, end: now, step: 60 });
		expect(range.series[0].values).toHaveLength(61);
		expect(range.series[0].values.every(([, v]) => v === null)).toBe(true);
		expect(range.nonFinite[kind]).toBe(61);
	});

	test('a mix keeps finite values and turns only the bad samples into gaps', async () => {
		// Divide by zero only where the value is above its 1h average: some samples finite, some +Inf.
		const query = 'taxi_passengers{region="us-east"} / (taxi_passengers{region="us-east"} < bool 15000)';
		const range = await client.range({ query, start: now - 86400, end: now, step: 300 });
		const values = range.series[0].values;
		for (const [t, v] of values) {
			const real = valueAt(east, t)!;
			expect(v).toBe(real < 15000 ? real : null);
		}
		expect(range.nonFinite.posInf).toBe(values.filter(([, v]) => v === null).length);
	});
});

describe('errors name the query, carry Prometheus\'s own text and say what to do', () => {
	test('bad PromQL', async () => {
		const error = (await client.instant({ query: 'rate(taxi_passengers[5m)', time: now }).catch((e: unknown) => e)) as PrometheusError;
		expect(error).toBeInstanceOf(PrometheusError);
		expect(error.kind).toBe('bad_query');
		expect(error.httpStatus).toBe(400);
		expect(error.message).toContain('"rate(taxi_passengers[5m)"');
		expect(error.prometheusMessage).toMatch(/parse error/);
		expect(error.message).toMatch(/Fix the PromQL/);
	});

	test('an execution error (many-to-many matching) is HTTP 422 with the reason', async () => {
		const error = (await client
			.instant({ query: 'taxi_passengers + on() group_left taxi_passengers', time: now })
			.catch((e: unknown) => e)) as PrometheusError;
		expect(error.kind).toBe('execution');
		expect(error.httpStatus).toBe(422);
		expect(error.prometheusMessage).toMatch(/many-to-many|multiple matches/);
	});

	test('an empty query is refused locally', async () => {
		await expect(client.instant({ query: '  ', time: now })).rejects.toThrow(/query is empty/);
	});

	test('an unreachable server', async () => {
		const port = await freePort();
		const dead = new PrometheusClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
		const error = (await dead.instant({ query: 'up', time: now }).catch((e: unknown) => e)) as PrometheusError;
		expect(error.kind).toBe('unreachable');
		expect(error.message).toContain(`http://127.0.0.1:${port}`);
		expect(error.message).toContain('(connection refused)');
		expect(error.message).toMatch(/Check the base URL/);
	});

	test('a server that never answers hits the timeout', async () => {
		const hole = await startBlackHole();
		try {
			const slow = new PrometheusClient({ baseUrl: hole.url, timeoutMs: 300 });
			const started = Date.now();
			const error = (await slow.range({ query: 'up', start: now - 600, end: now, step: 60 }).catch((e: unknown) => e)) as PrometheusError;
			expect(error.kind).toBe('timeout');
			expect(error.message).toMatch(/did not answer within 300 ms for query "up".*Raise the timeout/);
			expect(Date.now() - started).toBeLessThan(5000);
		} finally {
			await hole.close();
		}
	});

	test('a base URL that is not the server root is a 404 with the fix', async () => {
		const wrong = new PrometheusClient({ baseUrl: `${prometheus.url}/graph` });
		const error = (await wrong.instant({ query: 'up', time: now }).catch((e: unknown) => e)) as PrometheusError;
		expect(error.kind).toBe('not_found');
		expect(error.httpStatus).toBe(404);
		expect(error.message).toMatch(/server root/);
	});

	test('a web page that is not Prometheus', async () => {
		const page = await startFixedAnswer(200, '<html><body>Sign in</body></html>');
		try {
			const error = (await new PrometheusClient({ baseUrl: page.url }).instant({ query: 'up', time: now }).catch((e: unknown) => e)) as PrometheusError;
			expect(error.kind).toBe('bad_response');
			expect(error.message).toMatch(/did not answer like the Prometheus HTTP API.*Sign in/);
		} finally {
			await page.close();
		}
	});

	test('a 502 from a proxy in front of Prometheus', async () => {
		const proxy = await startFixedAnswer(502, '<html>502 Bad Gateway</html>');
		try {
			const error = (await new PrometheusClient({ baseUrl: proxy.url }).instant({ query: 'up', time: now }).catch((e: unknown) => e)) as PrometheusError;
			expect(error.kind).toBe('server');
			expect(error.httpStatus).toBe(502);
			expect(error.message).toMatch(/HTTP 502.*Bad Gateway.*retry later/);
		} finally {
			await proxy.close();
		}
	});

	test('a URL without http(s)', async () => {
		expect(() => new PrometheusClient({ baseUrl: 'prometheus:9090' })).toThrow(/uses prometheus: instead of http/);
	});
});

describe('bearer token and tenant header (a Mimir-style gateway in front of the real server)', () => {
	test('the token and X-Scope-OrgID are sent; warnings from the server are surfaced', async () => {
		const gateway = await startAuthGateway({
			upstream: prometheus.url,
			token: 's3cret-token',
			tenant: 'team-a',
			addWarnings: ['partial response: store 10.0.0.7:10901 unavailable'],
		});
		try {
			const good = new PrometheusClient({ baseUrl: gateway.url, auth: { type: 'bearer', token: 's3cret-token' }, headers: { 'X-Scope-OrgID': 'team-a' } });
			const result = await good.instant({ query: 'taxi_passengers{region="us-east"}', time: now - 120 });
			expect(result.series[0].value[1]).toBe(valueAt(east, now - 120));
			expect(result.warnings).toEqual(['partial response: store 10.0.0.7:10901 unavailable']);
			expect(gateway.seen.at(-1)?.tenant).toBe('team-a');

			const range = await good.range({ query: 'taxi_passengers{region="us-east"}', start: now - 3600, end: now, step: 60, maxPointsPerRequest: 30 });
			expect(range.chunks).toBe(3);
			expect(range.warnings).toEqual(['partial response: store 10.0.0.7:10901 unavailable']);

			const noTenant = new PrometheusClient({ baseUrl: gateway.url, auth: { type: 'bearer', token: 's3cret-token' } });
			const wrongToken = new PrometheusClient({ baseUrl: gateway.url, auth: { type: 'bearer', token: 'nope' }, headers: { 'X-Scope-OrgID': 'team-a' } });
			for (const bad of [noTenant, wrongToken]) {
				const error = (await bad.instant({ query: 'up', time: now }).catch((e: unknown) => e)) as PrometheusError;
				expect(error.kind).toBe('auth');
				expect(error.httpStatus).toBe(401);
				expect(error.message).toMatch(/tenant header/);
			}
		} finally {
			await gateway.close();
		}
	});
});

describe('TLS with a private CA and basic auth (Prometheus --web.config.file)', () => {
	let secured: LocalPrometheus;
	let caCert: string;
	const password = 'correct horse battery staple';

	beforeAll(async () => {
		const pki = makeTestPki();
		caCert = pki.caCert;
		// Only the last two days: this server exists for the transport checks.
		const recent = east.points.filter((p) => p.t + east.shiftSeconds > now - 2 * 86400);
		secured = await startLocalPrometheus({
			series: [{ ...east, points: recent }],
			files: { 'server.crt': pki.serverCert, 'server.key': pki.serverKey },
			webConfig: [
				'tls_server_config:',
				'  cert_file: server.crt',
				'  key_file: server.key',
				'basic_auth_users:',
				// bcrypt of the test password above
				"  sre: '$2a$10$AOQ.GB0of8x0wN4Vin5Iouyr5Ap/94E0WrWYSv8rQnIhEXtX/55um'",
			].join('\n'),
		});
	}, 120_000);

	afterAll(async () => {
		await secured?.stop();
	});

	test('trusting the private CA and sending the right password works', async () => {
		const ok = new PrometheusClient({ baseUrl: secured.url, caCertificate: caCert, auth: { type: 'basic', username: 'sre', password } });
		const info = await ok.buildInfo();
		expect(info.version).toMatch(/^2\./);
		const result = await ok.instant({ query: 'taxi_passengers', time: now - 60 });
		expect(result.series[0].value[1]).toBe(valueAt(east, now - 60));
	});

	test('without the CA the certificate is not trusted, and the error says how to fix it', async () => {
		const untrusted = new PrometheusClient({ baseUrl: secured.url, auth: { type: 'basic', username: 'sre', password } });
		const error = (await untrusted.buildInfo().catch((e: unknown) => e)) as PrometheusError;
		expect(error.kind).toBe('unreachable');
		expect(error.message).toMatch(/add the CA certificate/);
	});

	test('skipping verification connects anyway', async () => {
		const insecure = new PrometheusClient({ baseUrl: secured.url, skipTlsVerification: true, auth: { type: 'basic', username: 'sre', password } });
		expect((await insecure.buildInfo()).version).toMatch(/^2\./);
	});

	test('a wrong password is a 401 naming the credential', async () => {
		const wrong = new PrometheusClient({ baseUrl: secured.url, caCertificate: caCert, auth: { type: 'basic', username: 'sre', password: 'wrong' } });
		const error = (await wrong.instant({ query: 'up', time: now }).catch((e: unknown) => e)) as PrometheusError;
		expect(error.kind).toBe('auth');
		expect(error.httpStatus).toBe(401);
		expect(error.message).toMatch(/Prometheus credential/);
	});
});
