import { type IExecuteFunctions, type INodeProperties, NodeOperationError } from 'n8n-workflow';

import { providerFromCredential } from '../../../../src/loadbalancer';
import { type ProviderAction, showFor, text } from '../common';

const description: INodeProperties[] = [
	{
		displayName: 'Level',
		name: 'cloudflareLevel',
		type: 'options',
		default: 'origin',
		options: [
			{ name: 'Origin in a Pool', value: 'origin', description: 'Disable, enable or re-weight one origin of a pool' },
			{ name: 'Pool in a Load Balancer', value: 'pool', description: 'Disable or enable a whole pool; the load balancer is checked so its last serving pool is never disabled' },
		],
		displayOptions: showFor(['drain', 'restore', 'setWeight', 'status'], ['cloudflare']),
	},
	{
		displayName: 'Pool',
		name: 'cloudflarePool',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'eu-west or 17b5962d775c646f3f9725cbc7a53df4',
		description: 'Pool name or ID',
		displayOptions: showFor(['drain', 'restore', 'setWeight', 'status'], ['cloudflare'], { cloudflareLevel: ['origin'] }),
	},
	{
		displayName: 'Origin',
		name: 'cloudflareOrigin',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'eu-west-1a',
		description: 'Origin name (or address) inside the pool',
		displayOptions: showFor(['drain', 'restore', 'setWeight'], ['cloudflare'], { cloudflareLevel: ['origin'] }),
	},
	{
		displayName: 'Zone ID',
		name: 'cloudflareZoneId',
		type: 'string',
		default: '',
		required: true,
		description: 'The zone the load balancer belongs to',
		displayOptions: showFor(['drain', 'restore', 'status'], ['cloudflare'], { cloudflareLevel: ['pool'] }),
	},
	{
		displayName: 'Load Balancer',
		name: 'cloudflareLoadBalancer',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'shop.example.com',
		description: 'Load balancer hostname or ID',
		displayOptions: showFor(['drain', 'restore', 'status'], ['cloudflare'], { cloudflareLevel: ['pool'] }),
	},
	{
		displayName: 'Pool',
		name: 'cloudflarePoolInLoadBalancer',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'eu-west',
		description: 'Pool name or ID, one of the load balancer\'s pools',
		displayOptions: showFor(['drain', 'restore'], ['cloudflare'], { cloudflareLevel: ['pool'] }),
	},
];

function level(fn: IExecuteFunctions, itemIndex: number): 'origin' | 'pool' {
	return fn.getNodeParameter('cloudflareLevel', itemIndex, 'origin') === 'pool' ? 'pool' : 'origin';
}

function zoneOf(fn: IExecuteFunctions, itemIndex: number): string | undefined {
	return level(fn, itemIndex) === 'pool' ? text(fn, 'cloudflareZoneId', itemIndex) || undefined : undefined;
}

export const cloudflare: ProviderAction = {
	description,
	connectionKey: (fn, itemIndex) => `cloudflare:${zoneOf(fn, itemIndex) ?? ''}`,
	async connect(fn, itemIndex) {
		const data = await fn.getCredentials('kubeOpsCloudflareApi');
		try {
			return providerFromCredential('cloudflare', data, { zoneId: zoneOf(fn, itemIndex) }).provider;
		} catch (error) {
			throw new NodeOperationError(fn.getNode(), (error as Error).message, { itemIndex });
		}
	},
	target(fn, itemIndex, operation) {
		const status = operation === 'status';
		if (level(fn, itemIndex) === 'origin') {
			const pool = text(fn, 'cloudflarePool', itemIndex);
			if (!pool) throw new NodeOperationError(fn.getNode(), 'Pool is empty', { itemIndex });
			return { backend: `pool:${pool}`, server: status ? undefined : text(fn, 'cloudflareOrigin', itemIndex) };
		}
		const loadBalancer = text(fn, 'cloudflareLoadBalancer', itemIndex);
		if (!loadBalancer) throw new NodeOperationError(fn.getNode(), 'Load Balancer is empty', { itemIndex });
		return { backend: `lb:${loadBalancer}`, server: status ? undefined : text(fn, 'cloudflarePoolInLoadBalancer', itemIndex) };
	},
};
