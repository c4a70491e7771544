import type { INodeProperties } from 'n8n-workflow';

import { checkExplicit, refusal, rolloutUndo as undo } from '../../../src/kubernetes';
import { type Action, dryRun, namespaceOf, param, required, showFor, text } from './common';

const show = showFor(['rolloutUndo']);

export const description: INodeProperties[] = [
	{
		displayName: 'Deployment Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'checkout-canary',
		description: 'Leave empty when the item carries a rollback proposal',
		displayOptions: show,
	},
	{
		displayName: 'To Revision',
		name: 'toRevision',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Revision to return to (kubectl rollout history); 0 = the previous one. A rollback proposal always returns to the previous one.',
		displayOptions: show,
	},
];

export const rolloutUndo: Action = {
	description,
	async execute(ctx) {
		const { gated } = ctx;
		if (gated) {
			if (gated.target.kind !== 'Deployment') {
				throw refusal(`Refusing to act: Rollout Undo works on Deployments, and the proposal targets a ${gated.target.kind}`, 'For an Argo Rollout, abort it (kubectl argo rollouts abort) or set its canary weight; for other kinds use Patch.');
			}
			checkExplicit(gated, { namespace: text(ctx, 'namespace'), name: text(ctx, 'name') }, { name: 'Deployment Name' });
			return undo(ctx.client, gated.target.namespace, gated.target.name, 0, ctx.changeOptions(dryRun(ctx)));
		}
		return undo(ctx.client, namespaceOf(ctx), required(text(ctx, 'name'), 'Deployment Name'), param(ctx, 'toRevision', 0), ctx.changeOptions(dryRun(ctx)));
	},
};
