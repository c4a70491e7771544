import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { type WorkloadKind, readWorkload } from '../../../src/kubernetes';
import { type ItemAction, type ItemContext, itemParam, requiredText } from './itemAction';

const show = { show: { operation: ['read'] } };

const kinds: Record<string, WorkloadKind> = {
	deployment: 'Deployment',
	statefulSet: 'StatefulSet',
	horizontalPodAutoscaler: 'HorizontalPodAutoscaler',
	scaledObject: 'ScaledObject',
};

export const description: INodeProperties[] = [
	{
		displayName: 'Kind',
		name: 'readKind',
		type: 'options',
		default: 'deployment',
		options: [
			{ name: 'Deployment', value: 'deployment' },
			{ name: 'HorizontalPodAutoscaler', value: 'horizontalPodAutoscaler' },
			{ name: 'KEDA ScaledObject', value: 'scaledObject' },
			{ name: 'StatefulSet', value: 'statefulSet' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'web',
		displayOptions: show,
	},
];

async function execute(ctx: ItemContext) {
	const kind = kinds[itemParam(ctx, 'readKind', 'deployment')] ?? 'Deployment';
	const workload = await readWorkload(ctx.client, kind, requiredText(ctx, 'namespace', 'Namespace'), requiredText(ctx, 'name', 'Name'));
	return { fields: { workload: workload as unknown as IDataObject } };
}

export const read: ItemAction = { description, execute };
