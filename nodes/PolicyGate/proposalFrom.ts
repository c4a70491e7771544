import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { parsePolicy, validatePolicy } from '../../src/policy';
import { buildCanaryProposal, buildFailoverProposal, type ReceiverLimits } from '../../src/proposals';
import { parseJsonStrictly } from '../../src/shared/strictJson';

/**
 * Where the gate's proposal comes from. Building the failover and canary
 * proposals here (in the engine, tested there) keeps the shipped workflows to
 * settings an operator edits in a form, instead of JavaScript in Code nodes.
 */
export const proposalFromProperties: INodeProperties[] = [
	{
		displayName: 'Proposal From',
		name: 'proposalFrom',
		type: 'options',
		noDataExpression: true,
		default: 'field',
		options: [
			{ name: 'Proposal Field', value: 'field', description: 'A proposal built before this node: the Forecast node, the LLM Advisor, an approval, a Code node' },
			{ name: 'Region Signals (Failover / Failback)', value: 'failoverSignals', description: 'Builds the failover (alert firing) or failback (resolved) proposal from each region\'s Prometheus signals and the load balancer\'s state' },
			{ name: 'Canary vs Stable Signals (Rollback)', value: 'canarySignals', description: 'Builds the rollback proposal from the canary\'s and the stable track\'s Prometheus signals' },
		],
	},
	{
		displayName: 'Proposal',
		name: 'proposal',
		type: 'json',
		default: '={{ $json.proposal }}',
		displayOptions: { show: { proposalFrom: ['field'] } },
		description:
			'{ action, source, target: { cluster, namespace, kind, name }, current, proposed, evidence }, usually from the Forecast node, an alert or the LLM Advisor',
	},
	{
		displayName: 'Run',
		name: 'run',
		type: 'json',
		default: "={{ $('Lock service').item.json }}",
		displayOptions: { show: { proposalFrom: ['failoverSignals'] } },
		description:
			'The item the Lease was taken for: the alert, the failover settings (regions, cluster, kind, service, namespace, perPodCapacity) and the Lease (lock, state). Its fields travel on to the outputs.',
	},
	{
		displayName: 'Region Signals',
		name: 'regionSignals',
		type: 'json',
		default: "={{ $('Region signals').item.json.series }}",
		displayOptions: { show: { proposalFrom: ['failoverSignals'] } },
		description:
			'Prometheus instant series labelled region and signal: readyFraction, errorRate, load (requests/s; divided by perPodCapacity into requiredReplicas), capacityReplicas, healthyPools. A missing or NaN signal is unknown, and the gate holds on unknowns.',
	},
	{
		displayName: 'Load Balancer State',
		name: 'traffic',
		type: 'json',
		default: '={{ $json.traffic }}',
		displayOptions: { show: { proposalFrom: ['failoverSignals'] } },
		description: 'The traffic field of Load Balancer Drain\'s Status, read right before this node. The drain later refuses if it changed.',
	},
	{
		displayName: 'Canary',
		name: 'canary',
		type: 'json',
		default: "={{ $('Lock canary').item.json }}",
		displayOptions: { show: { proposalFrom: ['canarySignals'] } },
		description: 'The canary this run watches (cluster, namespace, canaryDeployment, canaryIngress) with its Lease (lock, state). Its fields travel on to the outputs.',
	},
	{
		displayName: 'Canary and Stable Signals',
		name: 'canarySignals',
		type: 'json',
		default: '={{ $json.series }}',
		displayOptions: { show: { proposalFrom: ['canarySignals'] } },
		description: 'Prometheus instant series labelled track (canary | stable) and signal (requests, errorRate, p99LatencyMs). No canary series is "no data"; the gate holds.',
	},
	{
		displayName: 'Query Error',
		name: 'queryError',
		type: 'json',
		default: "={{ $json.error ?? '' }}",
		displayOptions: { show: { proposalFrom: ['canarySignals'] } },
		description: 'The Prometheus Query node\'s error for this item (Continue on Fail): the gate holds on a provider error, it never rolls back on one',
	},
];

export interface GateInput {
	/** The fields the output item starts from. */
	base: IDataObject;
	proposal: unknown;
}

/** The proposal for one item and the item its verdict travels on. Throws a SettingsError (named field, fix) for a wrong setting. */
export function gateInputOf(context: IExecuteFunctions, itemIndex: number, item: IDataObject): GateInput {
	const from = context.getNodeParameter('proposalFrom', itemIndex, 'field') as string;
	if (from === 'failoverSignals') {
		const run = readJson(context, 'run', itemIndex);
		const proposal = buildFailoverProposal({
			run,
			signals: readJson(context, 'regionSignals', itemIndex),
			traffic: readJson(context, 'traffic', itemIndex),
			receiverLimits: receiverLimitsOf(context.getNodeParameter('policy', itemIndex) as unknown),
		});
		return { base: run as IDataObject, proposal };
	}
	if (from === 'canarySignals') {
		const canary = readJson(context, 'canary', itemIndex);
		const proposal = buildCanaryProposal({ canary, signals: readJson(context, 'canarySignals', itemIndex), queryError: readJson(context, 'queryError', itemIndex) });
		return { base: canary as IDataObject, proposal };
	}
	return { base: item, proposal: readJson(context, 'proposal', itemIndex) };
}

/** The receiver the gate would pass is the one to propose; a policy the gate will reject anyway leaves the readings to rank. */
function receiverLimitsOf(policy: unknown): ReceiverLimits | undefined {
	// As the gate reads it: text is YAML or JSON, an expression may hand over the object itself.
	const result = typeof policy === 'string' ? parsePolicy(policy) : validatePolicy(policy);
	return result.ok ? result.policy.failover : undefined;
}

/**
 * A JSON parameter may arrive as an object (expression) or as text typed into
 * the field. Text that is not JSON goes to the gate as it is, which rejects it
 * with a reason: bad input is a Hold/Reject outcome, not a failed workflow.
 */
export function readJson(context: IExecuteFunctions, name: string, itemIndex: number): unknown {
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
