import type { INodeProperties } from 'n8n-workflow';

import { checkExplicit, setCanaryWeight } from '../../../src/kubernetes';
import { type Action, dryRun, namespaceOf, param, required, showFor, text } from './common';

const show = showFor(['canaryWeight']);

export const description: INodeProperties[] = [
	{
		displayName: 'Canary Ingress Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'checkout-canary',
		description: 'The ingress-nginx canary Ingress (annotation nginx.ingress.kubernetes.io/canary: "true"). Needed with a proposal unless the proposal targets the Ingress itself.',
		displayOptions: show,
	},
	{
		displayName: 'Weight',
		name: 'weight',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: 100 },
		description: 'Share of traffic for the canary, out of canary-weight-total (default 100). 0 takes the canary out of traffic; a rollback proposal always sets 0.',
		displayOptions: show,
	},
];

export const canaryWeight: Action = {
	description,
	async execute(ctx) {
		const { gated } = ctx;
		if (!gated) return setCanaryWeight(ctx.client, namespaceOf(ctx), required(text(ctx, 'name'), 'Canary Ingress Name'), param(ctx, 'weight', 0), ctx.changeOptions(dryRun(ctx)));
		// The permit fixes the weight (a rollback takes the canary out of traffic); the Weight parameter is not read.
		const weight = gated.permit.operation === 'canaryWeight' ? gated.permit.weight : 0;
		if (gated.target.kind === 'Ingress') {
			checkExplicit(gated, { namespace: text(ctx, 'namespace'), name: text(ctx, 'name') }, { name: 'Canary Ingress Name' });
			return setCanaryWeight(ctx.client, gated.target.namespace, gated.target.name, weight, ctx.changeOptions(dryRun(ctx)));
		}
		// The proposal names the canary workload; its Ingress is named here, in the proposal's namespace.
		checkExplicit(gated, { namespace: text(ctx, 'namespace') });
		return setCanaryWeight(ctx.client, gated.target.namespace, required(text(ctx, 'name'), 'Canary Ingress Name'), weight, ctx.changeOptions(dryRun(ctx)));
	},
};
