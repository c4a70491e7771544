import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The key the Policy Gate signs its verdicts with and the mutating nodes
 * (Kubernetes Patch, Load Balancer Drain) verify them with. Use one
 * credential for all of them; a verdict signed with any other key, or none,
 * moves nothing. Nothing remote to call: the nodes test it (testedBy) by
 * checking the key is long enough.
 */
export class KubeOpsSigningKey implements ICredentialType {
	name = 'kubeOpsSigningKey';

	displayName = 'Kube-Ops Signing Key';

	icon: Icon = { light: 'file:../nodes/PolicyGate/policyGate.svg', dark: 'file:../nodes/PolicyGate/policyGate.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-kube-ops/n8n-nodes-kube-ops/blob/main/src/policy/README.md#signed-verdicts';

	properties: INodeProperties[] = [
		{
			displayName:
				'Select this same credential on the Policy Gate and on every Kubernetes Patch and Load Balancer Drain node. Generate a key with: openssl rand -hex 32',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Signing Key',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'At least 32 characters. The Policy Gate signs verdicts with it (HMAC-SHA256); mutating nodes refuse verdicts not signed with it.',
		},
		{
			displayName: 'Previous Key (Verify Only)',
			name: 'previousSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'While rotating: verdicts signed with this key are still accepted by mutating nodes for the few minutes they live. Leave empty otherwise.',
		},
	];
}
