import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	type ChangeOptions,
	type KubeConnection,
	type KubeOperation,
	type KubernetesCredentialFields,
	KubeClient,
	admitKubeItem,
	auditFor,
	connectionFromCredential,
	kubeVerdictAge,
	spendingVerdict,
} from '../../../src/kubernetes';
import { MAX_VERDICT_AGE_SECONDS } from '../../../src/admission';
import { gateFieldsOf } from '../../../src/policy';
import { forEachItem } from '../../shared/perItem';
import { signingKeysOf } from '../../shared/signingKey';
import { annotate } from './annotate';
import { canaryWeight } from './canaryWeight';
import { type Action, type ActionContext, MUTATING, asData, describeFailure, failureFields } from './common';
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
	const chosen = this.getNodeParameter('operation', 0) as KubeOperation | ItemOperation;
	if (chosen in itemActions) return runItemAction.call(this, itemActions[chosen as ItemOperation], chosen as ItemOperation);
	const operation = chosen as KubeOperation;
	const action = actions[operation];
	let connection: KubeConnection | undefined;
	let client: KubeClient | undefined;
	let setupError: unknown;
	let keys: Awaited<ReturnType<typeof signingKeysOf>>;
	try {
		connection = connectionFromCredential((await this.getCredentials('kubeOpsKubernetesApi')) as KubernetesCredentialFields);
		client = new KubeClient(connection);
		keys = await signingKeysOf(this);
	} catch (error) {
		setupError = error;
	}
	// Waiting for Ready changes nothing: it checks a verdict when the item has one, and needs none otherwise.
	const requireVerdict = MUTATING.includes(operation) && this.getNodeParameter('requireVerdict', 0, true) !== false;

	return forEachItem(
		this,
		async ({ itemIndex, item, emit, hint }) => {
			const json = item.json;
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
			warnings.forEach(hint);
			emit({
				...result,
				target: { ...(result.target as IDataObject), ...(connection.clusterName ? { cluster: connection.clusterName } : {}) },
				warnings,
				decisionId: gated?.decision?.id ?? null,
				...(gateFieldsOf(json) as IDataObject),
			});
		},
		{
			describe: describeFailure,
			failedItem: (failure) => ({ ...failureFields(operation, failure), ...(gateFieldsOf(failure.item.json) as IDataObject) }),
			// Waiting only reads: the items wait side by side. One after another, a pre-scaling run for 50 workloads
			// waited 50 times in a row (minutes on n8n's queue mode).
			concurrency: CONCURRENT.includes(operation) ? MAX_CONCURRENT_ITEMS : 1,
		},
	);
}
