import { boundsFields, changeBounds } from './bounds';
import type { Action } from './common';

export const description = boundsFields('kedaBounds', 'Min Replica Count', 'Max Replica Count', 'ScaledObject');

export const kedaBounds: Action = {
	description,
	execute: (ctx) => changeBounds(ctx, 'kedaBounds', 'kedaBounds'),
};
