import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Tested by the Prometheus Query node (testedBy), not by a declarative
 * request: the test must use the same TLS (custom CA), tenant headers and
 * auth code path as the queries themselves.
 */
export class PrometheusApi implements ICredentialType {
	name = 'kubeOpsPrometheusApi';

	displayName = 'Prometheus API';

	icon: Icon = { light: 'file:../nodes/PrometheusQuery/prometheus.svg', dark: 'file:../nodes/PrometheusQuery/prometheus.dark.svg' };

	documentationUrl = 'https://prometheus.io/docs/prometheus/latest/querying/api/';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://prometheus.monitoring.svc:9090',
			description:
				'Server root of Prometheus or a compatible API (Thanos Query, VictoriaMetrics; for Mimir/Cortex include the /prometheus prefix)',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			default: 'none',
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'Basic Auth', value: 'basicAuth' },
				{ name: 'Bearer Token', value: 'bearerToken' },
			],
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			displayOptions: { show: { authentication: ['basicAuth'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['basicAuth'] } },
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['bearerToken'] } },
			description: 'Sent as Authorization: Bearer &lt;token&gt;',
		},
		{
			displayName: 'Extra Headers',
			name: 'headers',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'X-Scope-OrgID: team-a',
			description: 'One "Name: value" per line, sent with every request, e.g. the tenant header of Mimir, Cortex or Thanos',
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
			description: 'PEM certificate(s) of a private CA that signed the server certificate',
		},
		// A boolean switch, not a secret (the rule matches "Certs" in its name).
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'allowUnauthorizedCerts',
			type: 'boolean',
			default: false,
			description: 'Whether to connect even if the TLS certificate cannot be verified. Only for testing.',
		},
		{
			displayName: 'Allow Insecure Connection',
			name: 'allowInsecure',
			type: 'boolean',
			default: false,
			description:
				'Whether an http:// URL, or Ignore SSL Issues, is accepted. Off, they are refused: queries and credentials would travel unencrypted or to whoever answers. Turn on only for a trusted network path (e.g. Prometheus in the same cluster without TLS); the node\'s output notes it.',
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			default: 30000,
			typeOptions: { minValue: 1 },
			description:
				'Per request, in milliseconds; Prometheus is asked to stop the query just before it (capped by its own --query.timeout)',
		},
	];
}
