import type { RunningN8n } from '../n8n';

/** Just enough of n8n's execution record to see what each node did. */
export interface NodeRun {
	startTime: number;
	executionTime: number;
	error?: { message?: string; description?: string };
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

export interface Execution {
	id: string;
	status: string;
	mode: string;
	startedAt: string;
	stoppedAt?: string;
	workflowId: string;
	data?: { resultData: { runData: Record<string, NodeRun[]>; error?: { message?: string }; lastNodeExecuted?: string } };
}

export function runsOf(execution: Execution, node: string): NodeRun[] {
	return execution.data?.resultData.runData[node] ?? [];
}

/** Items a node sent on one output, over all its runs in this execution. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function itemsOf(execution: Execution, node: string, output = 0): Array<Record<string, any>> {
	return runsOf(execution, node).flatMap((run) => (run.data?.main?.[output] ?? []).map((item) => item.json));
}

export function ran(execution: Execution, node: string): boolean {
	return runsOf(execution, node).length > 0;
}

/** When a node finished its first run (ms since epoch). */
export function finishedAt(execution: Execution, node: string): number | undefined {
	const run = runsOf(execution, node)[0];
	return run ? run.startTime + run.executionTime : undefined;
}

export async function executionsOf(n8n: RunningN8n, workflowId: string): Promise<Execution[]> {
	const page = await n8n.api<{ data: Execution[] }>('GET', `/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=true&limit=100`);
	return page.data.filter((e) => e.status !== 'running' && e.status !== 'new' && e.status !== 'waiting');
}

/** Items the Policy Gate sent on its outputs (0 Apply, 1 Needs Approval, 2 Hold / Reject). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function gateItems(execution: Execution, outputs = [0, 1, 2]): Array<Record<string, any>> {
	return outputs.flatMap((output) => itemsOf(execution, 'Policy Gate', output));
}

/** What the Policy Gate said in an execution, for a timeout's report. */
function verdictsOf(execution: Execution): string {
	const verdicts = gateItems(execution).map((item) => item.verdict as { decision?: string; reason?: string } | undefined);
	const said = verdicts.filter((v) => v !== undefined).map((v) => `${v?.decision}: ${String(v?.reason).slice(0, 160)}`);
	return said.length > 0 ? ` [gate: ${said.join(' | ')}]` : '';
}

/** The first step that failed in an execution (a node error or an item carrying one), for a timeout's report. */
export function firstFailure(execution: Execution): string {
	for (const [node, runs] of Object.entries(execution.data?.resultData.runData ?? {})) {
		for (const run of runs) {
			if (run.error?.message) return ` [${node} failed: ${run.error.message}]`;
			const item = (run.data?.main ?? []).flatMap((output) => output ?? []).find((i) => typeof i.json.error === 'string');
			if (item) return ` [${node}: ${String(item.json.error).slice(0, 300)}]`;
		}
	}
	return '';
}

/** Polls n8n's executions of a workflow until `done` finds what it waits for. */
export async function waitForExecutions<T>(
	n8n: RunningN8n,
	workflowId: string,
	done: (executions: Execution[]) => T | undefined,
	what: string,
	timeoutMs = 60_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: Execution[] = [];
	while (Date.now() < deadline) {
		last = await executionsOf(n8n, workflowId);
		const found = done(last);
		if (found !== undefined) return found;
		await new Promise((r) => setTimeout(r, 500));
	}
	const summary = last.slice(0, 5).map((e) => `#${e.id} ${e.status} last node "${e.data?.resultData.lastNodeExecuted ?? '?'}"${e.data?.resultData.error?.message ? `: ${e.data.resultData.error.message}` : ''}${verdictsOf(e)}${firstFailure(e)}`);
	throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; latest executions: ${summary.join('; ') || 'none'}`);
}
