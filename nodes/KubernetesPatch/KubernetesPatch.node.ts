import {
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { checkKubernetesConnection, type KubernetesCredentialFields } from '../../src/kubernetes';
import { DEFAULT_MAX_VERDICT_AGE_SECONDS } from '../../src/policy';
import { description as annotate } from './actions/annotate';
import { description as canaryWeight } from './actions/canaryWeight';
import { MUTATING, dryRunField, namespaceField } from './actions/common';
import { description as hpaBounds } from './actions/hpaBounds';
import { description as kedaBounds } from './actions/kedaBounds';
import { description as patch } from './actions/patch';
import { description as rolloutUndo } from './actions/rolloutUndo';
import { route } from './actions/router';
import { description as scale } from './actions/scale';
import { description as waitReady } from './actions/waitReady';

// Deliberately not usableAsTool: an AI agent may propose a change, but only a Policy Gate verdict may make this node act.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class KubernetesPatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kubernetes Patch',
		name: 'kubernetesPatch',
		icon: { light: 'file:kubernetes.svg', dark: 'file:kubernetes.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ($parameter["dryRun"] ? " (dry run)" : "") }}',
		description:
			'Scale, set HPA or KEDA bounds, patch, roll back, set a canary weight, annotate or wait for Ready; every write guarded, audited, and bound to a Policy Gate verdict when the item carries a proposal',
		defaults: { name: 'Kubernetes Patch' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'kubernetesApi', required: true, testedBy: 'kubernetesApiConnectionTest' }],
		properties: [
			{
				displayName:
					'When the input item carries a proposal and verdict (from the Policy Gate), the node acts only on an Apply verdict issued for that exact proposal, on the proposal\'s target; parameters below may repeat the target but not contradict it.',
				name: 'gateNotice',
				type: 'notice',
				default: '',
			},
			// One resource (an object in the cluster) and eight operations on it; a Resource selector would add a click and no meaning.
			// eslint-disable-next-line @n8n/community-nodes/resource-operation-pattern
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'scale',
				options: [
					{ name: 'Annotate', value: 'annotate', action: 'Set or remove annotations', description: 'Set or remove annotations on any object' },
					{ name: 'Patch', value: 'patch', action: 'Patch any resource', description: 'Merge, strategic merge or JSON patch on any object by API version and kind' },
					{ name: 'Rollout Undo', value: 'rolloutUndo', action: 'Roll back a deployment', description: 'Return a Deployment to its previous (or a given) revision' },
					{ name: 'Scale', value: 'scale', action: 'Scale a workload', description: 'Set replicas through the scale subresource' },
					{ name: 'Set Canary Weight', value: 'canaryWeight', action: 'Set an ingress nginx canary weight', description: 'Set the traffic share of an ingress-nginx canary Ingress' },
					{ name: 'Set HPA Min/Max', value: 'hpaBounds', action: 'Set HPA min max replicas', description: 'Set a HorizontalPodAutoscaler\'s minReplicas / maxReplicas' },
					{ name: 'Set KEDA Min/Max', value: 'kedaBounds', action: 'Set KEDA min max replica count', description: 'Set a KEDA ScaledObject\'s minReplicaCount / maxReplicaCount' },
					{ name: 'Wait for Ready', value: 'waitReady', action: 'Wait until replicas are ready', description: 'Poll until enough replicas are updated and Ready, with a timeout' },
				],
			},
			namespaceField,
			...scale,
			...hpaBounds,
			...kedaBounds,
			...patch,
			...rolloutUndo,
			...canaryWeight,
			...annotate,
			...waitReady,
			dryRunField,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Changed By',
						name: 'changedBy',
						type: 'string',
						default: '',
						placeholder: 'jane@example.com',
						description: 'Who to name in the last-change annotation and the Event; empty = the workflow and execution',
					},
					{
						displayName: 'Attempts on Conflict',
						name: 'maxAttempts',
						type: 'number',
						default: 5,
						typeOptions: { minValue: 1, maxValue: 20 },
						description: 'How often to re-read and retry when another writer changed the object in between (409 Conflict)',
						displayOptions: { show: { '/operation': MUTATING } },
					},
					{
						displayName: 'Max Verdict Age (Seconds)',
						name: 'maxVerdictAgeSeconds',
						type: 'number',
						default: DEFAULT_MAX_VERDICT_AGE_SECONDS,
						typeOptions: { minValue: 0 },
						description: 'Refuse Policy Gate verdicts older than this, so an approval that sat for hours is not applied to a cluster that moved on. 0 = no limit.',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			async kubernetesApiConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const result = await checkKubernetesConnection((credential.data ?? {}) as KubernetesCredentialFields);
				return { status: result.ok ? 'OK' : 'Error', message: result.message };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
