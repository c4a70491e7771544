import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Cloudflare Load Balancing for the Load Balancer Drain node. Named
 * kubeOpsCloudflareApi because n8n's own Cloudflare node already owns the
 * type name cloudflareApi. Tested by the node (testedBy): it lists the
 * account's pools through the same client, rate limiter included.
 */
export class CloudflareApi implements ICredentialType {
	name = 'kubeOpsCloudflareApi';

	displayName = 'Cloudflare Load Balancing API';

	icon: Icon = { light: 'file:../nodes/LoadBalancerDrain/loadBalancerDrain.svg', dark: 'file:../nodes/LoadBalancerDrain/loadBalancerDrain.dark.svg' };

	documentationUrl = 'https://developers.cloudflare.com/load-balancing/';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			default: 'apiToken',
			options: [
				{ name: 'API Token', value: 'apiToken', description: 'Recommended: a token with Load Balancing: Monitors and Pools Write (and Load Balancers Read on the zone)' },
				{ name: 'Global API Key', value: 'apiKey', description: 'Legacy: the account e-mail and the Global API Key' },
			],
		},
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['apiToken'] } },
		},
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
			displayOptions: { show: { authentication: ['apiKey'] } },
		},
		{
			displayName: 'Global API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['apiKey'] } },
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			required: true,
			description: 'The account that owns the pools (32 hex characters, shown on the dashboard\'s account home)',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.cloudflare.com/client/v4',
			description: 'Change only for a proxy or a test server that speaks the v4 API',
		},
		{
			displayName: 'Allow Insecure Connection',
			name: 'allowInsecure',
			type: 'boolean',
			default: false,
			description: 'Whether an http:// API Base URL is accepted (the API token travels unencrypted). Only for a test server.',
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			default: 30000,
			typeOptions: { minValue: 1 },
			description: 'Per request, in milliseconds',
		},
	];
}
