import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT } from '../harness/built';
import { type RenderedNode, openEditor } from '../sandbox/editor';
import { type ApprovalObservation, type CanaryObservation, type FailoverApprovalObservation, type FailoverObservation, type LoopsStack, type PreScalingObservation, PROMETHEUS_URL_PASSWORD, canary, cluster, executionsOf, failover, failoverApproval, itemsOf, preScaling, preScalingApproval, startLoopsStack, waitForExecutions } from '../sandbox/loops';
import { type LoopName, WORKFLOW_FILES } from '../sandbox/loops/workflows';
import { waitUntil } from '../sandbox/processes';
import { CLUSTERS } from '../sandbox/stack';

/**
 * The shipped workflows, end to end: a real n8n 2.x with the package from its
 * tarball and the files in workflows/ imported with n8n's CLI and published;
 * real Prometheus (real history plus live scrapes), real Alertmanager posting
 * to the real webhooks, real HAProxy with traffic, and the Kubernetes sandbox
 * with two regions and a control cluster.
 */

let loops: LoopsStack;
const lines: string[] = [];
const log = (line: string) => lines.push(line);
const ctx = () => ({ n8n: loops.n8n, stack: loops.stack, workflows: loops.workflows, log });

beforeAll(async () => {
	loops = await startLoopsStack(ROOT, Math.floor(Date.now() / 1000), log);
}, 900_000);

afterAll(async () => {
	await loops?.stop();
});

afterEach(() => {
	// What the scenario saw, for a failing test's report.
	if (lines.length > 0) process.stdout.write(lines.splice(0).join('\n') + '\n');
});

describe('bad input at the Alertmanager webhook', () => {
	test('unauthenticated and malformed posts are refused and change nothing', async () => {
		const url = loops.workflows.webhooks.failover;
		const before = (await executionsOf(loops.n8n, loops.workflows.ids.failover)).length;
		const payload = { version: '4', status: 'firing', receiver: 'x', groupKey: '{}:{alertname="RegionDown"}', truncatedAlerts: 0, groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://127.0.0.1:1', alerts: [] };
		const post = (body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
		const noAuth = await post(JSON.stringify(payload), {});
		const wrongToken = await post(JSON.stringify(payload), { authorization: 'Bearer not-the-token' });
		const broken = await post('{"version": "4", "alerts": [', { authorization: `Bearer ${loops.webhookToken}` });
		const emptyAlerts = await post(JSON.stringify(payload), { authorization: `Bearer ${loops.webhookToken}` });
		expect([noAuth.status, wrongToken.status]).toEqual([401, 401]);
		// n8n parses a JSON body before any node sees it, and answers 422 itself (README: Alertmanager Trigger node).
		expect(broken.status).toBe(422);
		expect(emptyAlerts.status).toBe(400);
		expect(((await emptyAlerts.json()) as { reason: string }).reason).toMatch(/alerts/);
		// Alert content is data: a label that would rewrite the PromQL, a namespace that would drop a path segment,
		// and duplicate keys are all refused before any execution starts.
		const alert = { status: 'firing', labels: { alertname: 'RegionDown', region: 'us-east', service: 'checkout' }, annotations: {}, startsAt: '2026-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'f00d' };
		const auth = { authorization: `Bearer ${loops.webhookToken}` };
		const injected = await post(JSON.stringify({ ...payload, alerts: [{ ...alert, labels: { ...alert.labels, service: 'checkout"} or vector(1) or x{a="' } }] }), auth);
		const dotdot = await post(JSON.stringify({ ...payload, alerts: [{ ...alert, labels: { ...alert.labels, namespace: '..' } }] }), auth);
		const duplicated = await post(JSON.stringify({ ...payload, alerts: [alert] }).replace('"status":"firing"', '"status":"resolved","status":"firing"'), auth);
		expect([injected.status, dotdot.status, duplicated.status]).toEqual([400, 400, 400]);
		expect(((await injected.json()) as { reason: string }).reason).toMatch(/^alerts\[0\]\.labels\.service: label "service" is .*not a Kubernetes DNS-1123 label/);
		expect(((await dotdot.json()) as { reason: string }).reason).toMatch(/^alerts\[0\]\.labels\.namespace:/);
		expect(((await duplicated.json()) as { reason: string }).reason).toMatch(/duplicate key "status"/);
		await new Promise((r) => setTimeout(r, 1000));
		expect((await executionsOf(loops.n8n, loops.workflows.ids.failover)).length).toBe(before);
		const east = await loops.stack.haproxy.serverState('us-east');
		expect(east?.draining).toBe(false);
		expect(cluster(loops.stack, 'us-west').deployment('checkout')?.spec?.replicas).toBe(2);
	}, 60_000);
});

describe('predictive pre-scaling', () => {
	let seen: PreScalingObservation;
	beforeAll(async () => {
		seen = await preScaling(ctx());
	}, 300_000);

	test('the forecast proposes a higher floor, the gate applies it, and the HPA floor is raised with the Deployment Ready', () => {
		expect(seen.first.output).toBe('apply');
		expect(seen.first.proposal?.source).toBe('forecast');
		expect(seen.first.proposal?.current.replicas).toBe(seen.minReplicasBefore);
		expect(seen.first.proposal?.proposed.replicas).toBeGreaterThan(seen.minReplicasBefore);
		expect(seen.first.proposal?.evidence.backtest.mape).toBeLessThan(0.25);
		expect(seen.first.verdict?.value).toBeGreaterThan(seen.minReplicasBefore);
		expect(seen.first.minReplicasAfter).toBe(seen.first.verdict?.value);
		expect(seen.first.readyReplicasAfter).toBeGreaterThanOrEqual(seen.first.verdict?.value);
	});

	test('the decision is an Event on the workload and the loop state is on the Lease', () => {
		const reasons = seen.events.map((e) => e.reason);
		expect(reasons).toContain('ScaleApplied');
		expect(typeof seen.leaseState.lastActionAt).toBe('string');
	});

	test('a second run inside the cooldown holds and changes nothing', () => {
		expect(seen.second.output).toBe('hold');
		expect(seen.second.verdict?.decidedBy).toBe('cooldown');
		expect(seen.second.minReplicasAfter).toBe(seen.first.minReplicasAfter);
	});
});

describe('pre-scaling approval', () => {
	let seen: ApprovalObservation;
	beforeAll(async () => {
		seen = await preScalingApproval(ctx());
	}, 300_000);

	test('a floor 4x the current one asks a person, with a signed approve verdict and its deadline', () => {
		expect(seen.asked.verdict).toMatchObject({ decision: 'approve', decidedBy: 'approval.factor', approvalDeadline: expect.any(String), signature: { alg: 'HMAC-SHA256' } });
		expect(seen.asked.approvalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook-waiting\//);
	});

	test('an unauthenticated approval is refused and changes nothing', () => {
		expect([401, 403]).toContain(seen.unauthenticated.status);
		expect(seen.unauthenticated.minReplicasAfter).toBe(1);
	});

	test('an approval that arrives after the workload changed is held by the gate, recorded, and moves nothing', () => {
		expect(seen.afterChange.gateVerdict).toMatchObject({ decision: 'hold', decidedBy: 'approval' });
		expect(seen.afterChange.recorded).toBe(true);
		expect(seen.afterChange.minReplicasAfter).toBe(2);
	});

	test('an authenticated approval of the unchanged state is carried out, naming the authenticated approver (not the body\'s)', () => {
		expect(seen.approved.gateVerdict).toMatchObject({ decision: 'apply', approvedBy: { by: 'alice' } });
		expect(seen.approved.minReplicasAfter).toBe(seen.approved.gateVerdict?.value);
		expect(seen.approved.minReplicasAfter).toBeGreaterThanOrEqual(4);
		expect(seen.approved.eventReasons).toContain('ScaleApplied');
	});
});

describe('canary rollback', () => {
	let seen: CanaryObservation;
	beforeAll(async () => {
		seen = await canary(ctx());
	}, 300_000);

	test('a regressed canary is taken out of traffic and scaled to 0', () => {
		expect(seen.verdict).toMatchObject({ decision: 'apply', action: 'rollback', value: 'rollback' });
		expect(seen.canaryWeight).toBe('0');
		expect(seen.canaryReplicas).toBe(0);
		expect(seen.events.some((e) => e.involvedObject?.name === 'checkout-canary' && /RolledBack/.test(e.reason))).toBe(true);
	});

	test('a canary with no traffic holds: nothing rolled back', () => {
		expect(seen.search.verdict.decision).toBe('hold');
		expect(seen.search.replicas).toBe(1);
		expect(seen.search.weight).toBe(seen.search.weightBefore);
	});
});

describe('Alertmanager-driven failover', () => {
	let seen: FailoverObservation;
	beforeAll(async () => {
		seen = await failover(ctx(), { interruptFirst: true });
	}, 600_000);

	test('a failure after the scale-up and before the drain leaves traffic where it was and is recorded', () => {
		expect(seen.interrupted?.eastDrainedAfter).toBe(false);
		expect(seen.interrupted?.consecutiveErrors).toBe(1);
		expect(seen.interrupted?.eventReasons.some((r) => /Failed$/.test(r))).toBe(true);
	});

	test('RegionDown for us-east: us-west is scaled and Ready before us-east is drained in HAProxy', () => {
		expect(seen.proposal).toMatchObject({ action: 'failover', from: 'us-east', to: 'us-west', source: 'alert' });
		expect(seen.verdict).toMatchObject({ decision: 'apply', value: 'us-west' });
		expect(seen.westReplicasAtDrain.spec).toBeGreaterThan(2);
		expect(seen.westReplicasAtDrain.ready).toBe(seen.westReplicasAtDrain.spec);
		expect(seen.westReadyBeforeDrain).toBe(true);
		expect(seen.eastDrained).toBe(true);
	});

	test('repeated notifications do nothing twice', () => {
		expect(seen.repeats.executions).toBeGreaterThanOrEqual(2);
		expect(seen.repeats.acted).toBe(0);
	});

	test('after the alert resolves and the dwell passes, traffic fails back to us-east', () => {
		expect(seen.failback?.verdict).toMatchObject({ decision: 'apply', action: 'failback', value: 'us-east' });
		expect(seen.failback?.eastServing).toBe(true);
		expect(seen.failback?.trafficToEast).toBeGreaterThan(0);
	});

	test('each move is a decision Event, and the state on the Lease counts the flips', () => {
		const reasons = seen.events.map((e) => e.reason);
		expect(reasons.some((r) => /Failover/.test(r))).toBe(true);
		expect(reasons.some((r) => /Failback/.test(r))).toBe(true);
		expect(seen.leaseState.flipTimes).toHaveLength(2);
	});
});

describe('an approved failover', () => {
	let seen: FailoverApprovalObservation;
	beforeAll(async () => {
		seen = await failoverApproval(ctx());
	}, 300_000);

	test('a RegionDown for a region that looks healthy asks a person instead of moving traffic', () => {
		expect(seen.asked.verdict).toMatchObject({ decision: 'approve', action: 'failover', decidedBy: 'failover.fromUnhealthy', signature: { alg: 'HMAC-SHA256' } });
	});

	test('Alertmanager\'s repeats of the alert meanwhile are judged again but ask nobody: one run waits for the person', () => {
		expect(seen.repeats.verdict).toMatchObject({ decision: 'approve', decidedBy: 'failover.fromUnhealthy' });
		expect(seen.repeats.asked).toBe(0);
		expect(seen.repeats.waitingRuns).toBe(1);
	});

	test('approved through the authenticated link, the gate judges the fresh proposal with the approval and the drain is carried out', () => {
		expect(seen.approved.failure).toBe('');
		expect(seen.approved.gateVerdict).toMatchObject({ decision: 'apply', value: 'us-west', approvedBy: { by: 'alice' }, scope: { drain: { server: 'us-east' } } });
		expect(seen.approved.eastDrained).toBe(true);
		expect(seen.approved.westReplicas).toBeGreaterThanOrEqual(seen.approved.gateVerdict?.scope?.scaleTo);
	});
});

describe('the workflows in the n8n editor, in a real browser', () => {
	// KUBE_OPS_SCREENSHOTS=docs/images refreshes the pictures the README shows.
	const shots = process.env.KUBE_OPS_SCREENSHOTS ? path.resolve(process.env.KUBE_OPS_SCREENSHOTS) : fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-editor-'));
	const rendered: Partial<Record<LoopName, RenderedNode[]>> = {};
	beforeAll(async () => {
		const editor = await openEditor(loops.n8n);
		try {
			for (const loop of Object.keys(WORKFLOW_FILES) as LoopName[]) {
				rendered[loop] = await editor.open(loops.workflows.ids[loop]);
				await editor.screenshot(path.join(shots, `${loop}.png`));
			}
		} finally {
			await editor.close();
		}
	}, 300_000);

	test.each(Object.keys(WORKFLOW_FILES) as LoopName[])('%s: every node renders as an installed node with its icon', async (loop) => {
		const file = JSON.parse(fs.readFileSync(path.join(ROOT, 'workflows', WORKFLOW_FILES[loop]), 'utf8')) as { nodes: { name: string; type: string }[] };
		const nodes = rendered[loop] ?? [];
		// Sticky notes are drawn apart from the nodes.
		const shipped = file.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
		expect(nodes.map((node) => node.name).sort()).toEqual(shipped.map((node) => node.name).sort());
		expect(nodes.filter((node) => node.notInstalled).map((node) => `${node.name} (${node.type})`)).toEqual([]);
		// Each of our nodes shows an image, and n8n serves it as the SVG the package ships.
		const ours = nodes.filter((node) => node.type.startsWith('n8n-nodes-kube-ops.'));
		expect(ours.length).toBeGreaterThan(0);
		expect(ours.filter((node) => node.icon === null).map((node) => node.name)).toEqual([]);
		for (const icon of new Set(ours.map((node) => String(node.icon)))) {
			const response = await fetch(icon);
			expect([icon, response.status, (await response.text()).trimStart().slice(0, 4)]).toEqual([icon, 200, '<svg']);
		}
		expect(ours.some((node) => node.iconLoaded === true)).toBe(true);
		expect(fs.statSync(path.join(shots, `${loop}.png`)).size).toBeGreaterThan(10_000);
	});
});

// Last: it stops Prometheus.
describe('secrets stay out of Events', () => {
	test('with Prometheus unreachable and a password in its URL, the canary loop holds; the error, the verdict and the Event never show the password', async () => {
		const id = loops.workflows.ids.canary;
		const seen = new Set((await executionsOf(loops.n8n, id)).map((e) => e.id));
		const east = cluster(loops.stack, 'us-east');
		const eventsBefore = new Set(east.events().map((e) => String(e.metadata?.name)));
		await loops.stack.prometheus.local.stop();
		const failed = await waitForExecutions(loops.n8n, id, (list) => list.find((e) => !seen.has(e.id) && itemsOf(e, 'Canary vs stable').some((item) => item.error !== undefined)), 'a canary run whose Prometheus query failed', 150_000);
		const queryError = String(itemsOf(failed, 'Canary vs stable').find((item) => item.error !== undefined)?.error);
		expect(queryError).toMatch(/Cannot reach Prometheus at http:\/\/kube-ops:\[redacted[^\]]*\]@127\.0\.0\.1:\d+/);
		// Everything the execution kept: every node's items, the verdict and its reason.
		expect(JSON.stringify(failed.data)).not.toContain(PROMETHEUS_URL_PASSWORD);
		const verdicts = [0, 1, 2].flatMap((output) => itemsOf(failed, 'Policy Gate', output)).map((item) => item.verdict);
		expect(verdicts.length).toBeGreaterThan(0);
		expect(JSON.stringify(verdicts)).toMatch(/Cannot reach Prometheus/);
		await waitUntil(async () => east.events().some((e) => !eventsBefore.has(String(e.metadata?.name)) && /Cannot reach Prometheus/.test(String(e.message))), 'the held canary decision as an Event naming the failure', 90_000);
		const everything = JSON.stringify(CLUSTERS.map((name) => cluster(loops.stack, name).events()));
		expect(everything).not.toContain(PROMETHEUS_URL_PASSWORD);
	}, 300_000);
});
