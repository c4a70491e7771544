import { type IExecuteFunctions, type INodeProperties, NodeOperationError } from 'n8n-workflow';

import { isKubeError } from '../../../../src/kubernetes';
import { providerFromCredential } from '../../../../src/loadbalancer';
import { type LbOperation, type ProviderAction, showFor, text } from '../common';

const changes: LbOperation[] = ['drain', 'restore', 'setWeight'];
const all: LbOperation[] = [...changes, 'status'];

const description: INodeProperties[] = [
	{
		displayName: 'Namespace',
		name: 'kubernetesNamespace',
		type: 'string',
		default: 'default',
		required: true,
		placeholder: 'shop',
		description: 'Namespace of the HTTPRoute or Ingress',
		displayOptions: showFor(all, ['kubernetes']),
	},
	{
		displayName: 'Traffic Object',
		name: 'kubernetesKind',
		type: 'options',
		default: 'httproute',
		options: [
			{ name: 'HTTPRoute (Gateway API)', value: 'httproute', description: 'The backendRef weights of a gateway.networking.k8s.io/v1 HTTPRoute' },
			{ name: 'Ingress-Nginx Canary', value: 'ingress', description: 'The canary-weight of an ingress-nginx canary Ingress, split against its stable Ingress' },
		],
		displayOptions: showFor(all, ['kubernetes']),
	},
	{
		displayName: 'HTTPRoute',
		name: 'kubernetesRoute',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'checkout',
		description: 'Name of the HTTPRoute',
		displayOptions: showFor(all, ['kubernetes'], { kubernetesKind: ['httproute'] }),
	},
	{
		displayName: 'Canary Ingress',
		name: 'kubernetesIngress',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'checkout-canary',
		description: 'Name of the canary Ingress (nginx.ingress.kubernetes.io/canary: "true"); its stable Ingress is found by host',
		displayOptions: showFor(all, ['kubernetes'], { kubernetesKind: ['ingress'] }),
	},
	{
		displayName: 'Service',
		name: 'kubernetesService',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'checkout-canary',
		description:
			'The Service that gets the traffic: an HTTPRoute backendRef name, or the canary (or stable) Ingress\'s Service. An expression such as {{ $json.proposal.from }} takes it from a proposal.',
		displayOptions: showFor(changes, ['kubernetes']),
	},
];

function namespaceOf(fn: IExecuteFunctions, itemIndex: number): string {
	return text(fn, 'kubernetesNamespace', itemIndex) || 'default';
}

export const kubernetes: ProviderAction = {
	description,
	connectionKey: (fn, itemIndex) => `kubernetes:${namespaceOf(fn, itemIndex)}`,
	async connect(fn, itemIndex) {
		const data = await fn.getCredentials('kubeOpsKubernetesApi');
		try {
			return providerFromCredential('kubernetes', data, { namespace: namespaceOf(fn, itemIndex) }).provider;
		} catch (error) {
			// A credential problem keeps its fix, as the Kubernetes Patch node shows it.
			const fix = isKubeError(error) ? `Fix: ${error.fix}` : undefined;
			throw new NodeOperationError(fn.getNode(), error as Error, { itemIndex, message: (error as Error).message, description: fix });
		}
	},
	target(fn, itemIndex, operation) {
		const kind = fn.getNodeParameter('kubernetesKind', itemIndex, 'httproute') === 'ingress' ? 'ingress' : 'httproute';
		const name = text(fn, kind === 'ingress' ? 'kubernetesIngress' : 'kubernetesRoute', itemIndex);
		if (!name) throw new NodeOperationError(fn.getNode(), kind === 'ingress' ? 'Canary Ingress is empty' : 'HTTPRoute is empty', { itemIndex });
		// The namespace goes to the provider, so the backend reads as the CLI's: httproute/<name>, ingress/<canary>.
		return { backend: `${kind}/${name}`, server: operation === 'status' ? undefined : text(fn, 'kubernetesService', itemIndex) };
	},
};
