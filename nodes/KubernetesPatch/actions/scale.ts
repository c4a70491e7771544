import type { INodeProperties } from 'n8n-workflow';

import { carryOut, checkExplicit, scaleWorkload } from '../../../src/kubernetes';
import { type Action, type ActionContext, dryRun, namespaceOf, param, required, showFor, text } from './common';

const show = showFor(['scale']);

/** Kinds with a scale subresource; anything else by API version and kind. */
const workloadKinds: Record<string, { apiVersion: string; kind: string }> = {
	deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
	statefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet' },
	replicaSet: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
	rollout: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' },
};

export const workloadKindField: INodeProperties = {
	displayName: 'Kind',
	name: 'workloadKind',
	type: 'options',
	default: 'deployment',
	description: 'With a proposal, this must be the kind the proposal targets',
	options: [
		{ name: 'Argo Rollout', value: 'rollout' },
		{ name: 'Deployment', value: 'deployment' },
		{ name: 'Other (API Version and Kind)', value: 'custom', description: 'Any resource with a scale subresource' },
		{ name: 'ReplicaSet', value: 'replicaSet' },
		{ name: 'StatefulSet', value: 'statefulSet' },
	],
	displayOptions: show,
};

export const description: INodeProperties[] = [
	workloadKindField,
	{
		displayName: 'API Version',
		name: 'customApiVersion',
		type: 'string',
		default: '',
		placeholder: 'example.com/v1',
		displayOptions: { show: { operation: ['scale'], workloadKind: ['custom'] } },
	},
	{
		displayName: 'Kind Name',
		name: 'customKind',
		type: 'string',
		default: '',
		placeholder: 'MyWorkload',
		displayOptions: { show: { operation: ['scale'], workloadKind: ['custom'] } },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'web',
		description: 'Object to scale. Leave empty when the item carries a proposal.',
		displayOptions: show,
	},
	{
		displayName: 'Replicas',
		name: 'replicas',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 0 },
		description: 'Desired replica count. Not read for an item with a verdict: the verdict fixes the count (a scale verdict\'s value, a failover\'s sized receiving region, 0 for a rollback).',
		displayOptions: show,
	},
];

export function selectedKind(ctx: ActionContext): { apiVersion: string; kind: string } {
	const choice = param(ctx, 'workloadKind', 'deployment') as string;
	if (choice === 'custom') return { apiVersion: required(text(ctx, 'customApiVersion'), 'API Version'), kind: required(text(ctx, 'customKind'), 'Kind Name') };
	return workloadKinds[choice] ?? workloadKinds.deployment;
}

async function execute(ctx: ActionContext) {
	const kind = selectedKind(ctx);
	const { gated } = ctx;
	if (gated) {
		checkExplicit(gated, { namespace: text(ctx, 'namespace'), name: text(ctx, 'name'), kind: kind.kind, apiVersion: gated.target.apiVersion ? kind.apiVersion : undefined }, { kind: 'Kind' });
		// The permit's count, not the Replicas parameter: a verdict authorises exactly the value it judged.
		return carryOut(ctx.client, gated, 'scale', ctx.carryOutOptions(dryRun(ctx)));
	}
	const target = { ...kind, namespace: namespaceOf(ctx), name: required(text(ctx, 'name'), 'Name') };
	return scaleWorkload(ctx.client, target, param(ctx, 'replicas', 1), ctx.changeOptions(dryRun(ctx)));
}

export const scale: Action = { description, execute };
