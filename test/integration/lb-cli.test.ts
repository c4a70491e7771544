import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { runCli } from '../../src/cli/main';
import type { LocalHaproxy } from '../sandbox/haproxy';
import { Region, RegionsBehindHaproxy, get, sendMany, startRegionsBehindHaproxy } from '../sandbox/haproxyRegions';
import { freePort } from '../sandbox/processes';
import { POLICY, failoverProposal, gatedItem } from '../unit/loadbalancer/verdicts';
import { startKubeSandbox, writeKubeconfig } from '../sandbox/kube';
import { runGate } from '../../src/decision';
import { signingKey } from '../../src/policy';

/** `kube-ops lb` against a real HAProxy with traffic flowing through it. */

const SIGNING_KEY = 'lb-cli-test-signing-key-0123456789abcdef';

let east: Region;
let haproxy: LocalHaproxy;
let stack: RegionsBehindHaproxy;
let dir: string;

beforeAll(async () => {
	stack = await startRegionsBehindHaproxy();
	({ east, haproxy } = stack);
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-lb-cli-'));
	for (let i = 0; i < 100 && !(await haproxy.command('show stat')).match(/us-west,.*?,UP,/); i++) await new Promise((r) => setTimeout(r, 100));
});

afterEach(async () => {
	for (const server of ['us-east', 'us-west']) await haproxy.command(`set server be_app/${server} state ready`);
});

afterAll(async () => {
	await stack?.stop();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
	code: number;
	stdout: string;
	stderr: string;
}

async function lb(...args: string[]): Promise<Run> {
	let stdout = '';
	let stderr = '';
	const code = await runCli(['lb', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), now: () => Date.now() / 1000 });
	return { code, stdout, stderr };
}

const haproxyArgs = () => ['--provider', 'haproxy', '--address', haproxy.runtimeAddress, '--backend', 'be_app'];

test('status --json lists the servers with state, weight and sessions; without --json a table', async () => {
	const json = await lb('status', ...haproxyArgs(), '--json');
	expect(json.code).toBe(0);
	const status = JSON.parse(json.stdout);
	expect(status).toMatchObject({ operation: 'status', provider: 'haproxy', backend: 'be_app', serving: ['us-east', 'us-west'] });
	expect(status.servers.map((s: { server: string; admin: string; weight: number; sessions: number }) => [s.server, s.admin, s.weight, s.sessions])).toEqual([
		['us-east', 'ready', 1, 0],
		['us-west', 'ready', 1, 0],
	]);
	const text = await lb('status', ...haproxyArgs());
	expect(text.stdout.split('\n')).toEqual([
		expect.stringMatching(/^haproxy 127\.0\.0\.1:\d+ be_app: 2 of 2 serving$/),
		'SERVER   ADMIN  HEALTH  WEIGHT  SESSIONS  SERVING',
		'us-east  ready  up      1       0         yes',
		'us-west  ready  up      1       0         yes',
		'',
	]);
});

test('drain --wait: waits for the in-flight request, prints progress, traffic moves to us-west; restore brings it back', async () => {
	const slow = [get(`${haproxy.url}/slow?ms=1200`), get(`${haproxy.url}/slow?ms=1200`)];
	for (let i = 0; i < 100 && east.active() === 0; i++) await new Promise((r) => setTimeout(r, 20));
	expect(east.active()).toBe(1);
	const drain = await lb('drain', ...haproxyArgs(), '--server', 'us-east', '--wait', '10s', '--poll', '100ms', '--json');
	const answers = await Promise.all(slow);
	expect(answers.map((a) => [a.status, a.body]).sort()).toEqual([
		[200, 'us-east'],
		[200, 'us-west'],
	]);
	expect(drain.code).toBe(0);
	const result = JSON.parse(drain.stdout);
	expect(result).toMatchObject({ operation: 'drain', server: 'us-east', changed: true, before: { admin: 'ready', sessions: 1 }, after: { admin: 'drain' }, wait: { completed: true, sessions: 0 } });
	expect(drain.stderr).toMatch(/^kube-ops lb: us-east: 1 session\(s\) open after \d\.\ds\nkube-ops lb: us-east: 0 session\(s\) open after \d\.\ds\n$/);
	expect(await sendMany(haproxy.url, 6)).toEqual({ 'us-west': 6 });

	const again = await lb('drain', ...haproxyArgs(), '--server', 'us-east', '--json');
	expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, message: 'us-east is already drained: it takes no new traffic; nothing changed' });

	const restore = await lb('restore', ...haproxyArgs(), '--server', 'us-east');
	expect(restore.code).toBe(0);
	expect(restore.stdout).toMatch(/^haproxy 127\.0\.0\.1:\d+ be_app\/us-east: restored us-east: it takes new traffic again\n {2}before: drain, weight 1, 0 session\(s\)\n {2}after: {2}ready, weight 1, 0 session\(s\)\n$/);
	expect(await sendMany(haproxy.url, 6)).toEqual({ 'us-east': 3, 'us-west': 3 });
});

test('draining the last serving server exits 3 and changes nothing; --force does it', async () => {
	expect((await lb('drain', ...haproxyArgs(), '--server', 'us-east')).code).toBe(0);
	const refused = await lb('drain', ...haproxyArgs(), '--server', 'us-west', '--json');
	expect(refused.code).toBe(3);
	expect(JSON.parse(refused.stdout).error).toMatchObject({ kind: 'refused', provider: 'haproxy', object: expect.stringMatching(/be_app\/us-west$/) });
	expect(refused.stderr).toMatch(/^kube-ops lb: haproxy 127\.0\.0\.1:\d+ be_app\/us-west: refusing to drain us-west: it is the last server that takes traffic in be_app/);
	expect(refused.stderr).toMatch(/\n {2}fix: .*force/);
	expect(await sendMany(haproxy.url, 3)).toEqual({ 'us-west': 3 });
	const forced = await lb('drain', ...haproxyArgs(), '--server', 'us-west', '--force');
	expect(forced.code).toBe(0);
	expect(forced.stderr).toMatch(/^warning: forced: us-west was the last server/);
});

test('a drain whose --wait deadline passes exits 4 with the sessions still open', async () => {
	const slow = [get(`${haproxy.url}/slow?ms=1500`), get(`${haproxy.url}/slow?ms=1500`)];
	for (let i = 0; i < 100 && east.active() === 0; i++) await new Promise((r) => setTimeout(r, 20));
	const drain = await lb('drain', ...haproxyArgs(), '--server', 'us-east', '--wait', '300ms', '--poll', '100ms', '--json');
	expect(drain.code).toBe(4);
	expect(JSON.parse(drain.stdout).wait).toMatchObject({ completed: false, sessions: 1 });
	expect(drain.stderr).toMatch(/warning: 1 session\(s\) still open on us-east after 0\.\ds; it stays drained\n$/);
	await Promise.all(slow);
});

test('weight sets and reads back', async () => {
	const result = await lb('weight', ...haproxyArgs(), '--server', 'us-west', '--weight', '4', '--json');
	expect(result.code).toBe(0);
	expect(JSON.parse(result.stdout)).toMatchObject({ operation: 'setWeight', before: { weight: 1 }, after: { weight: 4 } });
	expect((await lb('weight', ...haproxyArgs(), '--server', 'us-west', '--weight', '1')).code).toBe(0);
});

test('--item: a signed failover verdict drains its server once; unsigned, wrong-server and replayed items exit 3 and move nothing', async () => {
	// The ledger that makes a verdict single-use lives in the cluster --kubeconfig reaches (namespace shop, the proposal's).
	const cluster = await startKubeSandbox({ clusterName: 'global', podStartupMs: 50 });
	try {
		const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig.yaml'), [{ name: 'global', url: cluster.url, caCert: cluster.caCert, tokens: cluster.tokens }]);
		const keyFile = path.join(dir, 'signing-key');
		fs.writeFileSync(keyFile, `${SIGNING_KEY}\n`);
		const now = new Date();
		const proposal = failoverProposal('us-east', 'us-west', now);
		const { verdict } = runGate(proposal, POLICY, {}, now, { signingKey: signingKey(SIGNING_KEY) });
		expect(verdict).toMatchObject({ decision: 'apply', scope: { drain: { server: 'us-east' } }, signature: { alg: 'HMAC-SHA256' } });
		const signed = path.join(dir, 'signed.json');
		fs.writeFileSync(signed, JSON.stringify({ proposal, verdict }));
		const unsigned = path.join(dir, 'unsigned.json');
		const { signature: _signature, ...bare } = gatedItem(proposal, now).verdict;
		fs.writeFileSync(unsigned, JSON.stringify({ proposal, verdict: bare }));
		const gate = (file: string) => ['--item', file, '--signing-key-file', keyFile, '--kubeconfig', kubeconfig];
		const used = () => JSON.parse(cluster.get('leases.coordination.k8s.io', 'shop', 'kube-ops-verdicts')?.metadata.annotations?.['kube-ops/verdicts-used'] ?? '[]') as { key: string }[];

		const notSigned = await lb('drain', ...haproxyArgs(), '--server', 'us-east', ...gate(unsigned), '--json');
		expect(notSigned.code).toBe(3);
		expect(JSON.parse(notSigned.stdout).error).toMatchObject({ kind: 'refused', cause: expect.stringMatching(/^Refusing to drain: the verdict is not signed/) });
		const wrongWay = await lb('drain', ...haproxyArgs(), '--server', 'us-west', ...gate(signed));
		expect(wrongWay.code).toBe(3);
		expect(wrongWay.stderr).toMatch(/the failover verdict authorises drain of us-east only, not be_app\/us-west/);
		const noKey = await lb('drain', ...haproxyArgs(), '--server', 'us-east', '--item', signed, '--kubeconfig', kubeconfig);
		expect(noKey.code).toBe(2);
		expect(noKey.stderr).toMatch(/^kube-ops lb: --signing-key-file is required with --item/);
		expect(await sendMany(haproxy.url, 4)).toEqual({ 'us-east': 2, 'us-west': 2 });
		expect(used()).toEqual([]);

		const applied = await lb('drain', ...haproxyArgs(), '--server', 'us-east', ...gate(signed), '--json');
		expect(applied.code).toBe(0);
		expect(JSON.parse(applied.stdout)).toMatchObject({ changed: true, after: { admin: 'drain' }, gate: { verified: true, action: 'failover', verdictHash: verdict.verdictHash } });
		expect(await sendMany(haproxy.url, 4)).toEqual({ 'us-west': 4 });
		expect(used().map((e) => e.key)).toEqual([`${verdict.verdictHash}#drain`]);

		// Put back by hand: the same verdict still may not drain it again.
		expect((await lb('restore', ...haproxyArgs(), '--server', 'us-east')).code).toBe(0);
		const replay = await lb('drain', ...haproxyArgs(), '--server', 'us-east', ...gate(signed));
		expect(replay.code).toBe(3);
		expect(replay.stderr).toMatch(/^kube-ops lb: Refusing to act: this verdict was already carried out \(drain at /);
		expect(await sendMany(haproxy.url, 4)).toEqual({ 'us-east': 2, 'us-west': 2 });
	} finally {
		await cluster.close();
	}
});

test('a dead Runtime API address exits 1 naming it; usage mistakes exit 2', async () => {
	const port = await freePort();
	const dead = await lb('status', '--provider', 'haproxy', '--address', `127.0.0.1:${port}`, '--backend', 'be_app');
	expect(dead.code).toBe(1);
	expect(dead.stderr).toBe(
		`kube-ops lb: haproxy 127.0.0.1:${port}: cannot reach the Runtime API: connection refused\n  fix: Check the address, and that haproxy.cfg's global section has "stats socket ipv4@127.0.0.1:${port} level admin" and HAProxy is running.\n`,
	);
	const noServer = await lb('drain', ...haproxyArgs());
	expect(noServer.code).toBe(2);
	expect(noServer.stderr).toMatch(/^kube-ops lb: --server is required for drain/);
	expect((await lb('explode', ...haproxyArgs())).code).toBe(2);
	expect((await lb('status', '--provider', 'haproxy', '--address', 'nowhere', '--backend', 'be_app')).stderr).toMatch(/--address: not a Runtime API address: expected host:port/);
	expect((await lb('restore', ...haproxyArgs(), '--server', 'us-east', '--wait', '5s')).code).toBe(2);
});
