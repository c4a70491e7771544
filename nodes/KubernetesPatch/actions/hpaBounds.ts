import { boundsFields, changeBounds } from './bounds';
import type { Action } from './common';

export const description = boundsFields('hpaBounds', 'Min Replicas', 'Max Replicas', 'HPA');

export const hpaBounds: Action = {
	description,
	execute: (ctx) => changeBounds(ctx, 'hpaBounds', 'bounds'),
};
