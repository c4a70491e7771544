import { runCli } from '../../src/cli/main';
import { LoadBalancerError, ROUTE53_MEMO_PREFIX, Route53Provider } from '../../src/loadbalancer';
import { type Route53Sandbox, startRoute53Sandbox } from '../sandbox/route53';

/*
 * Route 53 weighted records through the real AWS SDK v3 client, against a
 * loopback double of the Route 53 REST XML API (test/sandbox/route53) that
 * verifies every SigV4 signature and applies change batches all or nothing.
 */

let r53: Route53Sandbox;

beforeEach(async () => {
	r53 = await startRoute53Sandbox({ ttl: 1, insyncAfterPolls: 2 });
});

afterEach(async () => {
	await r53?.close();
});

function provider(extra: Partial<ConstructorParameters<typeof Route53Provider>[0]> = {}): Route53Provider {
	return new Route53Provider({ credentials: { accessKeyId: r53.accessKeyId, secretAccessKey: r53.secretAccessKey }, endpoint: r53.endpoint, ...extra });
}

const BACKEND = 'example.com/shop.example.com/A';
const batches = () => r53.requests.filter((r) => r.method === 'POST');

async function refusal(promise: Promise<unknown>): Promise<LoadBalancerError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(LoadBalancerError);
	return error as LoadBalancerError;
}

describe('status', () => {
	test('lists the weighted records with weights and health checks, every request signed with SigV4', async () => {
		const status = await provider().status(BACKEND);
		expect(status.servers.map((s) => [s.server, s.admin, s.weight, s.health, s.serving])).toEqual([
			['eu-west', 'ready', 100, 'up', true],
			['us-east', 'ready', 100, 'up', true],
		]);
		expect(status.servers[1].detail).toMatchObject({ routing: 'weighted', ttl: 1, values: ['192.0.2.10'], healthCheckId: r53.healthCheckId('us-east'), healthCheckers: { healthy: 8, total: 8 } });
		expect(r53.requests.length).toBeGreaterThanOrEqual(4);
		expect(r53.requests.every((r) => r.signed && r.status === 200)).toBe(true);
		expect(r53.requests[0]).toMatchObject({ path: '/2013-04-01/hostedzonesbyname', query: { dnsname: 'example.com.' } });
		expect(r53.requests.filter((r) => r.path.endsWith('/status')).map((r) => r.path.split('/')[3]).sort()).toEqual([r53.healthCheckId('us-east'), r53.healthCheckId('eu-west')].sort());
	});

	test('the zone by ID, the record relative to the zone, the type defaulting to A', async () => {
		const status = await provider().status(`${r53.zone.id}/shop`);
		expect(status.serving.sort()).toEqual(['eu-west', 'us-east']);
	});

	test('failover records: the primary serves while its health check passes, else the secondary', async () => {
		const backend = 'example.com/api.example.com/A';
		expect((await provider().status(backend)).serving).toEqual(['primary']);
		r53.setHealthy('us-east', false);
		const status = await provider().status(backend);
		expect(status.serving).toEqual(['secondary']);
		expect(status.servers.map((s) => [s.server, s.weight, s.detail.failover])).toEqual([
			['primary', null, 'PRIMARY'],
			['secondary', null, 'SECONDARY'],
		]);
	});

	test('Route 53 health: healthy when more than 18% of checkers say so', async () => {
		(r53.healthChecks.get(r53.healthCheckId('eu-west')) as { healthyCheckers: number }).healthyCheckers = 2; // 25%
		(r53.healthChecks.get(r53.healthCheckId('us-east')) as { healthyCheckers: number }).healthyCheckers = 1; // 12.5%
		const status = await provider().status(BACKEND);
		expect(status.servers.map((s) => [s.server, s.health])).toEqual([
			['eu-west', 'up'],
			['us-east', 'down'],
		]);
	});
});

describe('drain and restore', () => {
	test('drain sets weight 0 with DELETE of the exact old record + CREATE in one batch, remembers the weight; restore puts it back', async () => {
		const drained = await provider().drain({ backend: BACKEND, server: 'us-east' });
		expect(drained).toMatchObject({ provider: 'route53', changed: true, before: { weight: 100, admin: 'ready' }, after: { weight: 0, admin: 'drain', serving: false } });
		expect(r53.record('us-east')?.Weight).toBe(0);
		expect(batches()).toHaveLength(1);
		const body = batches()[0].body ?? '';
		expect(body).toMatch(/<Action>DELETE<\/Action><ResourceRecordSet><Name>shop\.example\.com\.<\/Name><Type>A<\/Type><SetIdentifier>us-east<\/SetIdentifier><Weight>100<\/Weight>/);
		expect(body).toMatch(/<Action>CREATE<\/Action><ResourceRecordSet><Name>shop\.example\.com\.<\/Name><Type>A<\/Type><SetIdentifier>us-east<\/SetIdentifier><Weight>0<\/Weight>/);
		// The decision record says when the drained record comes back.
		expect(drained.warnings).toContain('us-east has weight 0, but Route 53 answers with it again when every record with a non-zero weight fails its health check');
		const memo = r53.zone.records.find((r) => r.Name === `${ROUTE53_MEMO_PREFIX}shop.example.com.`);
		expect(memo?.ResourceRecords).toEqual(['"A:us-east=100"']);
		expect(drained.after.detail.rememberedWeight).toBe(100);

		// A new provider (another run, worker or machine) finds the remembered weight in Route 53 itself.
		const restored = await provider().restore({ backend: BACKEND, server: 'us-east' });
		expect(restored).toMatchObject({ changed: true, after: { weight: 100, admin: 'ready', serving: true } });
		expect(r53.record('us-east')?.Weight).toBe(100);
		expect(r53.zone.records.find((r) => r.Name.startsWith('_kube-ops'))).toBeUndefined();
		expect((await provider().restore({ backend: BACKEND, server: 'us-east' })).changed).toBe(false);
	});

	test('a repeated drain changes nothing and sends no batch', async () => {
		await provider().drain({ backend: BACKEND, server: 'us-east' });
		const again = await provider().drain({ backend: BACKEND, server: 'us-east' });
		expect(again.changed).toBe(false);
		expect(batches()).toHaveLength(1);
	});

	test('setWeight moves weight; restore without a remembered weight asks for one', async () => {
		await provider().setWeight({ backend: BACKEND, server: 'eu-west' }, 30);
		expect(r53.record('eu-west')?.Weight).toBe(30);
		await provider().setWeight({ backend: BACKEND, server: 'eu-west' }, 0);
		expect(r53.zone.records.find((r) => r.Name.startsWith('_kube-ops'))?.ResourceRecords).toEqual(['"A:eu-west=30"']);
		await provider().restore({ backend: BACKEND, server: 'eu-west' });
		expect(r53.record('eu-west')?.Weight).toBe(30);
		// Someone set weight 0 by hand: nothing remembered.
		r53.record('eu-west')!.Weight = 0;
		const error = await refusal(provider().restore({ backend: BACKEND, server: 'eu-west' }));
		expect(error).toMatchObject({ kind: 'invalid' });
		expect(error.fix).toMatch(/--weight/);
		expect((await provider().restore({ backend: BACKEND, server: 'eu-west' }, { weight: 50 })).after.weight).toBe(50);
	});
});

describe('DNS safety rules', () => {
	test('draining the last record with a non-zero weight is refused (Route 53 would answer with all records); force overrides', async () => {
		await provider().drain({ backend: BACKEND, server: 'us-east' });
		const error = await refusal(provider().drain({ backend: BACKEND, server: 'eu-west' }));
		expect(error.kind).toBe('refused');
		expect(error.message).toMatch(/last server that takes traffic in record set .*Route 53 answers with all the zero-weight records/);
		expect(r53.record('eu-west')?.Weight).toBe(100);
		const weight0 = await refusal(provider().setWeight({ backend: BACKEND, server: 'eu-west' }, 0));
		expect(weight0.kind).toBe('refused');
		const forced = await provider().drain({ backend: BACKEND, server: 'eu-west' }, { force: true });
		expect(forced).toMatchObject({ changed: true, forced: true });
		expect(r53.record('eu-west')?.Weight).toBe(0);
	});

	test('draining the only healthy non-zero record is refused too: the other one fails its health check', async () => {
		r53.setHealthy('eu-west', false);
		const error = await refusal(provider().drain({ backend: BACKEND, server: 'us-east' }));
		expect(error.kind).toBe('refused');
		expect(batches()).toHaveLength(0);
	});

	test('the last non-zero record is refused even when it is the unhealthy one (weights all 0 = every record answered)', async () => {
		await provider().drain({ backend: BACKEND, server: 'us-east' });
		r53.setHealthy('eu-west', false);
		// eu-west serves nothing now (Route 53 answers with the drained us-east), yet taking it to 0 is still the rule's case.
		expect((await provider().status(BACKEND)).serving).toEqual(['us-east']);
		const error = await refusal(provider().drain({ backend: BACKEND, server: 'eu-west' }));
		expect(error.kind).toBe('refused');
		expect(r53.record('eu-west')?.Weight).toBe(100);
	});

	test('status says when a drained record comes back: every non-zero record is unhealthy', async () => {
		await provider().drain({ backend: BACKEND, server: 'us-east' });
		let status = await provider().status(BACKEND);
		expect(status.serving).toEqual(['eu-west']);
		expect(status.notes).toEqual(['drained record(s) us-east come back into DNS answers if eu-west all fail their health checks']);
		r53.setHealthy('eu-west', false);
		status = await provider().status(BACKEND);
		expect(status.serving).toEqual(['us-east']);
		expect(status.notes?.[0]).toMatch(/every record with a non-zero weight \(eu-west\) fails its health check: Route 53 answers with the zero-weight records again \(us-east: drained, but taking traffic\)/);
		expect(status.servers.find((s) => s.server === 'us-east')?.detail.returnsWhen).toBe('now: no record with a non-zero weight is healthy');
	});

	test('restore and a higher weight are refused for a record whose health check fails', async () => {
		await provider().drain({ backend: BACKEND, server: 'us-east' });
		r53.setHealthy('us-east', false);
		const restore = await refusal(provider().restore({ backend: BACKEND, server: 'us-east' }));
		expect(restore.kind).toBe('refused');
		expect(restore.message).toMatch(/health check says it is down \(0 of 8 checkers healthy\)/);
		const weight = await refusal(provider().setWeight({ backend: BACKEND, server: 'us-east' }, 10));
		expect(weight.kind).toBe('refused');
		expect(r53.record('us-east')?.Weight).toBe(0);
		// Lowering the weight of an unhealthy record is still allowed: it moves traffic away.
		r53.setHealthy('eu-west', true);
		r53.record('us-east')!.Weight = 50;
		expect((await provider().setWeight({ backend: BACKEND, server: 'us-east' }, 20)).changed).toBe(true);
	});

	test('a concurrent edit between our read and our write fails the whole batch instead of being overwritten', async () => {
		r53.beforeChange = () => {
			r53.record('us-east')!.TTL = 300; // someone else's edit lands first
			r53.beforeChange = undefined;
		};
		const error = await refusal(provider().drain({ backend: BACKEND, server: 'us-east' }));
		expect(error.kind).toBe('conflict');
		expect(error.message).toMatch(/no longer as it was read.*Tried to delete resource record set \[name='shop\.example\.com\.', type='A', set-identifier='us-east'\] but the values provided do not match the current values/);
		expect(error.httpStatus).toBe(400);
		expect(r53.record('us-east')).toMatchObject({ Weight: 100, TTL: 300 });
		expect(r53.zone.records.find((r) => r.Name.startsWith('_kube-ops'))).toBeUndefined();
	});

	test('drain --wait polls GetChange until INSYNC, then waits the record\'s TTL, and says so', async () => {
		const result = await provider().drain({ backend: BACKEND, server: 'us-east' }, { wait: { timeoutMs: 30_000, pollMs: 10 } });
		expect(result.propagation).toMatchObject({ completed: true, status: 'INSYNC', polls: 3, ttlSeconds: 1, ttlWaitedMs: 1000 });
		expect(result.message).toMatch(/Route 53 reported INSYNC after .*s, then the record's TTL of 1s passed/);
		expect(r53.requests.filter((r) => r.path.startsWith('/2013-04-01/change/'))).toHaveLength(3);
	});

	test('drain --wait past the deadline while PENDING: drained, not complete, warned', async () => {
		r53.insyncAfterPolls = 1_000_000;
		const result = await provider().drain({ backend: BACKEND, server: 'us-east' }, { wait: { timeoutMs: 50, pollMs: 10 } });
		expect(result.changed).toBe(true);
		expect(result.propagation).toMatchObject({ completed: false, status: 'PENDING' });
		expect(result.warnings.some((w) => /still reports the change PENDING/.test(w))).toBe(true);
	});
});

describe('hostile and wrong input', () => {
	test('a wrong secret is refused by the signature check, and the secret appears nowhere', async () => {
		const error = await refusal(provider({ credentials: { accessKeyId: r53.accessKeyId, secretAccessKey: 'x'.repeat(40) } }).status(BACKEND));
		expect(error).toMatchObject({ kind: 'permission', httpStatus: 403 });
		expect(error.message).toMatch(/SignatureDoesNotMatch/);
		expect(error.message).not.toContain(r53.secretAccessKey);
		expect(r53.requests.every((r) => !r.signed)).toBe(true);
	});

	test('bad backends, weights, record kinds and zones each get a clear error', async () => {
		for (const backend of ['shop.example.com', 'a/b/c/d', 'example.com//A', 'example.com/shop/BOGUS']) {
			expect((await refusal(provider().status(backend))).kind).toBe('invalid');
		}
		expect((await refusal(provider().status('nope.example/shop'))).kind).toBe('not_found');
		expect((await refusal(provider().status('example.com/missing'))).kind).toBe('not_found');
		expect((await refusal(provider().status('example.com/shop.other.org.'))).kind).toBe('invalid');
		const simple = await refusal(provider().drain({ backend: 'example.com/www', server: 'x' }));
		expect(simple).toMatchObject({ kind: 'unsupported' });
		const failover = await refusal(provider().drain({ backend: 'example.com/api', server: 'primary' }));
		expect(failover.kind).toBe('unsupported');
		expect(failover.fix).toMatch(/health check/);
		for (const weight of [256, -1, 1.5, Number.NaN]) {
			expect((await refusal(provider().setWeight({ backend: BACKEND, server: 'us-east' }, weight))).kind).toBe('invalid');
		}
		expect((await refusal(provider().drain({ backend: BACKEND, server: 'ap-south' }))).kind).toBe('not_found');
		expect(batches()).toHaveLength(0);
	});

	test('a set identifier with quotes, spaces and = survives the remembered-weight record', async () => {
		const odd = 'eu "west" = 1';
		r53.record('eu-west')!.SetIdentifier = odd;
		await provider().drain({ backend: BACKEND, server: odd });
		const restored = await provider().restore({ backend: BACKEND, server: odd });
		expect(restored.after.weight).toBe(100);
	});

	test('a record set longer than one page is read across pages (NextRecordName/Type/Identifier); a huge backend is refused', async () => {
		for (let i = 0; i < 120; i++) {
			r53.zone.records.push({ Name: 'shop.example.com.', Type: 'A', SetIdentifier: `r${String(i).padStart(3, '0')}`, Weight: 1, TTL: 1, ResourceRecords: [`203.0.113.${i}`] });
		}
		r53.zone.records.push({ Name: 'shop.example.com.', Type: 'AAAA', SetIdentifier: 'v6', Weight: 1, TTL: 1, ResourceRecords: ['2001:db8::1'] });
		const status = await provider().status(BACKEND);
		expect(status.servers).toHaveLength(122);
		expect(status.servers.some((s) => s.server === 'v6')).toBe(false);
		expect(r53.requests.filter((r) => r.path.endsWith('/rrset') && r.query.identifier).length).toBeGreaterThanOrEqual(1);
		expect((await refusal(provider().status(`example.com/${'a'.repeat(300)}.example.com/A`))).kind).toBe('invalid');
	});

	test('a set identifier too long to remember in a TXT string: the drain still works and says the weight was not kept', async () => {
		const long = `eu-${'é'.repeat(60)}`; // 123 characters, 363 once encoded
		r53.record('eu-west')!.SetIdentifier = long;
		const drained = await provider().drain({ backend: BACKEND, server: long });
		expect(drained.changed).toBe(true);
		expect(drained.warnings).toContain(`the weight 100 of ${long} could not be remembered (its set identifier is too long for a TXT string): give it to restore`);
		expect((await refusal(provider().restore({ backend: BACKEND, server: long }))).kind).toBe('invalid');
		expect((await provider().restore({ backend: BACKEND, server: long }, { weight: 100 })).after.weight).toBe(100);
	});

	test('a remembered weight edited by hand beyond 255 is not used: restore asks for a weight instead of sending it', async () => {
		await provider().drain({ backend: BACKEND, server: 'us-east' });
		const memo = r53.zone.records.find((r) => r.Name.startsWith('_kube-ops'));
		memo!.ResourceRecords = ['"A:us-east=999"', '"not ours"'];
		const error = await refusal(provider().restore({ backend: BACKEND, server: 'us-east' }));
		expect(error.kind).toBe('invalid');
		expect(batches()).toHaveLength(1);
		// A restore with an explicit weight keeps the values that are not ours.
		await provider().restore({ backend: BACKEND, server: 'us-east' }, { weight: 40 });
		expect(r53.zone.records.find((r) => r.Name.startsWith('_kube-ops'))?.ResourceRecords).toEqual(['"not ours"']);
	});

	test('an unreachable endpoint is named, not a stack trace', async () => {
		await r53.close();
		const error = await refusal(provider({ timeoutMs: 2000 }).status(BACKEND));
		expect(['unreachable', 'timeout']).toContain(error.kind);
		r53 = await startRoute53Sandbox();
	});
});

describe('the CLI: kube-ops lb --provider route53', () => {
	const saved = { ...process.env };
	afterEach(() => {
		for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
			if (saved[key] === undefined) delete process.env[key];
			else process.env[key] = saved[key];
		}
	});

	test('status, drain --wait, the last-record refusal (exit 3), --force, restore; keys from the AWS default chain', async () => {
		process.env.AWS_ACCESS_KEY_ID = r53.accessKeyId;
		process.env.AWS_SECRET_ACCESS_KEY = r53.secretAccessKey;
		delete process.env.AWS_SESSION_TOKEN;
		let stdout = '';
		let stderr = '';
		const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), now: () => Date.now() / 1000 };
		const common = ['--provider', 'route53', '--endpoint-url', r53.endpoint, '--zone', 'example.com', '--record', 'shop.example.com'];
		expect(await runCli(['lb', 'status', ...common], io)).toBe(0);
		expect(stdout).toMatch(/^route53 route53 http:\/\/127\.0\.0\.1:\d+ example\.com\/shop\.example\.com\/A: 2 of 2 serving\n/);
		expect(stdout).toMatch(/us-east\s+ready\s+up\s+100\s+-\s+yes/);
		stdout = '';
		expect(await runCli(['lb', 'drain', ...common, '--server', 'us-east', '--wait', '30s', '--poll', '10ms'], io)).toBe(0);
		expect(stdout).toMatch(/drained us-east: it takes no new traffic; Route 53 reported INSYNC after [\d.]+s, then the record's TTL of 1s passed/);
		expect(stdout).toMatch(/ {2}dns: {4}Route 53 reported INSYNC/);
		expect(stderr).toMatch(/warning: us-east has weight 0, but Route 53 answers with it again when every record with a non-zero weight fails its health check/);
		stdout = '';
		expect(await runCli(['lb', 'status', ...common], io)).toBe(0);
		expect(stdout).toMatch(/note: drained record\(s\) us-east come back into DNS answers if eu-west all fail their health checks/);
		stderr = '';
		expect(await runCli(['lb', 'drain', '--provider', 'route53', '--endpoint-url', r53.endpoint, '--backend', 'example.com/shop.example.com/A', '--server', 'eu-west'], io)).toBe(3);
		expect(stderr).toMatch(/refusing to drain eu-west: it is the last server that takes traffic/);
		expect(r53.record('eu-west')?.Weight).toBe(100);
		expect(await runCli(['lb', 'restore', ...common, '--server', 'us-east', '--json'], io)).toBe(0);
		expect(JSON.parse(stdout.slice(stdout.indexOf('{')))).toMatchObject({ provider: 'route53', changed: true, after: { weight: 100 } });
		expect(await runCli(['lb', 'weight', ...common, '--server', 'eu-west', '--weight', '0'], io)).toBe(0);
		expect(await runCli(['lb', 'drain', ...common, '--server', 'us-east', '--force'], io)).toBe(0);
		expect(r53.record('us-east')?.Weight).toBe(0);
	});

	test('--wait past the deadline exits 4; wrong flags are usage errors', async () => {
		process.env.AWS_ACCESS_KEY_ID = r53.accessKeyId;
		process.env.AWS_SECRET_ACCESS_KEY = r53.secretAccessKey;
		r53.insyncAfterPolls = 1_000_000;
		let stderr = '';
		const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), now: () => Date.now() / 1000 };
		const common = ['--provider', 'route53', '--endpoint-url', r53.endpoint, '--zone', 'example.com', '--record', 'shop'];
		expect(await runCli(['lb', 'drain', ...common, '--server', 'us-east', '--wait', '50ms', '--poll', '10ms'], io)).toBe(4);
		expect(stderr).toMatch(/still reports the change PENDING/);
		expect(await runCli(['lb', 'status', '--provider', 'haproxy', '--address', '127.0.0.1:1', '--backend', 'x', '--record', 'shop'], io)).toBe(2);
		expect(await runCli(['lb', 'status', '--provider', 'route53', '--zone', 'example.com'], io)).toBe(2);
		expect(await runCli(['lb', 'status', ...common, '--backend', 'example.com/shop'], io)).toBe(2);
	});
});
