import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { annotate as setAnnotations } from '../../../src/kubernetes';
import { type Action, dryRun, param, showFor, text } from './common';
import { objectFields, objectRef } from './patch';

const show = showFor(['annotate']);

export const description: INodeProperties[] = [
	...objectFields('annotate'),
	{
		displayName: 'Annotations to Set',
		name: 'annotations',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Annotation',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Annotation',
				name: 'annotation',
				values: [
					{ displayName: 'Key', name: 'key', type: 'string', default: '', placeholder: 'example.com/owner' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Annotations to Remove',
		name: 'removeAnnotations',
		type: 'string',
		default: '',
		placeholder: 'example.com/paused, example.com/reason',
		description: 'Comma-separated keys to delete',
		displayOptions: show,
	},
];

export const annotate: Action = {
	description,
	async execute(ctx) {
		const ref = objectRef(ctx);
		const changes: Record<string, string | null> = {};
		const set = (param<IDataObject>(ctx, 'annotations', {}).annotation as IDataObject[] | undefined) ?? [];
		for (const entry of set) changes[String(entry.key ?? '').trim()] = String(entry.value ?? '');
		for (const key of text(ctx, 'removeAnnotations').split(',').map((k) => k.trim()).filter(Boolean)) changes[key] = null;
		return setAnnotations(ctx.client, ref, changes, ctx.changeOptions(dryRun(ctx)));
	},
};
