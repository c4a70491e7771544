import type { INodeProperties } from 'n8n-workflow';

import { type WaitKind, checkExplicit, refusal, waitForReady } from '../../../src/kubernetes';
import { type Action, type ActionContext, namespaceOf, param, required, showFor, text } from './common';

const show = showFor(['waitReady']);

export const description: INodeProperties[] = [
	{
		displayName: 'Kind',
		name: 'waitKind',
		type: 'options',
		default: 'Deployment',
		options: [
			{ name: 'Deployment', value: 'Deployment' },
			{ name: 'StatefulSet', value: 'StatefulSet' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'web',
		description: 'Leave empty when the item carries a proposal',
		displayOptions: show,
	},
	{
		displayName: 'Target Ready Replicas',
		name: 'targetReplicas',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Ready replicas to wait for. 0 = the object\'s spec.replicas, or a scale verdict\'s value when the item carries one.',
		displayOptions: show,
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		default: 300,
		typeOptions: { minValue: 1 },
		displayOptions: show,
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollSeconds',
		type: 'number',
		default: 2,
		typeOptions: { minValue: 0.1 },
		displayOptions: show,
	},
	{
		displayName: 'On Timeout',
		name: 'onTimeout',
		type: 'options',
		default: 'error',
		options: [
			{ name: 'Stop With an Error', value: 'error', description: 'Safest: a failover must not drain the old region before the new one is Ready' },
			{ name: 'Output the Status', value: 'output', description: 'Output { ready: false, readyReplicas, ... } and let the workflow decide' },
		],
		displayOptions: show,
	},
];

function progressReporter(ctx: ActionContext, what: string) {
	return (p: { readyReplicas: number; targetReplicas: number; updatedReplicas: number; waitedSeconds: number }) => {
		try {
			// Visible in the browser console during manual runs; n8n ignores it otherwise.
			ctx.fn.sendMessageToUI(`${what}: ${p.readyReplicas}/${p.targetReplicas} ready, ${p.updatedReplicas} updated after ${p.waitedSeconds}s`);
		} catch {
			// Progress is a courtesy; never fail the wait over it.
		}
	};
}

export const waitReady: Action = {
	description,
	async execute(ctx) {
		const { gated } = ctx;
		let kind = param<WaitKind>(ctx, 'waitKind', 'Deployment');
		let name: string;
		let target = param(ctx, 'targetReplicas', 0);
		if (gated) {
			if (gated.target.kind !== 'Deployment' && gated.target.kind !== 'StatefulSet') {
				throw refusal(`Refusing to act: Wait for Ready works on Deployments and StatefulSets, and the proposal targets a ${gated.target.kind}`, 'Wait on the workload itself with explicit parameters, without the proposal on the item.');
			}
			checkExplicit(gated, { namespace: text(ctx, 'namespace'), name: text(ctx, 'name'), kind });
			kind = gated.target.kind;
			name = gated.target.name;
			// The count the verdict sized; Target Replicas is not read under a verdict.
			if (gated.permit.operation === 'waitReady' && gated.permit.replicas !== undefined) target = gated.permit.replicas;
		} else {
			name = required(text(ctx, 'name'), 'Name');
		}
		const namespace = namespaceOf(ctx);
		return waitForReady(ctx.client, kind, namespace, name, {
			targetReplicas: target > 0 ? target : undefined,
			timeoutMs: param(ctx, 'timeoutSeconds', 300) * 1000,
			intervalMs: param(ctx, 'pollSeconds', 2) * 1000,
			failOnTimeout: param<string>(ctx, 'onTimeout', 'error') !== 'output',
			onProgress: progressReporter(ctx, `${kind} ${namespace}/${name}`),
		});
	},
};
