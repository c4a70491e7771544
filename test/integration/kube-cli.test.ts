import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { runCli } from '../../src/cli/main';
import { signatureFor, signingKey } from '../../src/policy';
import { type KubeSandbox, startKubeSandbox, writeKubeconfig } from '../sandbox/kube';

/*
 * `kube-ops policy check --signing-key-file` and `kube-ops kube`: a verdict
 * signed by the gate's key is carried out once, on the live state it judged,
 * against the project's Kubernetes API sandbox; everything else is refused
 * with exit 3 and leaves the cluster as it was.
 */

const CLUSTER = 'prod-eu-1';
const KEY = 'kube-ops-test-signing-key-0123456789abcdef';
const OTHER_KEY = 'another-gate-signing-key-fedcba9876543210';
const POLICY = { minReplicas: 2, maxReplicas: 20, allowedNamespaces: ['shop'] };

let sandbox: KubeSandbox;
let dir: string;
let kubeconfig: string;
const files: Record<'key' | 'otherKey' | 'shortKey' | 'policy', string> = { key: '', otherKey: '', shortKey: '', policy: '' };

beforeAll(async () => {
	sandbox = await startKubeSandbox({ clusterName: CLUSTER, podStartupMs: 50 });
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-kube-cli-'));
	kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig.yaml'), [{ name: CLUSTER, url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens }]);
	const write = (name: string, text: string) => {
		const file = path.join(dir, name);
		fs.writeFileSync(file, text);
		return file;
	};
	files.key = write('key', `${KEY}\n`);
	files.otherKey = write('other-key', OTHER_KEY);
	files.shortKey = write('short-key', 'too-short');
	files.policy = write('policy.json', JSON.stringify(POLICY));
});

afterAll(async () => {
	await sandbox?.close();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
	// The HPA's controller would move web back into its range: put its floor back before the count.
	sandbox.api.patch(sandbox.api.def('horizontalpodautoscalers.autoscaling'), 'shop', 'web', 'merge', { spec: { minReplicas: 2 } });
	setReplicas(3);
});

interface Run {
	code: number;
	stdout: string;
	stderr: string;
}

async function cli(...args: string[]): Promise<Run> {
	let stdout = '';
	let stderr = '';
	const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), now: () => Date.now() / 1000 });
	return { code, stdout, stderr };
}

function setReplicas(replicas: number): void {
	sandbox.api.patchScale(sandbox.api.def('deployments.apps'), 'shop', 'web', 'merge', { spec: { replicas } });
}

const replicas = () => sandbox.get('deployments.apps', 'shop', 'web')?.spec?.replicas;
const hpaMin = () => sandbox.get('horizontalpodautoscalers.autoscaling', 'shop', 'web')?.spec?.minReplicas;

function ledger(): string[] {
	const raw = sandbox.get('leases.coordination.k8s.io', 'shop', 'kube-ops-verdicts')?.metadata.annotations?.['kube-ops/verdicts-used'];
	return raw ? (JSON.parse(raw) as { key: string }[]).map((e) => e.key) : [];
}

let proposals = 0;

/** A scale proposal for web, each one distinct so each verdict is its own (the ledger keys on the verdict). */
function proposal(current: number, proposed: number): Record<string, unknown> {
	proposals += 1;
	return { action: 'scale', source: 'manual', id: `test-${proposals}`, target: { cluster: CLUSTER, namespace: 'shop', kind: 'Deployment', name: 'web' }, current: { replicas: current }, proposed: { replicas: proposed } };
}

/** `kube-ops policy check` as a person runs it: the verdict it prints and what it said on stderr. */
async function check(proposalDoc: Record<string, unknown>, keyFile?: string, now?: Date): Promise<{ verdict: Record<string, unknown>; stderr: string }> {
	const file = path.join(dir, `proposal-${proposals}.json`);
	fs.writeFileSync(file, JSON.stringify(proposalDoc));
	const extra = [...(keyFile ? ['--signing-key-file', keyFile] : []), ...(now ? ['--now', now.toISOString()] : [])];
	const run = await cli('policy', 'check', '--policy', files.policy, '--proposal', file, ...extra, '--json');
	expect(run.code).toBe(0);
	return { verdict: JSON.parse(run.stdout), stderr: run.stderr };
}

function itemFile(item: Record<string, unknown>): string {
	const file = path.join(dir, `item-${proposals}-${Math.random().toString(16).slice(2)}.json`);
	fs.writeFileSync(file, JSON.stringify(item));
	return file;
}

async function signedItem(current = 3, proposed = 12): Promise<{ file: string; item: { proposal: Record<string, unknown>; verdict: Record<string, unknown> } }> {
	const doc = proposal(current, proposed);
	const { verdict } = await check(doc, files.key);
	const item = { proposal: doc, verdict };
	return { file: itemFile(item), item };
}

const kube = (operation: string, item: string, ...more: string[]) => cli('kube', operation, '--item', item, '--kubeconfig', kubeconfig, '--signing-key-file', files.key, ...more);

describe('a signed apply verdict for the live state', () => {
	test('is carried out once: exit 0, the verdict\'s count, a ledger entry; the same item again is refused and changes nothing', async () => {
		const { file, item } = await signedItem();
		expect(item.verdict).toMatchObject({ decision: 'apply', value: 7 });
		// The signature the Policy Gate node makes with the same key (the file's trailing newline is not part of it).
		expect(item.verdict.signature).toEqual(signatureFor(signingKey(KEY), String(item.verdict.verdictHash), String(item.verdict.proposalHash)));
		const run = await kube('scale', file, '--json');
		expect(run.code).toBe(0);
		expect(JSON.parse(run.stdout)).toMatchObject({ operation: 'scale', target: { kind: 'Deployment', namespace: 'shop', name: 'web' }, before: { replicas: 3 }, after: { replicas: 7 }, changed: true, dryRun: false });
		expect(replicas()).toBe(7);
		expect(ledger()).toContain(`${item.verdict.verdictHash}#scale`);

		// The live count is 7 now, not the 3 the verdict judged.
		const again = await kube('scale', file, '--json');
		expect(again.code).toBe(3);
		expect(JSON.parse(again.stdout).error).toMatchObject({ kind: 'refused', message: expect.stringMatching(/has replicas 7 now, but the proposal the verdict judged stated 3/) });
		expect(replicas()).toBe(7);

		// Even with the state put back by hand, the verdict stays spent.
		setReplicas(3);
		const replay = await kube('scale', file);
		expect(replay.code).toBe(3);
		expect(replay.stderr).toMatch(/^kube-ops kube: Refusing to act: this verdict was already carried out \(scale at .* by kube-ops CLI/);
		expect(replay.stderr).toMatch(/\n {2}fix: Evaluate the current state with the Policy Gate again/);
		expect(replicas()).toBe(3);
		expect(ledger().filter((key) => key === `${item.verdict.verdictHash}#scale`)).toHaveLength(1);
	});

	test('without --json prints the change; --dry-run checks everything and neither changes nor spends', async () => {
		const { file, item } = await signedItem();
		const dry = await kube('scale', file, '--dry-run');
		expect(dry).toMatchObject({ code: 0, stdout: 'scale Deployment shop/web: replicas 3 -> replicas 7 (dry run: nothing stored)\n' });
		expect(replicas()).toBe(3);
		expect(ledger()).not.toContain(`${item.verdict.verdictHash}#scale`);
		const real = await kube('scale', file, '--changed-by', 'alice (on call)');
		expect(real).toMatchObject({ code: 0, stdout: 'scale Deployment shop/web: replicas 3 -> replicas 7\n' });
		expect(real.stderr).toMatch(/^warning: HorizontalPodAutoscaler "web" manages/);
		const lease = sandbox.get('leases.coordination.k8s.io', 'shop', 'kube-ops-verdicts');
		expect(lease?.metadata.annotations?.['kube-ops/verdicts-used']).toContain('"by":"alice (on call)"');
	});

	test('hpaBounds raises the HPA\'s floor to the verdict\'s value when the live floor is the stated count', async () => {
		const { file, item } = await signedItem(2, 6);
		const run = await kube('hpaBounds', file, '--json');
		expect(run.code).toBe(0);
		expect(JSON.parse(run.stdout)).toMatchObject({ operation: 'hpaBounds', target: { kind: 'HorizontalPodAutoscaler', name: 'web' }, before: { minReplicas: 2 }, after: { minReplicas: item.verdict.value } });
		expect(hpaMin()).toBe(item.verdict.value);
		expect(ledger()).toContain(`${item.verdict.verdictHash}#hpaBounds`);
	});
});

describe('refused with exit 3, nothing changed', () => {
	test('an unsigned verdict (policy check without --signing-key-file, which says so)', async () => {
		const doc = proposal(3, 12);
		const { verdict, stderr } = await check(doc);
		expect(verdict).toMatchObject({ decision: 'apply', value: 7 });
		expect(verdict.signature).toBeUndefined();
		expect(stderr).toMatch(/the verdict is unsigned \(advisory\): every mutating path .* refuses it; sign it with --signing-key-file/);
		const run = await kube('scale', itemFile({ proposal: doc, verdict }), '--json');
		expect(run.code).toBe(3);
		expect(JSON.parse(run.stdout).error.message).toMatch(/^Refusing to scale: the verdict is not signed/);
		expect(replicas()).toBe(3);
		expect(ledger()).not.toContain(`${verdict.verdictHash}#scale`);
	});

	test('a verdict signed with another key', async () => {
		const doc = proposal(3, 12);
		const { verdict } = await check(doc, files.otherKey);
		const run = await kube('scale', itemFile({ proposal: doc, verdict }));
		expect(run.code).toBe(3);
		expect(run.stderr).toMatch(/^kube-ops kube: Refusing to scale: the verdict was signed with another key \(key id [0-9a-f]{12}; this node has [0-9a-f]{12}\)/);
		expect(replicas()).toBe(3);
	});

	test('a verdict whose value was edited after signing, and one edited and re-hashed', async () => {
		const { item } = await signedItem();
		const edited = await kube('scale', itemFile({ ...item, verdict: { ...item.verdict, value: 15 } }));
		expect(edited.code).toBe(3);
		expect(edited.stderr).toMatch(/^kube-ops kube: Refusing to scale: /);
		const proposalEdited = await kube('scale', itemFile({ ...item, proposal: { ...item.proposal, proposed: { replicas: 15 } } }));
		expect(proposalEdited.code).toBe(3);
		expect(replicas()).toBe(3);
		expect(ledger()).not.toContain(`${item.verdict.verdictHash}#scale`);
	});

	test('live replicas changed since the gate decided: the verdict is not spent', async () => {
		const { file, item } = await signedItem();
		setReplicas(5);
		const run = await kube('scale', file, '--json');
		expect(run.code).toBe(3);
		expect(JSON.parse(run.stdout).error).toMatchObject({ kind: 'refused', message: 'Refusing to act: deployments.apps "web" in namespace "shop" has replicas 5 now, but the proposal the verdict judged stated 3; the state changed since the Policy Gate decided' });
		expect(replicas()).toBe(5);
		expect(ledger()).not.toContain(`${item.verdict.verdictHash}#scale`);
	});

	test('a proposal for another cluster than the context reaches', async () => {
		const { file } = await signedItem();
		const elsewhere = await kube('scale', file, '--cluster-name', 'prod-us-1');
		expect(elsewhere.code).toBe(3);
		expect(elsewhere.stderr).toMatch(/the proposal is for cluster "prod-eu-1", but this credential is for cluster "prod-us-1"/);
		expect(replicas()).toBe(3);
	});

	test('a verdict older than the age limit (default 5 minutes; --max-verdict-age raises it up to an hour)', async () => {
		const doc = proposal(3, 12);
		const { verdict } = await check(doc, files.key, new Date(Date.now() - 600_000));
		const file = itemFile({ proposal: doc, verdict });
		const stale = await kube('scale', file);
		expect(stale.code).toBe(3);
		expect(stale.stderr).toMatch(/^kube-ops kube: Refusing to scale: .*older than/);
		expect(replicas()).toBe(3);
		expect((await kube('scale', file, '--max-verdict-age', '15m')).code).toBe(0);
		expect(replicas()).toBe(7);
	});

	test('a failure that is not a refusal exits 1 and leaves the verdict unspent (no ScaledObject scales web)', async () => {
		const { file, item } = await signedItem();
		const run = await kube('kedaBounds', file);
		expect(run.code).toBe(1);
		expect(run.stderr).toMatch(/^kube-ops kube: No ScaledObject in namespace "shop" targets Deployment "web"/);
		expect(ledger()).not.toContain(`${item.verdict.verdictHash}#kedaBounds`);
	});
});

describe('usage mistakes exit 2 before anything is read from the cluster', () => {
	test('missing, unreadable or short signing keys; a missing item; an unknown operation; an age above the ceiling', async () => {
		const { file } = await signedItem();
		const noKey = await cli('kube', 'scale', '--item', file, '--kubeconfig', kubeconfig);
		expect(noKey.code).toBe(2);
		expect(noKey.stderr).toMatch(/^kube-ops kube: --signing-key-file is required/);
		const missing = await cli('kube', 'scale', '--item', file, '--kubeconfig', kubeconfig, '--signing-key-file', path.join(dir, 'nope'));
		expect(missing.code).toBe(2);
		expect(missing.stderr).toMatch(/^kube-ops kube: --signing-key-file: Cannot read the signing key file .*nope: no such file/);
		const short = await cli('kube', 'scale', '--item', file, '--kubeconfig', kubeconfig, '--signing-key-file', files.shortKey);
		expect(short.code).toBe(2);
		expect(short.stderr).toMatch(/^kube-ops kube: --signing-key-file .*short-key: The signing key has 9 characters; at least 32 are needed/);
		const policyShort = await cli('policy', 'check', '--policy', files.policy, '--proposal', file, '--signing-key-file', files.shortKey, '--json');
		expect(policyShort.code).toBe(2);
		expect(policyShort.stdout).toBe('');
		expect((await kube('scale', path.join(dir, 'no-item.json'))).stderr).toMatch(/--item: Cannot read the item file .*no-item\.json: no such file/);
		expect((await kube('patch', file)).code).toBe(2);
		const tooOld = await kube('scale', file, '--max-verdict-age', '2h');
		expect(tooOld.code).toBe(2);
		expect(tooOld.stderr).toMatch(/--max-verdict-age 2h: Set Max Verdict Age between 1 and 3600 seconds/);
		expect(replicas()).toBe(3);
	});
});
