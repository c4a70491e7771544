import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	type CarryOutOptions,
	type ChangeOptions,
	type ChangeRecord,
	type GatedItem,
	type KubeClient,
	type KubeOperation,
	KubeError,
	type WaitResult,
	requireValue,
	targetApiVersion,
} from '../../../src/kubernetes';
import { textParameter } from '../../shared/parameters';
import type { Failure } from '../../shared/perItem';

/** What every action gets: the client, the item's gate check, and how to build its change options. */
export interface ActionContext {
	fn: IExecuteFunctions;
	itemIndex: number;
	client: KubeClient;
	/** Set when the item carried a proposal with a verified apply verdict. */
	gated?: GatedItem;
	/** With a gated item these claim the verdict right before the write. */
	changeOptions: (dryRun: boolean) => ChangeOptions;
	/** For carryOut, which claims the verdict itself. */
	carryOutOptions: (dryRun: boolean) => CarryOutOptions;
}

export interface Action {
	description: INodeProperties[];
	execute: (ctx: ActionContext) => Promise<ChangeRecord | WaitResult>;
}

export const MUTATING: KubeOperation[] = ['scale', 'hpaBounds', 'kedaBounds', 'patch', 'rolloutUndo', 'canaryWeight', 'annotate'];

export function showFor(operations: KubeOperation[]): INodeProperties['displayOptions'] {
	return { show: { operation: operations } };
}

export function param<T>(ctx: ActionContext, name: string, fallback: T): T {
	return ctx.fn.getNodeParameter(name, ctx.itemIndex, fallback) as T;
}

export function text(ctx: ActionContext, name: string): string {
	return textParameter(ctx.fn, name, ctx.itemIndex);
}

/** A target field required when there is no proposal to supply it. */
export const required = requireValue;

export function dryRun(ctx: ActionContext): boolean {
	return param<boolean>(ctx, 'dryRun', false) === true;
}

/** The namespace: the proposal's when there is one (an explicit one must agree), else the parameter. */
export function namespaceOf(ctx: ActionContext): string {
	return ctx.gated ? ctx.gated.target.namespace : required(text(ctx, 'namespace'), 'Namespace');
}

export const apiVersionForProposal = targetApiVersion;

export function asData(result: ChangeRecord | WaitResult): IDataObject {
	return result as unknown as IDataObject;
}

export const namespaceField: INodeProperties = {
	displayName: 'Namespace',
	name: 'namespace',
	type: 'string',
	default: '',
	placeholder: 'shop',
	description: 'Namespace of the object. Leave empty when the input item carries a proposal (its target supplies it); a value given here must match the proposal.',
};

export const dryRunField: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description:
		'Whether to send the change with dryRun=All: the API server validates and admits it (RBAC, admission webhooks, quotas) and returns the result, but stores nothing and no Event is written',
	displayOptions: showFor(MUTATING),
};

/** The fix and the API server's own words, for the error's description in the n8n UI. */
export function describeFailure(error: unknown): string | undefined {
	if (!(error instanceof KubeError)) return undefined;
	return [
		`Fix: ${error.fix}`,
		error.details.serverMessage ? `Kubernetes said: ${error.details.serverMessage}` : undefined,
		error.details.httpStatus ? `HTTP status: ${error.details.httpStatus}${error.details.reason ? ` (${error.details.reason})` : ''}` : undefined,
		error.details.attempts ? `Attempts: ${error.details.attempts}` : undefined,
	]
		.filter(Boolean)
		.join('\n');
}

/** What a failed item says with Continue On Fail: the operation, the message, and the API server's answer when there was one. */
export function failureFields(operation: string, failure: Failure): IDataObject {
	const kube = failure.error instanceof KubeError ? failure.error : undefined;
	return {
		operation,
		error: failure.nodeError.message,
		errorKind: kube?.kind ?? 'error',
		...(kube ? { fix: kube.fix, httpStatus: kube.details.httpStatus ?? null, kubernetesMessage: kube.details.serverMessage ?? null } : {}),
	};
}
