import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { DEFAULT_MAX_VERDICT_AGE_SECONDS, MAX_VERDICT_AGE_SECONDS } from '../../src/admission';
import { credentialTestsFor } from '../shared/credentialTests';
import { description as annotate } from './actions/annotate';
import { description as canaryWeight } from './actions/canaryWeight';
import { MUTATING, dryRunField, namespaceField } from './actions/common';
import { description as hpaBounds } from './actions/hpaBounds';
import { ITEM_OPERATIONS } from './actions/itemAction';
import { description as kedaBounds } from './actions/kedaBounds';
import { description as lock } from './actions/lock';
import { description as patch } from './actions/patch';
import { description as read } from './actions/read';
import { description as recordDecision } from './actions/recordDecision';
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
		subtitle: '={{ $parameter["operation"] + ($parameter["dryRun"] ? " (dry run)" : "") + ($parameter["requireVerdict"] === false ? " · manual" : "") }}',
		description:
			'Scale, set HPA or KEDA bounds, patch, roll back, set a canary weight, annotate, wait for Ready, lock a loop and record its decision; every write guarded, audited, and bound to a Policy Gate verdict when the item carries a proposal',
		defaults: { name: 'Kubernetes Patch' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'kubeOpsKubernetesApi', required: true, testedBy: 'kubernetesApiConnectionTest' },
			// Optional so the node also works as a plain Kubernetes tool; without it every item with a verdict is refused.
			{ name: 'kubeOpsSigningKey', required: false, testedBy: 'kubeOpsSigningKeyTest', displayOptions: { show: { operation: [...MUTATING, 'waitReady', 'recordDecision'] } } },
		],
		properties: [
			{
				displayName:
					'With Require Policy Gate Verdict on, the node acts only on a signed, fresh Apply verdict, once: exactly the operation and value the verdict judged, on the proposal\'s target, and only while the live object still is as the proposal stated. Parameters may repeat the target but not contradict it.',
				name: 'gateNotice',
				type: 'notice',
				default: '',
				displayOptions: { hide: { operation: ITEM_OPERATIONS } },
			},
			// One resource (an object in the cluster) and eleven operations on it; a Resource selector would add a click and no meaning.
			// eslint-disable-next-line @n8n/community-nodes/resource-operation-pattern
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'scale',
				options: [
					{ name: 'Annotate', value: 'annotate', action: 'Set or remove annotations', description: 'Set or remove annotations on any object' },
					{ name: 'Lock (Lease) and Read State', value: 'lock', action: 'Lock a lease and read the loop state', description: 'Take the loop\'s Lease (one execution per service at a time) and put the state the last run saved on the item' },
					{ name: 'Patch', value: 'patch', action: 'Patch any resource', description: 'Merge, strategic merge or JSON patch on any object by API version and kind' },
					{ name: 'Read Workload', value: 'read', action: 'Read a workload or autoscaler', description: 'Replicas, readiness and autoscaler bounds of a Deployment, StatefulSet, HPA or KEDA ScaledObject' },
					{ name: 'Record Decision, Save State and Unlock', value: 'recordDecision', action: 'Record the decision save state and unlock', description: 'Write the decision record as an Event on the target, save the loop\'s next state on the Lease and release it' },
					{ name: 'Rollout Undo', value: 'rolloutUndo', action: 'Roll back a deployment', description: 'Return a Deployment to its previous (or a given) revision' },
					{ name: 'Scale', value: 'scale', action: 'Scale a workload', description: 'Set replicas through the scale subresource' },
					{ name: 'Set Canary Weight', value: 'canaryWeight', action: 'Set an ingress nginx canary weight', description: 'Set the traffic share of an ingress-nginx canary Ingress' },
					{ name: 'Set HPA Min/Max', value: 'hpaBounds', action: 'Set HPA min max replicas', description: 'Set a HorizontalPodAutoscaler\'s minReplicas / maxReplicas' },
					{ name: 'Set KEDA Min/Max', value: 'kedaBounds', action: 'Set KEDA min max replica count', description: 'Set a KEDA ScaledObject\'s minReplicaCount / maxReplicaCount' },
					{ name: 'Wait for Ready', value: 'waitReady', action: 'Wait until replicas are ready', description: 'Poll until enough replicas are updated and Ready, with a timeout' },
				],
			},
			{
				displayName: 'Require Policy Gate Verdict',
				name: 'requireVerdict',
				type: 'boolean',
				default: true,
				description:
					'Whether every item must carry a Policy Gate verdict signed with the Kube-Ops Signing Key. Off = a plain Kubernetes tool: items without proposal and verdict are manual changes from the parameters below (items with a verdict are still checked).',
				displayOptions: { show: { operation: [...MUTATING, 'recordDecision'] } },
			},
			// The record step's namespaces come from the proposal (Event) and the lock (Lease).
			{ ...namespaceField, displayOptions: { hide: { operation: ['recordDecision'] } } },
			...lock,
			...read,
			...recordDecision,
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
						displayOptions: { hide: { '/operation': ITEM_OPERATIONS } },
					},
					{
						displayName: 'Attempts on Conflict',
						name: 'maxAttempts',
						type: 'number',
						default: 5,
						typeOptions: { minValue: 1, maxValue: 20 },
						description: 'How often to re-read and retry when another writer changed the object in between (409 Conflict)',
						displayOptions: { show: { '/operation': [...MUTATING, 'recordDecision'] } },
					},
					{
						displayName: 'Event Namespace',
						name: 'eventNamespace',
						type: 'string',
						default: '',
						placeholder: 'kube-ops',
						description: 'Write the decision Event in this namespace instead of the target\'s (e.g. when the target lives in another cluster); empty = the proposal\'s target namespace',
						displayOptions: { show: { '/operation': ['recordDecision'] } },
					},
					{
						displayName: 'Max Verdict Age (Seconds)',
						name: 'maxVerdictAgeSeconds',
						type: 'number',
						default: DEFAULT_MAX_VERDICT_AGE_SECONDS,
						typeOptions: { minValue: 1, maxValue: MAX_VERDICT_AGE_SECONDS },
						description: 'Refuse Policy Gate verdicts older than this (at most one hour). A verdict judges the state of a moment; an approval re-runs the gate instead of stretching this. Wait for Ready changes nothing: unset, it accepts verdicts up to one hour old.',
						displayOptions: { hide: { '/operation': ITEM_OPERATIONS } },
					},
				],
			},
		],
	};

	methods = { credentialTest: credentialTestsFor('kubernetesApiConnectionTest', 'kubeOpsSigningKeyTest') };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
