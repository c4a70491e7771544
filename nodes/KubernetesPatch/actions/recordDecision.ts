import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { type LoopChoice, type OutcomeChoice, recordLoopDecision } from '../../../src/kubernetes';
import { type ItemAction, type ItemContext, itemParam } from './itemAction';

const show = { show: { operation: ['recordDecision'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Ends a loop run: writes the decision record (with the outcome and any error) as an Event on the proposal\'s target, saves the loop\'s next state on the Lease from Lock (Lease) and Read State, and releases it. Connect every branch after the lock here, the error outputs included.',
		name: 'recordNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Outcome',
		name: 'outcome',
		type: 'options',
		default: 'auto',
		options: [
			{ name: 'Applied', value: 'applied', description: 'The verdict was carried out' },
			{ name: 'Auto', value: 'auto', description: 'Failed when the item carries an error; applied for an apply verdict (or an approve verdict with an approval); otherwise not applied' },
			{ name: 'Failed', value: 'failed', description: 'Carrying out the verdict failed: counts towards the circuit breaker' },
			{ name: 'Not Applied', value: 'notApplied', description: 'Hold, reject, or approval not given: the state stays as it was (a canary keeps the gate\'s counters)' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Loop',
		name: 'loop',
		type: 'options',
		default: 'auto',
		options: [
			{ name: 'Auto (From the Proposal)', value: 'auto' },
			{ name: 'Canary', value: 'canary' },
			{ name: 'Failover', value: 'failover' },
			{ name: 'Scaling', value: 'scaling' },
		],
		description: 'Which loop this is; anything but Auto must match the proposal\'s action',
		displayOptions: show,
	},
];

async function execute(ctx: ItemContext) {
	const options = itemParam<IDataObject>(ctx, 'options', {});
	const record = await recordLoopDecision(ctx.client, {
		item: ctx.json,
		outcome: itemParam<OutcomeChoice>(ctx, 'outcome', 'auto'),
		loop: itemParam<LoopChoice>(ctx, 'loop', 'auto'),
		eventNamespace: typeof options.eventNamespace === 'string' ? options.eventNamespace : undefined,
		reportingInstance: ctx.reportingInstance,
		maxAttempts: options.maxAttempts === undefined ? undefined : Math.max(1, Number(options.maxAttempts)),
		verifyWith: ctx.verifyKeys,
	});
	return { fields: { record: record as unknown as IDataObject }, warnings: record.notes };
}

export const recordDecision: ItemAction = { description, execute };
