import { type INodeProperties, NodeOperationError } from 'n8n-workflow';

import { providerFromCredential } from '../../../../src/loadbalancer';
import { type ProviderAction, showFor, text } from '../common';

const all = ['drain', 'restore', 'setWeight', 'status'] as const;

const description: INodeProperties[] = [
	{
		displayName: 'Hosted Zone',
		name: 'route53Zone',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'example.com or Z0123456789ABCDEFGHIJ',
		description: 'Hosted zone name or ID',
		displayOptions: showFor([...all], ['route53']),
	},
	{
		displayName: 'Record Name',
		name: 'route53Record',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'shop.example.com',
		description: 'The weighted record set\'s name, fully qualified or relative to the zone',
		displayOptions: showFor([...all], ['route53']),
	},
	{
		displayName: 'Record Type',
		name: 'route53Type',
		type: 'options',
		default: 'A',
		options: ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA', 'HTTPS'].map((t) => ({ name: t, value: t })),
		displayOptions: showFor([...all], ['route53']),
	},
	{
		displayName: 'Set Identifier',
		name: 'route53SetIdentifier',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'us-east',
		description: 'The record of the region to act on. An expression such as {{ $json.verdict.scope.drain.server }} takes it from a failover verdict.',
		displayOptions: showFor(['drain', 'restore', 'setWeight'], ['route53']),
	},
];

export const route53: ProviderAction = {
	description,
	connectionKey: () => 'route53',
	async connect(fn, itemIndex) {
		try {
			return providerFromCredential('route53', await fn.getCredentials('kubeOpsAwsRoute53Api')).provider;
		} catch (error) {
			throw new NodeOperationError(fn.getNode(), (error as Error).message, { itemIndex });
		}
	},
	target(fn, itemIndex, operation) {
		const zone = text(fn, 'route53Zone', itemIndex);
		const record = text(fn, 'route53Record', itemIndex);
		if (!zone || !record) throw new NodeOperationError(fn.getNode(), `${zone ? 'Record Name' : 'Hosted Zone'} is empty`, { itemIndex });
		const type = text(fn, 'route53Type', itemIndex) || 'A';
		return { backend: `${zone}/${record}/${type}`, server: operation === 'status' ? undefined : text(fn, 'route53SetIdentifier', itemIndex) };
	},
};
