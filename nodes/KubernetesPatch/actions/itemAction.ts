import { randomUUID } from 'node:crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { type KubernetesCredentialFields, KubeClient, KubeError, connectionFromCredential } from '../../../src/kubernetes';
import type { SigningKey } from '../../../src/policy';
import { textParameter } from '../../shared/parameters';
import { forEachItem } from '../../shared/perItem';
import { signingKeysOf } from '../../shared/signingKey';
import { describeFailure, failureFields } from './common';

/**
 * Operations that add to the item instead of describing a change: the lock
 * with the loop's state, the decision record at the end of a run, a read of
 * a workload. The item goes on whole (the workflow routes on what they add),
 * and they never demand an apply verdict: they run on every branch of a loop.
 */
export type ItemOperation = 'lock' | 'recordDecision' | 'read';

export const ITEM_OPERATIONS: ItemOperation[] = ['lock', 'recordDecision', 'read'];

export interface ItemContext {
	fn: IExecuteFunctions;
	itemIndex: number;
	json: IDataObject;
	client: KubeClient;
	/** This execution's identity on a Lease: `n8n/<workflow id>/<execution id>`. */
	holder: string;
	reportingInstance: string;
	/** Lives for one run of the node, across its items (e.g. two items asking for one Lease). */
	shared: Map<string, unknown>;
	/** Set when verdicts must be signed (Require Policy Gate Verdict on): the keys to check them with. */
	verifyKeys?: SigningKey[];
}

export interface ItemResult {
	/** Merged into the item's json. */
	fields: IDataObject;
	warnings?: string[];
}

export interface ItemAction {
	description: INodeProperties[];
	execute: (ctx: ItemContext) => Promise<ItemResult>;
}

export function itemParam<T>(ctx: ItemContext, name: string, fallback: T): T {
	return ctx.fn.getNodeParameter(name, ctx.itemIndex, fallback) as T;
}

export function itemText(ctx: ItemContext, name: string): string {
	return textParameter(ctx.fn, name, ctx.itemIndex);
}

export function requiredText(ctx: ItemContext, name: string, label: string): string {
	const value = itemText(ctx, name);
	if (!value) throw new KubeError('invalid', `${label} is empty`, `Set ${label} (an expression such as {{ $json.… }} works).`);
	return value;
}

function holderOf(fn: IExecuteFunctions): string {
	// Without an execution id (unsaved manual runs in some n8n versions) a random one keeps two runs apart.
	return `n8n/${fn.getWorkflow().id ?? 'unsaved'}/${fn.getExecutionId() ?? randomUUID()}`;
}

export async function runItemAction(this: IExecuteFunctions, action: ItemAction, operation: ItemOperation): Promise<INodeExecutionData[][]> {
	const shared = new Map<string, unknown>();
	const holder = holderOf(this);
	const reportingInstance = `n8n/${this.getWorkflow().id ?? 'workflow'}`;
	let client: KubeClient | undefined;
	let setupError: unknown;
	let verifyKeys: SigningKey[] | undefined;
	try {
		client = new KubeClient(connectionFromCredential((await this.getCredentials('kubeOpsKubernetesApi')) as KubernetesCredentialFields));
		if (operation === 'recordDecision' && this.getNodeParameter('requireVerdict', 0, true) !== false) verifyKeys = (await signingKeysOf(this))?.verify ?? [];
	} catch (error) {
		setupError = error;
	}
	return forEachItem(
		this,
		async ({ itemIndex, item, emit, hint }) => {
			const json = item.json;
			if (setupError || !client) throw setupError;
			const result = await action.execute({ fn: this, itemIndex, json, client, holder, reportingInstance, shared, verifyKeys });
			[...(result.warnings ?? []), ...(client.connection.insecure ? [client.connection.insecure] : [])].forEach(hint);
			emit({ ...json, ...result.fields });
		},
		{ describe: describeFailure, failedItem: (failure) => ({ ...failure.item.json, ...failureFields(operation, failure) }) },
	);
}
