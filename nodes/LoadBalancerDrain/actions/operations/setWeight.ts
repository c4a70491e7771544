import type { INodeProperties } from 'n8n-workflow';

import { type OperationAction, showFor } from '../common';

const description: INodeProperties[] = [
	{
		displayName: 'Weight',
		name: 'weight',
		type: 'number',
		default: 1,
		required: true,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		description: 'HAProxy: a whole number 0-256, relative to the other servers. Cloudflare: an origin\'s share, 0-1. Kubernetes: a whole number (HTTPRoute backendRef weight; ingress-nginx 0 to canary-weight-total). Route 53: a whole number 0-255, relative to the record set\'s other records. 0 takes the server out of new traffic.',
		displayOptions: showFor(['setWeight']),
	},
	{
		displayName: 'Allow Weight 0 on the Last Serving Server',
		name: 'force',
		type: 'boolean',
		default: false,
		description: 'Whether to set weight 0 even when nothing else in the backend takes traffic. Off, it is refused: it would be an outage.',
		displayOptions: showFor(['setWeight']),
	},
];

export const setWeight: OperationAction = {
	description,
	request(fn, itemIndex, target) {
		return {
			operation: 'setWeight',
			...target,
			weight: Number(fn.getNodeParameter('weight', itemIndex)),
			force: fn.getNodeParameter('force', itemIndex, false) as boolean,
		};
	},
};
