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
import { signingKeyTest, signingKeysOf } from '../shared/signingKey';
import { parseJsonStrictly } from '../../src/shared/strictJson';

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
		subtitle: '=checks {{ $parameter["proposal"] ? "the proposal" : "" }}',
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
			{
				displayName: 'Proposal',
				name: 'proposal',
				type: 'json',
				default: '={{ $json.proposal }}',
				description:
					'{ action, source, target: { cluster, namespace, kind, name }, current, proposed, evidence }, usually from the Forecast node, an alert or the LLM Advisor',
			},
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

	methods = { credentialTest: { kubeOpsSigningKeyTest: signingKeyTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const outputs: INodeExecutionData[][] = [[], [], []];
		const slot = { apply: 0, approve: 1, holdOrReject: 2 } as const;
		const keys = await signingKeysOf(this);
		if (!keys) this.addExecutionHints({ message: 'No Kube-Ops Signing Key is selected: the verdicts are advisory and no mutating node will act on them.', type: 'warning', location: 'outputPane' });

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const pairedItem = { item: itemIndex };
			try {
				const proposal = readJson(this, 'proposal', itemIndex);
				const state = readJson(this, 'state', itemIndex);
				const policy = this.getNodeParameter('policy', itemIndex) as string;
				const nowText = (this.getNodeParameter('now', itemIndex, '') as string).trim();
				const now = new Date((nowText ? parseTime(nowText, Date.now() / 1000, 'Evaluate As Of') : Date.now() / 1000) * 1000);
				const approval = readJson(this, 'approval', itemIndex);
				const { verdict, output, record } = runGate(proposal, policy, state, now, { signingKey: keys?.signing, verifyKeys: keys?.verify, approval });
				outputs[slot[output]].push({
					json: { ...items[itemIndex].json, proposal, verdict, decision: record } as unknown as IDataObject,
					pairedItem,
				});
			} catch (error) {
				if (!this.continueOnFail()) {
					throw new NodeOperationError(this.getNode(), error as Error, { itemIndex, message: (error as Error).message });
				}
				outputs[slot.holdOrReject].push({ json: { ...items[itemIndex].json, error: (error as Error).message }, pairedItem });
			}
		}
		return outputs;
	}
}

/**
 * A JSON parameter may arrive as an object (expression) or as text typed into
 * the field. Text that is not JSON goes to the gate as it is, which rejects it
 * with a reason: bad input is a Hold/Reject outcome, not a failed workflow.
 */
function readJson(context: IExecuteFunctions, name: string, itemIndex: number): unknown {
	const value = context.getNodeParameter(name, itemIndex, undefined) as unknown;
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		// Duplicate keys refused as the CLI does: the text then goes to the gate, which rejects it.
		return parseJsonStrictly(value);
	} catch {
		return value;
	}
}
