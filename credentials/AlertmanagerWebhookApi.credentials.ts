import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * What Alertmanager must present to the Alertmanager Trigger's webhook. One
 * credential for both schemes: the node's Authentication parameter picks the
 * Bearer token or the user and password. Nothing remote to call, so the node
 * tests it (testedBy) by checking the secrets are set and strong enough.
 */
export class AlertmanagerWebhookApi implements ICredentialType {
	name = 'kubeOpsAlertmanagerWebhookApi';

	displayName = 'Alertmanager Webhook';

	icon: Icon = { light: 'file:../nodes/AlertmanagerTrigger/alertmanager.svg', dark: 'file:../nodes/AlertmanagerTrigger/alertmanager.dark.svg' };

	documentationUrl = 'https://prometheus.io/docs/alerting/latest/configuration/#webhook_config';

	properties: INodeProperties[] = [
		{
			displayName:
				'Used by the node\'s Authentication setting: Bearer needs the token (Alertmanager: http_config.authorization.credentials or credentials_file), Basic needs the user and password (http_config.basic_auth).',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Bearer Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'For Bearer authentication. A long random value, e.g. from: openssl rand -hex 32.',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'For Basic authentication',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'For Basic authentication',
		},
	];
}
