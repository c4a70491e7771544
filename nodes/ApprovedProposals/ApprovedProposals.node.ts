import {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { approvedProposals } from '../../src/approval';

/**
 * After a Wait for approval: the request that resumed it becomes one item per
 * approved proposal, which the approved branch takes through the lock, a
 * fresh read and the Policy Gate again (the approval is judged there, never
 * trusted here).
 */
export class ApprovedProposals implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Approved Proposals',
		name: 'approvedProposals',
		icon: { light: 'file:approvedProposals.svg', dark: 'file:approvedProposals.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'who approved what',
		usableAsTool: true,
		description: 'Turns the approval request that resumed a Wait into one item per approved proposal; the approver comes from the Basic authentication n8n checked',
		defaults: { name: 'Approved Proposals' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName:
					'Put this right after a Wait node that resumes on a webhook with Basic authentication (credential "Approvers"). Approving: curl -u alice:<password> -X POST \'<approvalUrl>\' -H \'Content-Type: application/json\' -d \'{"approved": true}\' (optionally "proposalHashes": ["sha256:..."] to approve only some).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Waiting Proposals',
				name: 'asked',
				type: 'json',
				default: "={{ $('Ask for approval').all().map((item) => item.json) }}",
				description: 'The items that asked for approval, each with its proposal and its signed Needs Approval verdict',
			},
			{
				displayName: 'Fields to Carry',
				name: 'carry',
				type: 'string',
				default: '',
				placeholder: 'alert, dedupeKey',
				description: 'Comma-separated fields of each waiting item to carry on to the approved branch (besides proposal and approval)',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const requests = this.getInputData();
		const out: INodeExecutionData[] = [];
		const reasons: string[] = [];
		for (let itemIndex = 0; itemIndex < requests.length; itemIndex++) {
			const asked = this.getNodeParameter('asked', itemIndex, []) as unknown;
			const carry = (this.getNodeParameter('carry', itemIndex, '') as string).split(',').map((f) => f.trim()).filter(Boolean);
			const result = approvedProposals(requests[itemIndex].json, typeof asked === 'string' ? safeJson(asked) : asked, carry, new Date());
			if (result.notApproved) reasons.push(result.notApproved);
			for (const item of result.items) {
				out.push({ json: { ...item.carried, proposal: item.proposal, approval: item.approval } as IDataObject, pairedItem: { item: itemIndex } });
			}
		}
		if (out.length === 0 && reasons.length > 0) this.addExecutionHints({ message: `Nothing approved: ${reasons[0]}`, type: 'info', location: 'outputPane' });
		return [out];
	}
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return [];
	}
}
