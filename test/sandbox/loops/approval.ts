import { type Execution, firstFailure, itemsOf } from './executions';
import { type LoopsContext, cluster, leaseState, setHpaFloor } from './scenarios';
import { SANDBOX_APPROVER } from './workflows';

/**
 * The pre-scaling loop's approval path in the real n8n: a floor too far
 * above the current one goes to a person; the resume link answers only to
 * the Approvers credential; the approved branch reads the HPA again and
 * re-runs the Policy Gate with the approval before anything moves.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ApprovalObservation {
	asked: { verdict: Json; approvalUrl: string };
	unauthenticated: { status: number; minReplicasAfter: number };
	afterChange: { gateVerdict: Json | undefined; minReplicasAfter: number; recorded: boolean; failure: string };
	approved: { gateVerdict: Json | undefined; minReplicasAfter: number; eventReasons: string[]; failure: string };
}

const PRESCALE_LEASE = 'kube-ops-prescale-checkout';

async function executions(ctx: LoopsContext, status: string): Promise<Execution[]> {
	const id = ctx.workflows.ids.prescaling;
	const page = await ctx.n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${encodeURIComponent(id)}&status=${status}&includeData=true&limit=50`);
	return page.data;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const found = await probe();
		if (found !== undefined) return found;
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

function setFloor(ctx: LoopsContext, minReplicas: number): void {
	setHpaFloor(ctx.stack, minReplicas);
}

function clearLoopState(ctx: LoopsContext): void {
	const api = ctx.stack.kube['us-east'].api;
	if (cluster(ctx.stack, 'us-east').lease(PRESCALE_LEASE)) api.patch(api.def('leases.coordination.k8s.io'), 'shop', PRESCALE_LEASE, 'merge', { metadata: { annotations: { 'kube-ops.io/state': null } } });
}

async function askForApproval(ctx: LoopsContext): Promise<{ execution: Execution; verdict: Json; approvalUrl: string }> {
	const before = new Set((await executions(ctx, 'waiting')).map((e) => e.id));
	await ctx.n8n.cli(['execute', `--id=${ctx.workflows.ids.prescaling}`, '--rawOutput']);
	const execution = await until('a pre-scaling run waiting for approval', async () => (await executions(ctx, 'waiting')).find((e) => !before.has(e.id)));
	const [asked] = itemsOf(execution, 'Ask for approval');
	if (!asked) throw new Error(`the waiting run asked nobody${firstFailure(execution)}`);
	return { execution, verdict: asked.verdict as Json, approvalUrl: String(asked.approvalUrl) };
}

async function approve(url: string, auth?: { user: string; password: string }): Promise<number> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
	return (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ approved: true, by: 'mallory' }) })).status;
}

async function finished(ctx: LoopsContext, id: string): Promise<Execution> {
	return until(`run ${id} to finish after the approval`, async () => {
		// n8n answers the resume before the rest of the run is done.
		const execution = await ctx.n8n.api<Execution>('GET', `/executions/${id}?includeData=true`);
		return execution.status === 'success' || execution.status === 'error' ? execution : undefined;
	});
}

export async function preScalingApproval(ctx: LoopsContext): Promise<ApprovalObservation> {
	const east = cluster(ctx.stack, 'us-east');
	const floor = () => east.hpa('checkout')?.spec?.minReplicas as number;
	clearLoopState(ctx);
	setFloor(ctx, 1);

	// 1. A floor at least 4x the current one asks a person.
	const first = await askForApproval(ctx);
	ctx.log(`  approval asked: ${first.verdict.reason}`);
	const status = await approve(first.approvalUrl);
	const unauthenticated = { status, minReplicasAfter: floor() };

	// 2. The workload moves while the request waits: the approval no longer covers the live state.
	setFloor(ctx, 2);
	await approve(first.approvalUrl, SANDBOX_APPROVER);
	const changedRun = await finished(ctx, first.execution.id);
	const afterChange = {
		gateVerdict: [...itemsOf(changedRun, 'Policy Gate (approved)', 1), ...itemsOf(changedRun, 'Policy Gate (approved)', 2)][0]?.verdict as Json | undefined,
		minReplicasAfter: floor(),
		recorded: itemsOf(changedRun, 'Record: approval not carried out').length > 0,
		failure: firstFailure(changedRun),
	};

	// 3. Asked again on the state as it is, approved by an authenticated person: carried out.
	setFloor(ctx, 1);
	clearLoopState(ctx);
	const second = await askForApproval(ctx);
	await approve(second.approvalUrl, SANDBOX_APPROVER);
	const approvedRun = await finished(ctx, second.execution.id);
	const approved = {
		gateVerdict: itemsOf(approvedRun, 'Policy Gate (approved)', 0)[0]?.verdict as Json | undefined,
		minReplicasAfter: floor(),
		eventReasons: east.events().filter((e) => e.involvedObject?.name === 'checkout').map((e) => String(e.reason)),
		failure: firstFailure(approvedRun),
	};
	ctx.log(`  approval: unauthenticated ${status}, after change ${afterChange.gateVerdict?.decision}${afterChange.failure}, approved ${approved.gateVerdict?.decision}${approved.failure}; lease ${JSON.stringify(leaseState(east.lease(PRESCALE_LEASE)))}`);
	return { asked: { verdict: first.verdict, approvalUrl: first.approvalUrl }, unauthenticated, afterChange, approved };
}

export interface FailoverApprovalObservation {
	asked: { verdict: Json; approvalUrl: string };
	/** Alertmanager's repeats while the move waited: judged again, none asking again. */
	repeats: { verdict: Json; asked: number; waitingRuns: number };
	approved: { gateVerdict: Json | undefined; eastDrained: boolean; westReplicas: number; failure: string };
}

const FAILOVER_LEASE = 'kube-ops-failover-checkout';
const REGION_DOWN_AGAIN = { alertname: 'RegionDown', region: 'us-east', service: 'checkout', namespace: 'shop', severity: 'critical' };

/**
 * A RegionDown for a region whose own signals look healthy: the gate asks a
 * person instead of moving traffic. Approved through the authenticated
 * resume link, the move goes round again (lock, fresh signals, fresh
 * proposal) and the gate, with the approval, lets exactly that move through.
 */
export async function failoverApproval(ctx: LoopsContext): Promise<FailoverApprovalObservation> {
	const { stack } = ctx;
	const id = ctx.workflows.ids.failover;
	const control = stack.kube.control.api;
	// A fresh loop: the earlier scenario's flips would hold this one by the flip rate.
	if (cluster(stack, 'control').lease(FAILOVER_LEASE)) control.patch(control.def('leases.coordination.k8s.io'), 'shop', FAILOVER_LEASE, 'merge', { metadata: { annotations: { 'kube-ops.io/state': null } } });
	const runsBefore = new Set((await ctx.n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${id}&limit=100`)).data.map((e) => e.id));
	const waitingBefore = new Set((await ctx.n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${id}&status=waiting&limit=50`)).data.map((e) => e.id));
	ctx.log('  Alertmanager: RegionDown for us-east, whose own signals are healthy');
	await stack.alertmanager.addAlert(REGION_DOWN_AGAIN, { summary: 'probe failures from one vantage point' });
	const waiting = await until('a failover run waiting for approval', async () => {
		const page = await ctx.n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${id}&status=waiting&includeData=true&limit=50`);
		return page.data.find((e) => !waitingBefore.has(e.id));
	});
	// Alertmanager repeats the notification every 10 s: each repeat is judged again, finds the move waiting for a person and asks nobody.
	const judgedAgain = await until('a repeat of the alert judged again without asking anybody', async () => {
		const page = await ctx.n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${id}&includeData=true&limit=20`);
		const repeats = page.data.filter((e) => !runsBefore.has(e.id) && e.id !== waiting.id && e.status === 'success');
		const repeat = repeats.find((e) => itemsOf(e, 'Record: approval requested').some((i) => (i.record as Json | undefined)?.approvalAlreadyRequested === true));
		return repeat && { verdict: itemsOf(repeat, 'Record: approval requested')[0]?.verdict as Json, asked: itemsOf(repeat, 'Ask for approval').length };
	}, 60_000);
	const waitingRuns = (await ctx.n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${id}&status=waiting&limit=50`)).data.filter((e) => !waitingBefore.has(e.id)).length;
	// Done with repeats: silence the alert so none arrives while the approved run holds the Lease.
	await fetch(`${stack.alertmanager.url}/api/v2/silences`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'RegionDown', isRegex: false, isEqual: true }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString(), createdBy: 'e2e', comment: 'approval under test' }),
	});
	await new Promise((r) => setTimeout(r, 2000));
	const [asked] = itemsOf(waiting, 'Ask for approval');
	if (!asked) throw new Error(`the waiting failover run asked nobody${firstFailure(waiting)}`);
	ctx.log(`  approval asked: ${String((asked.verdict as Json).reason)}`);
	await approve(String(asked.approvalUrl), SANDBOX_APPROVER);
	const run = await finished(ctx, waiting.id);
	const east = await stack.haproxy.serverState('us-east');
	const gateVerdict = itemsOf(run, 'Policy Gate', 0).find((i) => (i.verdict as Json)?.approvedBy)?.verdict as Json | undefined;
	ctx.log(`  approved failover: ${String(gateVerdict?.decision)}${firstFailure(run)}`);
	return {
		asked: { verdict: asked.verdict as Json, approvalUrl: String(asked.approvalUrl) },
		repeats: { ...judgedAgain, waitingRuns },
		approved: { gateVerdict, eastDrained: east?.draining === true, westReplicas: cluster(stack, 'us-west').deployment('checkout')?.spec?.replicas as number, failure: firstFailure(run) },
	};
}
