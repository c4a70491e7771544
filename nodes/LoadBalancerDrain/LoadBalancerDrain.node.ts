import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { DEFAULT_MAX_VERDICT_AGE_SECONDS } from '../../src/policy';
import { credentialTest } from './actions/methods';
import { operations, providers, route } from './actions/router';

export class LoadBalancerDrain implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Load Balancer Drain',
		name: 'loadBalancerDrain',
		icon: { light: 'file:loadBalancerDrain.svg', dark: 'file:loadBalancerDrain.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + " · " + $parameter["provider"] }}',
		description:
			'Drain, restore, re-weight or list servers at a load balancer (HAProxy Runtime API, Cloudflare Load Balancing, Kubernetes HTTPRoute and ingress-nginx canary weights); refuses to take the last serving server out of traffic',
		defaults: { name: 'Load Balancer Drain' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'haproxyRuntimeApi', required: true, testedBy: 'haproxyRuntimeApiTest', displayOptions: { show: { provider: ['haproxy'] } } },
			{ name: 'kubeOpsCloudflareApi', required: true, testedBy: 'cloudflareApiTest', displayOptions: { show: { provider: ['cloudflare'] } } },
			{ name: 'kubernetesApi', required: true, testedBy: 'kubernetesApiConnectionTest', displayOptions: { show: { provider: ['kubernetes'] } } },
		],
		properties: [
			{
				displayName:
					'An item that carries a proposal and a verdict (from the Policy Gate) is acted on only with a matching Apply verdict. Every change is read back: the output has the server before and after.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Load Balancer',
				name: 'provider',
				type: 'options',
				noDataExpression: true,
				default: 'haproxy',
				options: [
					{ name: 'HAProxy (Runtime API)', value: 'haproxy' },
					{ name: 'Cloudflare Load Balancing', value: 'cloudflare' },
					{ name: 'Kubernetes (HTTPRoute, Ingress-Nginx Canary)', value: 'kubernetes' },
				],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'drain',
				options: [
					{ name: 'Drain', value: 'drain', action: 'Drain a server', description: 'Take a server (origin, pool) out of new traffic; HAProxy can wait for its sessions to finish' },
					{ name: 'Restore', value: 'restore', action: 'Restore a server', description: 'Put a drained server back into traffic' },
					{ name: 'Set Weight', value: 'setWeight', action: 'Set the weight of a server', description: 'Change a server\'s share of the traffic' },
					{ name: 'Status', value: 'status', action: 'List the servers of a backend', description: 'Every server with its state, health, weight and sessions' },
				],
			},
			...providers.haproxy.description,
			...providers.cloudflare.description,
			...providers.kubernetes.description,
			...operations.drain.description,
			...operations.restore.description,
			...operations.setWeight.description,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { operation: ['drain', 'restore', 'setWeight'] } },
				options: [
					{
						displayName: 'Max Verdict Age (Seconds)',
						name: 'maxVerdictAgeSeconds',
						type: 'number',
						default: DEFAULT_MAX_VERDICT_AGE_SECONDS,
						typeOptions: { minValue: 0 },
						description: 'For items with a verdict: refuse verdicts older than this (0 = no limit)',
					},
				],
			},
		],
	};

	methods = { credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
