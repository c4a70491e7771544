import { setHpaBounds } from '../../../src/kubernetes';
import { boundsFields, boundsFor, resolveName } from './bounds';
import { type Action, dryRun, namespaceOf } from './common';

export const description = boundsFields('hpaBounds', 'Min Replicas', 'Max Replicas', 'HPA');

export const hpaBounds: Action = {
	description,
	async execute(ctx) {
		const name = await resolveName(ctx, 'HorizontalPodAutoscaler');
		return setHpaBounds(ctx.client, namespaceOf(ctx), name, boundsFor(ctx, 'hpaBounds', 'bounds'), ctx.changeOptions(dryRun(ctx)));
	},
};
