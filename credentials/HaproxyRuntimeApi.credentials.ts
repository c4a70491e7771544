import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The Runtime API is a TCP or unix socket, not HTTP, so a declarative test
 * request cannot reach it: the Load Balancer Drain node tests it (testedBy)
 * with `show info` and `show cli level` on the same code path as a drain.
 * It has no authentication of its own; whoever reaches the socket is its
 * level, so keep it on loopback or a private network.
 */
export class HaproxyRuntimeApi implements ICredentialType {
	name = 'kubeOpsHaproxyRuntimeApi';

	displayName = 'HAProxy Runtime API';

	icon: Icon = { light: 'file:../nodes/LoadBalancerDrain/loadBalancerDrain.svg', dark: 'file:../nodes/LoadBalancerDrain/loadBalancerDrain.dark.svg' };

	documentationUrl = 'https://docs.haproxy.org/2.6/management.html#9.3';

	properties: INodeProperties[] = [
		{
			displayName: 'Address',
			name: 'address',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'ipv4@10.0.0.5:9999',
			description:
				'The stats socket as haproxy.cfg\'s global section declares it, which must be at level admin: stats socket ipv4@10.0.0.5:9999 level admin. Host:port or a unix socket path (/run/haproxy/admin.sock) also work.',
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			default: 5000,
			typeOptions: { minValue: 1 },
			description: 'Per command, in milliseconds',
		},
	];
}
