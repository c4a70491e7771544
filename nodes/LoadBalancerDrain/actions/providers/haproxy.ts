import { type INodeProperties, NodeOperationError } from 'n8n-workflow';

import { providerFromCredential } from '../../../../src/loadbalancer';
import { type LbOperation, type ProviderAction, showFor, text } from '../common';

const changes: LbOperation[] = ['drain', 'restore', 'setWeight'];

const description: INodeProperties[] = [
	{
		displayName: 'Backend',
		name: 'haproxyBackend',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'be_app',
		description: 'The backend section in haproxy.cfg',
		displayOptions: showFor(['drain', 'restore', 'setWeight', 'status'], ['haproxy']),
	},
	{
		displayName: 'Server',
		name: 'haproxyServer',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'us-east',
		description: 'The server line in that backend, e.g. the failing region. An expression such as {{ $json.proposal.from }} takes it from a failover proposal.',
		displayOptions: showFor(changes, ['haproxy']),
	},
];

export const haproxy: ProviderAction = {
	description,
	connectionKey: () => 'haproxy',
	connect: async (fn) => providerFromCredential('haproxy', await fn.getCredentials('kubeOpsHaproxyRuntimeApi')).provider,
	target(fn, itemIndex, operation) {
		const backend = text(fn, 'haproxyBackend', itemIndex);
		if (!backend) throw new NodeOperationError(fn.getNode(), 'Backend is empty', { itemIndex });
		return { backend, server: operation === 'status' ? undefined : text(fn, 'haproxyServer', itemIndex) };
	},
};
