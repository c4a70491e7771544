import type { INodeProperties } from 'n8n-workflow';

import { type OperationAction, showFor } from './common';

const show = showFor(['drain']);

const description: INodeProperties[] = [
	{
		displayName: 'Wait for Sessions to Finish',
		name: 'waitForSessions',
		type: 'boolean',
		default: false,
		description: 'Whether to wait until the server has no sessions left (HAProxy): in-flight requests complete before the node moves on',
		displayOptions: showFor(['drain'], ['haproxy']),
	},
	{
		displayName: 'Wait Up To (Seconds)',
		name: 'waitTimeout',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 1 },
		description: 'Deadline for the sessions to reach 0; past it the server stays drained and the output says how many sessions were left',
		displayOptions: showFor(['drain'], ['haproxy'], { waitForSessions: [true] }),
	},
	{
		displayName: 'Then Maintenance',
		name: 'thenMaintenance',
		type: 'boolean',
		default: false,
		description: 'Whether to put the server in maintenance (no traffic, no health checks) once its sessions reached 0',
		displayOptions: showFor(['drain'], ['haproxy'], { waitForSessions: [true] }),
	},
	{
		displayName: 'Allow Draining the Last Serving Server',
		name: 'force',
		type: 'boolean',
		default: false,
		description: 'Whether to drain even when nothing else in the backend takes traffic. Off, such a drain is refused: it would be an outage.',
		displayOptions: show,
	},
];

export const drain: OperationAction = {
	description,
	request(fn, itemIndex, target, provider) {
		const wait = provider === 'haproxy' && (fn.getNodeParameter('waitForSessions', itemIndex, false) as boolean);
		return {
			operation: 'drain',
			...target,
			force: fn.getNodeParameter('force', itemIndex, false) as boolean,
			wait: wait ? { timeoutMs: Number(fn.getNodeParameter('waitTimeout', itemIndex, 60)) * 1000 } : undefined,
			maintAfter: wait && (fn.getNodeParameter('thenMaintenance', itemIndex, false) as boolean),
		};
	},
};
