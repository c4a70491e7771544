import {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { canariesFor, readCanaries, readPrescalingWorkloads } from '../../src/workloads';

const text = (displayName: string, name: string, placeholder: string, description: string): INodeProperties => ({ displayName, name, type: 'string', default: '', placeholder, required: true, description });
const count = (displayName: string, name: string, value: number, description: string): INodeProperties => ({ displayName, name, type: 'number', default: value, typeOptions: { minValue: 0 }, description });

const CLUSTER = text('Cluster Name', 'cluster', 'us-east', 'Must equal "Cluster Name" in the Kubernetes credential this loop uses: the decision records name it');

/**
 * The workloads a loop manages, typed into a form: one item per entry. The
 * shipped workflows start here, so an operator adds a workload or changes a
 * number without reading code; every entry is checked before anything runs.
 */
export class WorkloadList implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Workload List',
		name: 'workloadList',
		icon: { light: 'file:workloadList.svg', dark: 'file:workloadList.dark.svg' },
		group: ['input'],
		usableAsTool: true,
		version: 1,
		subtitle: '={{ $parameter["list"] === "canaries" ? "canaries to watch" : "workloads to pre-scale" }}',
		description: 'The workloads a kube-ops loop manages (pre-scaling) or watches (canaries): one item per entry, every field checked',
		defaults: { name: 'Workload List' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'List',
				name: 'list',
				type: 'options',
				noDataExpression: true,
				default: 'prescaling',
				options: [
					{ name: 'Pre-Scaling Workloads', value: 'prescaling', description: 'Deployments whose HPA floor the forecast raises ahead of demand' },
					{ name: 'Canaries', value: 'canaries', description: 'Canary Deployments judged against their stable track' },
				],
			},
			{
				displayName: 'Workloads',
				name: 'workloads',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true, sortable: true },
				placeholder: 'Add Workload',
				default: {},
				displayOptions: { show: { list: ['prescaling'] } },
				description: 'One entry per Deployment. Each gets its own Lease, so one Deployment may appear once per namespace.',
				options: [
					{
						displayName: 'Workload',
						name: 'workload',
						values: [
							CLUSTER,
							text('Namespace', 'namespace', 'shop', 'The Deployment\'s namespace'),
							text('Deployment', 'deployment', 'checkout', 'The Deployment; its HorizontalPodAutoscaler has the same name'),
							text('Demand Query', 'demandQuery', 'sum(rate(http_requests_total{namespace="shop", service="checkout"}[5m]))', 'PromQL for the demand the forecast predicts'),
							{ displayName: 'Demand per Pod', name: 'perPodCapacity', type: 'number', default: 50, typeOptions: { minValue: 0, numberPrecision: 3 }, description: 'Demand one pod serves at its target utilisation: the forecast divided by this is the replica floor' },
							count('Min Replicas', 'minReplicas', 2, 'The lowest floor the forecast may propose (the Policy Gate has its own bounds; the tighter wins)'),
							count('Max Replicas', 'maxReplicas', 20, 'The highest floor the forecast may propose'),
						],
					},
				],
			},
			{
				displayName: 'Canaries',
				name: 'canaries',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true, sortable: true },
				placeholder: 'Add Canary',
				default: {},
				displayOptions: { show: { list: ['canaries'] } },
				description: 'One entry per canary. When alerts start the run, only the canaries whose service an alert names are looked at.',
				options: [
					{
						displayName: 'Canary',
						name: 'canary',
						values: [
							CLUSTER,
							text('Region', 'region', 'us-east', 'The region label on the service\'s metrics'),
							text('Namespace', 'namespace', 'shop', 'The canary\'s namespace'),
							text('Service', 'service', 'checkout', 'The service label on its metrics (http_requests_total, http_request_duration_seconds)'),
							text('Canary Deployment', 'canaryDeployment', 'checkout-canary', 'Scaled to 0 on a rollback'),
							text('Canary Ingress', 'canaryIngress', 'checkout-canary', 'The ingress-nginx canary Ingress whose weight goes to 0 on a rollback'),
						],
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const inputs = this.getInputData();
		const list = this.getNodeParameter('list', 0) as string;
		try {
			if (list === 'canaries') {
				const canaries = readCanaries(this.getNodeParameter('canaries.canary', 0, []));
				const chosen = canariesFor(canaries, inputs.map((item) => item.json));
				return [chosen.map(({ canary, input }) => ({ json: { ...canary } as IDataObject, pairedItem: { item: input } }))];
			}
			const workloads = readPrescalingWorkloads(this.getNodeParameter('workloads.workload', 0, []));
			return [workloads.map((workload) => ({ json: { ...workload } as IDataObject, pairedItem: { item: 0 } }))];
		} catch (error) {
			// An editor's mistake: the run stops before any Lease is taken, naming the entry and the fix.
			throw new NodeOperationError(this.getNode(), error as Error, { message: (error as Error).message });
		}
	}
}
