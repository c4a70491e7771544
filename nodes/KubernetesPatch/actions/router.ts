import { type IDataObject, type IExecuteFunctions, type INodeExecutionData, NodeOperationError } from 'n8n-workflow';

import {
	type ChangeOptions,
	type KubeConnection,
	type KubeOperation,
	type KubernetesCredentialFields,
	KubeClient,
	KubeError,
	admitKubeItem,
	auditFor,
	connectionFromCredential,
	kubeVerdictAge,
	spendingVerdict,
} from '../../../src/kubernetes';
import { MAX_VERDICT_AGE_SECONDS } from '../../../src/admission';
import { gateFieldsOf } from '../../../src/policy';
import { signingKeysOf } from '../../shared/signingKey';
import { annotate } from './annotate';
import { canaryWeight } from './canaryWeight';
import { type Action, type ActionContext, MUTATING, asData } from './common';
import { hpaBounds } from './hpaBounds';
import { type ItemAction, type ItemOperation, runItemAction } from './itemAction';
import { kedaBounds } from './kedaBounds';
import { lock } from './lock';
import { patch } from './patch';
import { read } from './read';
import { recordDecision } from './recordDecision';
import { rolloutUndo } from './rolloutUndo';
import { scale } from './scale';
import { waitReady } from './waitReady';

export const actions: Record<KubeOperation, Action> = { scale, hpaBounds, kedaBounds, patch, rolloutUndo, canaryWeight, annotate, waitReady };
export const itemActions: Record<ItemOperation, ItemAction> = { lock, recordDecision, read };

/** Operations whose items run side by side (read-only), and how many at once (each holds one API poll loop). */
const CONCURRENT: KubeOperation[] = ['waitReady'];
const MAX_CONCURRENT_ITEMS = 16;


/**
 * Max Verdict Age guards acting on a judgement of a past moment. Wait for Ready
 * acts on nothing: unless set on it, it accepts the verdict for the hour any
 * verdict is honoured, so a batch whose changes took longer than the default
 * five minutes (50 workloads on a slow API server) is still waited for, and
 * recorded as applied instead of failed.
 */
function verdictAgeFor(operation: KubeOperation, option: unknown): number {
	const unset = option === undefined || option === null || option === '';
	return operation === 'waitReady' && unset ? MAX_VERDICT_AGE_SECONDS : kubeVerdictAge(option);
}

/** The fix and the API server's own words, for the error's description in the n8n UI. */
export function describeFailure(error: KubeError): string {
	return [
		`Fix: ${error.fix}`,
		error.details.serverMessage ? `Kubernetes said: ${error.details.serverMessage}` : undefined,
		error.details.httpStatus ? `HTTP status: ${error.details.httpStatus}${error.details.reason ? ` (${error.details.reason})` : ''}` : undefined,
		error.details.attempts ? `Attempts: ${error.details.attempts}` : undefined,
	]
		.filter(Boolean)
		.join('\n');
}

function actorOf(fn: IExecuteFunctions, override: string): string {
	if (override) return override;
	const workflow = fn.getWorkflow();
	return `n8n workflow "${workflow.name ?? ''}" (id ${workflow.id ?? '?'}), execution ${fn.getExecutionId() ?? '?'}`;
}

/**
 * Runs the node's operation on every item: checks the item's proposal and
 * verdict (if any) against the gate rule, then hands over to the action.
 * Proposal, verdict and decision travel on, so a later node (Wait for
 * Ready, Load Balancer Drain) can check the same verdict again.
 */
export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const chosen = this.getNodeParameter('operation', 0) as KubeOperation | ItemOperation;
	if (chosen in itemActions) return runItemAction.call(this, itemActions[chosen as ItemOperation], chosen as ItemOperation, describeFailure);
	const operation = chosen as KubeOperation;
	const action = actions[operation];
	const out: INodeExecutionData[] = [];
	const hints = new Set<string>();
	let connection: KubeConnection | undefined;
	let client: KubeClient | undefined;
	let setupError: unknown;
	let keys: Awaited<ReturnType<typeof signingKeysOf>>;
	try {
		connection = connectionFromCredential((await this.getCredentials('kubernetesApi')) as KubernetesCredentialFields);
		client = new KubeClient(connection);
		keys = await signingKeysOf(this);
	} catch (error) {
		setupError = error;
	}
	// Waiting for Ready changes nothing: it checks a verdict when the item has one, and needs none otherwise.
	const requireVerdict = MUTATING.includes(operation) && this.getNodeParameter('requireVerdict', 0, true) !== false;

	const runItem = async (itemIndex: number): Promise<INodeExecutionData> => {
		const json = items[itemIndex].json;
		const pairedItem = { item: itemIndex };
		const passthrough = gateFieldsOf(json) as IDataObject;
		try {
			if (setupError || !client || !connection) throw setupError;
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			const { gated, notes } = admitKubeItem(json, {
				operation,
				requireVerdict,
				keys: keys?.verify ?? [],
				maxAgeSeconds: verdictAgeFor(operation, options.maxVerdictAgeSeconds),
				now: new Date(),
				clusterName: connection.clusterName,
			});
			const actor = actorOf(this, String(options.changedBy ?? '').trim());
			const audit = auditFor(gated, actor, `n8n/${this.getWorkflow().id ?? 'workflow'}`);
			const maxAttempts = options.maxAttempts === undefined ? undefined : Math.max(1, Number(options.maxAttempts));
			const ledger = client;
			// Scale and the bounds go through carryOut, which claims the verdict itself; the other operations get the claim here.
			const changeOptions = (dryRun: boolean): ChangeOptions => spendingVerdict(ledger, gated, { dryRun, audit, maxAttempts }, actor);
			const carryOutOptions = (dryRun: boolean) => ({ dryRun, audit, maxAttempts, by: actor });
			const ctx: ActionContext = { fn: this, itemIndex, client, gated, changeOptions, carryOutOptions };
			const result = asData(await action.execute(ctx));
			const warnings = [...((result.warnings as string[] | undefined) ?? []), ...notes, ...(connection.insecure ? [connection.insecure] : [])];
			warnings.forEach((w) => hints.add(w));
			return {
				json: {
					...result,
					target: { ...(result.target as IDataObject), ...(connection.clusterName ? { cluster: connection.clusterName } : {}) },
					warnings,
					decisionId: gated?.decision?.id ?? null,
					...passthrough,
				},
				pairedItem,
			};
		} catch (error) {
			const kube = error instanceof KubeError ? error : undefined;
			const nodeError =
				error instanceof NodeOperationError
					? error
					: new NodeOperationError(this.getNode(), error as Error, {
							itemIndex,
							message: (error as Error).message,
							description: kube ? describeFailure(kube) : undefined,
						});
			if (!this.continueOnFail()) throw nodeError;
			return {
				json: {
					operation,
					error: nodeError.message,
					errorKind: kube?.kind ?? 'error',
					...(kube ? { fix: kube.fix, httpStatus: kube.details.httpStatus ?? null, kubernetesMessage: kube.details.serverMessage ?? null } : {}),
					...passthrough,
				},
				pairedItem,
			};
		}
	};
	if (CONCURRENT.includes(operation)) {
		// Waiting only reads: the items wait side by side. One after another, a pre-scaling run for 50 workloads
		// waited 50 times in a row (minutes on n8n's queue mode). Outputs keep the input order; with Continue On
		// Fail off, the first failing item in that order fails the node, as it would one by one.
		const settled: Array<{ ok: true; data: INodeExecutionData } | { ok: false; error: unknown }> = new Array(items.length);
		let next = 0;
		const lane = async () => {
			while (next < items.length) {
				const index = next++;
				settled[index] = await runItem(index).then(
					(data) => ({ ok: true as const, data }),
					(error: unknown) => ({ ok: false as const, error }),
				);
			}
		};
		await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_ITEMS, items.length) }, lane));
		for (const result of settled) {
			if (!result.ok) throw result.error;
			out.push(result.data);
		}
	} else {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) out.push(await runItem(itemIndex));
	}
	if (hints.size > 0) this.addExecutionHints(...[...hints].map((message) => ({ message, type: 'warning' as const, location: 'outputPane' as const })));
	return [out];
}
