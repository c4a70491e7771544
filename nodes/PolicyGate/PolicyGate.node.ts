import {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { runGate } from '../../src/decision';
import { parseTime } from '../../src/prometheus';
import { credentialTestsFor } from '../shared/credentialTests';
import { forEachItem } from '../shared/perItem';
import { signingKeysOf } from '../shared/signingKey';
import { gateInputOf, proposalFromProperties, readJson } from './proposalFrom';

const EXAMPLE_POLICY = `# Scaling policy (YAML or JSON). Only minReplicas and maxReplicas are required.
minReplicas: 3
maxReplicas: 40
maxStepUpPercent: 100
maxStepUpPods: 4
allowScaleIn: false
cooldownSeconds: 300
approvalFactor: 10
accuracyGate:
  maxMape: 0.15
allowedNamespaces: [shop]
`;

export class PolicyGate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Policy Gate',
		name: 'policyGate',
		icon: { light: 'file:policyGate.svg', dark: 'file:policyGate.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ { failoverSignals: "builds and checks a failover", canarySignals: "builds and checks a rollback" }[$parameter["proposalFrom"]] ?? "checks the proposal" }}',
		description:
			'Deterministic safety checks for a scaling, failover or canary proposal: routes it to Apply, Needs Approval or Hold/Reject with every check and its measured value',
		defaults: { name: 'Policy Gate' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Apply', 'Needs Approval', 'Hold / Reject'],
		credentials: [{ name: 'kubeOpsSigningKey', required: false, testedBy: 'kubeOpsSigningKeyTest' }],
		properties: [
			{
				displayName:
					'The gate is pure: the same proposal, policy, state and time always give the same verdict. It signs each verdict with the Kube-Ops Signing Key; Kubernetes Patch and Load Balancer Drain act only on a signed, fresh Apply verdict for the live state, once. Without a key its verdicts are advisory.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Policy',
				name: 'policy',
				type: 'string',
				typeOptions: { rows: 14 },
				default: EXAMPLE_POLICY,
				required: true,
				description:
					'YAML or JSON: scaling fields at the top level (minReplicas, maxReplicas, ...), plus optional failover: and canary: sections. A malformed policy rejects every proposal with the field and the fix.',
			},
			...proposalFromProperties,
			{
				displayName: 'State',
				name: 'state',
				type: 'json',
				default: '={{ $json.state ?? {} }}',
				description: 'What the gate must remember between runs: { lastActionAt, consecutiveErrors } for scaling; flipTimes, counters for failover and canary',
			},
			{
				displayName: 'Approval',
				name: 'approval',
				type: 'json',
				default: '',
				placeholder: '={{ $json.approval }}',
				description:
					'Only on the approved branch: { by, at, proposal, verdict } from the authenticated approval step, where verdict is the signed Needs Approval verdict a person approved. It turns that outcome into Apply when the proposal, rebuilt from the live state, is exactly the approved one and the approval deadline has not passed.',
			},
			{
				displayName: 'Evaluate As Of',
				name: 'now',
				type: 'string',
				default: '',
				placeholder: 'now',
				description: 'Empty = the current time. Set a time (RFC 3339) to replay a past decision.',
			},
		],
	};

	methods = { credentialTest: credentialTestsFor('kubeOpsSigningKeyTest') };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const slot = { apply: 0, approve: 1, holdOrReject: 2 } as const;
		const keys = await signingKeysOf(this);
		if (!keys) this.addExecutionHints({ message: 'No Kube-Ops Signing Key is selected: the verdicts are advisory and no mutating node will act on them.', type: 'warning', location: 'outputPane' });

		return forEachItem(
			this,
			async ({ itemIndex, item, emit }) => {
				const { base, proposal } = gateInputOf(this, itemIndex, item.json);
				const state = readJson(this, 'state', itemIndex);
				const policy = this.getNodeParameter('policy', itemIndex) as string;
				const nowText = (this.getNodeParameter('now', itemIndex, '') as string).trim();
				const now = new Date((nowText ? parseTime(nowText, Date.now() / 1000, 'Evaluate As Of') : Date.now() / 1000) * 1000);
				const approval = readJson(this, 'approval', itemIndex);
				const { verdict, output, record } = runGate(proposal, policy, state, now, { signingKey: keys?.signing, verifyKeys: keys?.verify, approval });
				emit({ ...base, proposal, verdict, decision: record } as unknown as IDataObject, { output: slot[output] });
			},
			{
				outputs: 3,
				// Always a new node error: the gate's own errors carry no n8n context.
				toNodeError: (error, itemIndex) => new NodeOperationError(this.getNode(), error as Error, { itemIndex, message: (error as Error).message }),
				failedItem: ({ error, item }) => ({ ...item.json, error: (error as Error).message }),
				failedOutput: slot.holdOrReject,
			},
		);
	}
}
