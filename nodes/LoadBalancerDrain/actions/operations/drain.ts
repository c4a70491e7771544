import type { INodeProperties } from 'n8n-workflow';

import { type OperationAction, showFor } from '../common';

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
		displayName: 'Wait for DNS to Move Traffic',
		name: 'waitForPropagation',
		type: 'boolean',
		default: false,
		description:
			'Whether to wait until Route 53 reports the change INSYNC (on all its name servers) and then the record\'s TTL (resolvers drop the old answer): only then has traffic moved. The output\'s propagation field says how long each took.',
		displayOptions: showFor(['drain'], ['route53']),
	},
	{
		displayName: 'Wait Up To (Seconds)',
		name: 'propagationTimeout',
		type: 'number',
		default: 300,
		typeOptions: { minValue: 1 },
		description: 'Deadline for INSYNC plus the TTL; past it the record stays drained and the output says what was not reached',
		displayOptions: showFor(['drain'], ['route53'], { waitForPropagation: [true] }),
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
		const dns = provider === 'route53' && (fn.getNodeParameter('waitForPropagation', itemIndex, false) as boolean);
		return {
			operation: 'drain',
			...target,
			force: fn.getNodeParameter('force', itemIndex, false) as boolean,
			wait: wait
				? { timeoutMs: Number(fn.getNodeParameter('waitTimeout', itemIndex, 60)) * 1000 }
				: dns
					? { timeoutMs: Number(fn.getNodeParameter('propagationTimeout', itemIndex, 300)) * 1000 }
					: undefined,
			maintAfter: wait && (fn.getNodeParameter('thenMaintenance', itemIndex, false) as boolean),
		};
	},
};
