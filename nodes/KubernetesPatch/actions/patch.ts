import type { INodeProperties } from 'n8n-workflow';

import { type ObjectRef, type PatchType, checkExplicit, parsePatchBody, patchResource } from '../../../src/kubernetes';
import { type Action, type ActionContext, apiVersionForProposal, dryRun, param, required, showFor, text } from './common';

const show = showFor(['patch']);

/** API version, kind and name of any object; shared by Patch and Annotate. */
export function objectFields(operation: 'patch' | 'annotate'): INodeProperties[] {
	const where = showFor([operation]);
	return [
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: '',
			placeholder: 'apps/v1',
			description: 'apps/v1, v1, networking.k8s.io/v1, keda.sh/v1alpha1, ... Leave empty when the item carries a proposal.',
			displayOptions: where,
		},
		{
			displayName: 'Kind',
			name: 'kind',
			type: 'string',
			default: '',
			placeholder: 'Deployment',
			description: 'Kind as in the manifest (case matters). Leave empty when the item carries a proposal.',
			displayOptions: where,
		},
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			placeholder: 'web',
			displayOptions: where,
		},
	];
}

export const description: INodeProperties[] = [
	...objectFields('patch'),
	{
		displayName: 'Patch Type',
		name: 'patchType',
		type: 'options',
		default: 'merge',
		options: [
			{ name: 'JSON Patch (RFC 6902)', value: 'json', description: 'A list of operations: [{"op": "replace", "path": "/spec/replicas", "value": 5}]' },
			{ name: 'Merge Patch (RFC 7386)', value: 'merge', description: 'Fields to set; null deletes; lists are replaced whole' },
			{ name: 'Strategic Merge Patch', value: 'strategic', description: 'Built-in kinds only: lists such as containers merge by name' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Patch',
		name: 'patchBody',
		type: 'json',
		default: '{\n  "metadata": {\n    "labels": {}\n  }\n}',
		description:
			'The patch. The node adds a resourceVersion precondition and its last-change annotation; a patch that sets metadata.resourceVersion itself is sent once, without retries.',
		displayOptions: show,
	},
];

/** The object a Patch or Annotate acts on: the proposal's target, or the parameters. */
export function objectRef(ctx: ActionContext): ObjectRef {
	const { gated } = ctx;
	if (gated) {
		checkExplicit(gated, { namespace: text(ctx, 'namespace'), name: text(ctx, 'name'), kind: text(ctx, 'kind'), apiVersion: text(ctx, 'apiVersion') }, { apiVersion: 'API Version' });
		return { apiVersion: apiVersionForProposal(gated), kind: gated.target.kind, namespace: gated.target.namespace, name: gated.target.name };
	}
	const apiVersion = required(text(ctx, 'apiVersion'), 'API Version');
	const kind = required(text(ctx, 'kind'), 'Kind');
	const name = required(text(ctx, 'name'), 'Name');
	// Cluster-scoped kinds have no namespace; the engine checks it against discovery.
	return { apiVersion, kind, name, namespace: text(ctx, 'namespace') || undefined };
}

export const patch: Action = {
	description,
	async execute(ctx) {
		const ref = objectRef(ctx);
		return patchResource(ctx.client, ref, param<PatchType>(ctx, 'patchType', 'merge'), parsePatchBody(param<unknown>(ctx, 'patchBody', '')), ctx.changeOptions(dryRun(ctx)));
	},
};
