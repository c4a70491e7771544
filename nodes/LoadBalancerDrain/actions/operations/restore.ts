import type { INodeProperties } from 'n8n-workflow';

import { type OperationAction, showFor } from '../common';

const description: INodeProperties[] = [
	{
		displayName: 'Restore Weight',
		name: 'restoreWeight',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		description:
			'0 = keep the weight (HAProxy: a server at weight 0 returns to its configured weight). Otherwise the weight to restore with: HAProxy 1-256, Cloudflare 0.01-1, Kubernetes a whole number (0 = the weight the drain remembered), Route 53 1-255 (0 = the weight the drain remembered).',
		displayOptions: showFor(['restore']),
	},
];

export const restore: OperationAction = {
	description,
	request(fn, itemIndex, target) {
		const weight = Number(fn.getNodeParameter('restoreWeight', itemIndex, 0));
		return { operation: 'restore', ...target, weight: weight > 0 ? weight : undefined };
	},
};
