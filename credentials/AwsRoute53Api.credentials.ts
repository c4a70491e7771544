import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * AWS Route 53 for the Load Balancer Drain node. Named kubeOpsAwsRoute53Api
 * so it cannot clash with n8n's own AWS credential. Tested by the node
 * (testedBy): it reads the test zone (or lists zones) through the same AWS
 * SDK client the operations use, SigV4 signing included.
 */
export class AwsRoute53Api implements ICredentialType {
	name = 'kubeOpsAwsRoute53Api';

	displayName = 'AWS Route 53 (Kube-Ops)';

	icon: Icon = { light: 'file:../nodes/LoadBalancerDrain/loadBalancerDrain.svg', dark: 'file:../nodes/LoadBalancerDrain/loadBalancerDrain.dark.svg' };

	documentationUrl = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			default: 'accessKey',
			options: [
				{ name: 'Access Key', value: 'accessKey', description: 'An IAM user\'s or role session\'s keys, with the policy in docs/providers.md (Least-privilege IAM policy)' },
				{
					name: 'AWS Default Chain',
					value: 'defaultChain',
					description:
						'What the AWS SDK finds where n8n runs: AWS_* variables, web identity (EKS IRSA), ECS task or EC2 instance role, and ~/.aws files (which may run a credential_process). Choose it only where that is intended.',
				},
			],
		},
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['accessKey'] } },
		},
		{
			displayName: 'Secret Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['accessKey'] } },
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for temporary keys (they start with ASIA)',
			displayOptions: { show: { authentication: ['accessKey'] } },
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'string',
			default: 'us-east-1',
			description: 'The signing region. Route 53 is global and signs in us-east-1; change it only for the China or GovCloud partitions.',
		},
		{
			displayName: 'Hosted Zone for the Test',
			name: 'testZone',
			type: 'string',
			default: '',
			placeholder: 'example.com or Z0123456789ABCDEFGHIJ',
			description: 'The Test button reads this zone\'s records (the least-privilege policy allows nothing else). Empty: it lists hosted zones.',
		},
		{
			displayName: 'Endpoint URL (for Testing/Compatible APIs)',
			name: 'endpoint',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:4566',
			description: 'Leave empty for AWS. Only for a Route 53-compatible API or a test server.',
		},
		{
			displayName: 'Allow Insecure Connection',
			name: 'allowInsecure',
			type: 'boolean',
			default: false,
			description: 'Whether an http:// endpoint URL is accepted (requests are signed, not encrypted). Only for a test server.',
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
