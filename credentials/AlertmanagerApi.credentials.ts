import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The Alertmanager that workflows ask about alerts (e.g. "has it fired again?"
 * before a failback). The URL is the editor's choice, held here, never taken
 * from a webhook body. Tested by the Alertmanager Alert Check node (GET
 * /api/v2/status) through the same code path as the check itself.
 */
export class AlertmanagerApi implements ICredentialType {
	name = 'kubeOpsAlertmanagerApi';

	displayName = 'Alertmanager API';

	icon: Icon = { light: 'file:../nodes/AlertmanagerAlertCheck/alertmanager.svg', dark: 'file:../nodes/AlertmanagerAlertCheck/alertmanager.dark.svg' };

	documentationUrl = 'https://prometheus.io/docs/alerting/latest/clients/';

	properties: INodeProperties[] = [
		{
			displayName: 'URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://alertmanager.monitoring.svc:9093',
			description: 'Alertmanager\'s root URL (its API is under /api/v2)',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			default: 'none',
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'Bearer Token', value: 'bearer' },
				{ name: 'Basic Auth', value: 'basic' },
			],
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['bearer'] } },
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			displayOptions: { show: { authentication: ['basic'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['basic'] } },
		},
		// A CA certificate is public material; masking it would only hide typos.
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field
		{
			displayName: 'CA Certificate',
			name: 'caCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'PEM of a private CA that signed Alertmanager\'s certificate; empty = the system trust store',
		},
		{
			displayName: 'Allow Insecure Connection',
			name: 'allowInsecure',
			type: 'boolean',
			default: false,
			description: 'Whether an http:// URL is accepted (requests and credentials travel unencrypted). Only on a trusted network path.',
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			default: 10000,
			typeOptions: { minValue: 1 },
		},
	];
}
