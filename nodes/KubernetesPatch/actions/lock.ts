import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { type LockInfo, KubeError, lockAndReadState } from '../../../src/kubernetes';
import { type ItemAction, type ItemContext, itemParam, itemText, requiredText } from './itemAction';

const show = { show: { operation: ['lock'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Takes the Lease so no other execution acts on this service at the same time, and puts the loop\'s state (read from the Lease) on the item for the Policy Gate. Route on {{ $json.lock.acquired }} with an IF node; end every acquired branch with Record Decision, Save State and Unlock.',
		name: 'lockNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Lease Name',
		name: 'leaseName',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ \'kube-ops-failover-\' + $json.alert.labels.service }}',
		description: 'One Lease per loop and service, e.g. kube-ops-failover-checkout. It is created on first use in Namespace (of this credential\'s cluster).',
		displayOptions: show,
	},
	{
		displayName: 'Lease Seconds',
		name: 'leaseSeconds',
		type: 'number',
		default: 300,
		typeOptions: { minValue: 1 },
		description: 'How long the lock holds without being released: longer than the run takes (scale-up and wait for Ready included), so it never runs out mid-run; a crashed run blocks the next one for at most this long',
		displayOptions: show,
	},
	{
		displayName: 'Dedupe Key',
		name: 'dedupeKey',
		type: 'string',
		default: '',
		placeholder: '={{ $json.dedupeKey }}',
		description: 'Optional. When it equals the key of the last alert this loop acted on, the item is a duplicate: lock.acquired is false and lock.duplicate true.',
		displayOptions: show,
	},
];

async function execute(ctx: ItemContext) {
	const namespace = requiredText(ctx, 'namespace', 'Namespace');
	const name = requiredText(ctx, 'leaseName', 'Lease Name');
	const seconds = Number(itemParam<unknown>(ctx, 'leaseSeconds', 300));
	if (!Number.isInteger(seconds) || seconds < 1) throw new KubeError('invalid', `Lease Seconds must be a whole number of seconds, got ${seconds}`, 'Use e.g. 300: longer than the run takes.');
	const key = `${namespace}/${name}`;
	// acquireLease treats our own holder as "already ours": a second item of this run must not think it has the lock to itself.
	const earlier = ctx.shared.get(key) as number | undefined;
	if (earlier !== undefined) {
		const lock: LockInfo = { namespace, name, holder: ctx.holder, acquired: false, heldBy: ctx.holder, expiresAt: null, duplicate: false, reason: `Lease "${name}" in namespace "${namespace}" is already held by this execution for item ${earlier}` };
		return { fields: { lock: lock as unknown as IDataObject, state: {} } };
	}
	const result = await lockAndReadState(ctx.client, { namespace, name, holder: ctx.holder, durationSeconds: seconds, dedupeKey: itemText(ctx, 'dedupeKey') });
	if (result.lock.acquired) ctx.shared.set(key, ctx.itemIndex);
	return { fields: { lock: result.lock as unknown as IDataObject, state: result.state as IDataObject } };
}

export const lock: ItemAction = { description, execute };
