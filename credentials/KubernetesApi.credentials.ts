import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Tested by the Kubernetes Patch node (testedBy: GET /version), not by a
 * declarative request: client-node's KubeConfig must do the TLS and auth
 * (client certificates, exec plugins, OIDC), exactly as the node will.
 */
export class KubernetesApi implements ICredentialType {
	name = 'kubeOpsKubernetesApi';

	displayName = 'Kubernetes API';

	icon: Icon = { light: 'file:../nodes/KubernetesPatch/kubernetes.svg', dark: 'file:../nodes/KubernetesPatch/kubernetes.dark.svg' };

	documentationUrl = 'https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/';

	properties: INodeProperties[] = [
		{
			displayName: 'Connect With',
			name: 'source',
			type: 'options',
			default: 'kubeconfig',
			options: [
				{ name: 'Kubeconfig', value: 'kubeconfig', description: 'Paste a kubeconfig and pick a context: tokens, client certificates, exec plugins (EKS, GKE, AKS), OIDC' },
				{ name: 'Server URL and Token', value: 'token', description: 'A service account token and the cluster CA' },
				{ name: 'In-Cluster Service Account', value: 'inCluster', description: 'n8n runs in the cluster: use its pod\'s service account' },
			],
		},
		// Holds tokens, client keys and exec settings: a secret the rule cannot recognise by its name.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Kubeconfig',
			name: 'kubeconfig',
			type: 'string',
			typeOptions: { rows: 8, password: true },
			default: '',
			placeholder: 'apiVersion: v1\nkind: Config\nclusters: ...',
			description: 'The whole kubeconfig as YAML; kubectl config view --minify --raw --context &lt;name&gt; prints one with certificates and tokens inlined',
			displayOptions: { show: { source: ['kubeconfig'] } },
		},
		{
			displayName: 'Context',
			name: 'context',
			type: 'string',
			default: '',
			placeholder: 'prod-eu-1',
			description: 'Context to use; empty = the kubeconfig\'s current-context',
			displayOptions: { show: { source: ['kubeconfig'] } },
		},
		{
			displayName: 'Allow Exec Plugins and Local Files',
			name: 'allowHostAccess',
			type: 'boolean',
			default: false,
			description:
				'Whether the kubeconfig may make n8n run a command on its host (exec plugins: aws eks get-token, gke-gcloud-auth-plugin, kubelogin; auth-provider) or read files there (token-file, client-certificate, client-key, certificate-authority). Off, only inline fields are read (server, certificate-authority-data, tls-server-name, token, client-certificate-data, client-key-data, username, password, the context\'s namespace) and anything else is refused.',
			displayOptions: { show: { source: ['kubeconfig'] } },
		},
		{
			displayName: 'Server URL',
			name: 'server',
			type: 'string',
			default: '',
			placeholder: 'https://10.0.0.1:6443',
			displayOptions: { show: { source: ['token'] } },
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Bearer token, e.g. from kubectl create token kube-ops -n kube-ops --duration=8760h',
			displayOptions: { show: { source: ['token'] } },
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
			description: 'PEM of the cluster CA (base64-decoded certificate-authority-data); empty = the system trust store',
			displayOptions: { show: { source: ['token'] } },
		},
		{
			displayName: 'Allow Insecure Connection',
			name: 'allowInsecure',
			type: 'boolean',
			default: false,
			description:
				'Whether to connect to an http:// server or without verifying the server certificate (a kubeconfig\'s insecure-skip-tls-verify). Off, such a connection is refused. Only for test clusters: the token is sent to whoever answers, and the node\'s output notes it.',
			displayOptions: { show: { source: ['kubeconfig', 'token'] } },
		},
		{
			displayName: 'Cluster Name',
			name: 'clusterName',
			type: 'string',
			default: '',
			placeholder: 'prod-eu-1',
			description:
				'The name proposals use for this cluster (target.cluster, or the region a failover moves to). The node refuses proposals for another cluster. Empty = the kubeconfig context name.',
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
