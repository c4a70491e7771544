import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { DEFAULT_MAX_VERDICT_AGE_SECONDS, MAX_VERDICT_AGE_SECONDS } from '../../src/admission';
import { credentialTestsFor } from '../shared/credentialTests';
import { operations, providers, route } from './actions/router';

export class LoadBalancerDrain implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Load Balancer Drain',
		name: 'loadBalancerDrain',
		icon: { light: 'file:loadBalancerDrain.svg', dark: 'file:loadBalancerDrain.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + " · " + $parameter["provider"] + ($parameter["requireVerdict"] === false && $parameter["operation"] !== "status" ? " · manual" : "") }}',
		description:
			'Drain, restore, re-weight or list servers at a load balancer (HAProxy Runtime API, Cloudflare Load Balancing, AWS Route 53 weighted records, Kubernetes HTTPRoute and ingress-nginx canary weights); refuses to take the last serving server out of traffic',
		defaults: { name: 'Load Balancer Drain' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'kubeOpsHaproxyRuntimeApi', required: true, testedBy: 'haproxyRuntimeApiTest', displayOptions: { show: { provider: ['haproxy'] } } },
			{ name: 'kubeOpsCloudflareApi', required: true, testedBy: 'cloudflareApiTest', displayOptions: { show: { provider: ['cloudflare'] } } },
			{ name: 'kubeOpsAwsRoute53Api', required: true, testedBy: 'route53ApiTest', displayOptions: { show: { provider: ['route53'] } } },
			// For the Kubernetes provider, and for every provider the cluster where carried-out verdicts are recorded (single use).
			{ name: 'kubeOpsKubernetesApi', required: false, testedBy: 'kubernetesApiConnectionTest' },
			{ name: 'kubeOpsSigningKey', required: false, testedBy: 'kubeOpsSigningKeyTest', displayOptions: { show: { operation: ['drain', 'restore', 'setWeight'] } } },
		],
		properties: [
			{
				displayName:
					'With Require Policy Gate Verdict on, traffic moves only under a signed, fresh Apply verdict, once, and only the server it names (a failover drains the failing region, a failback restores the recovered one). Verdicts carried out are recorded through the Kubernetes API credential. Every change is read back.',
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
					{ name: 'AWS Route 53 (Weighted Records)', value: 'route53' },
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
			{
				displayName: 'Require Policy Gate Verdict',
				name: 'requireVerdict',
				type: 'boolean',
				default: true,
				description:
					'Whether every item must carry a Policy Gate verdict signed with the Kube-Ops Signing Key. Off = manual traffic changes from the parameters (items with a verdict are still checked).',
				displayOptions: { show: { operation: ['drain', 'restore', 'setWeight'] } },
			},
			...providers.haproxy.description,
			...providers.cloudflare.description,
			...providers.kubernetes.description,
			...providers.route53.description,
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
						typeOptions: { minValue: 1, maxValue: MAX_VERDICT_AGE_SECONDS },
						description: 'For items with a verdict: refuse verdicts older than this (at most one hour)',
					},
				],
			},
		],
	};

	methods = { credentialTest: credentialTestsFor('haproxyRuntimeApiTest', 'cloudflareApiTest', 'route53ApiTest', 'kubernetesApiConnectionTest', 'kubeOpsSigningKeyTest') };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
