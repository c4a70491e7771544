import { setKedaBounds } from '../../../src/kubernetes';
import { boundsFields, boundsFor, resolveName } from './bounds';
import { type Action, dryRun, namespaceOf } from './common';

export const description = boundsFields('kedaBounds', 'Min Replica Count', 'Max Replica Count', 'ScaledObject');

export const kedaBounds: Action = {
	description,
	async execute(ctx) {
		const name = await resolveName(ctx, 'ScaledObject');
		return setKedaBounds(ctx.client, namespaceOf(ctx), name, boundsFor(ctx, 'kedaBounds', 'kedaBounds'), ctx.changeOptions(dryRun(ctx)));
	},
};
