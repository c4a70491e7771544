/**
 * The `data` of the package's n8n credentials, filled in for the local ops
 * stack: what an end-to-end test writes into n8n (POST /rest/credentials or
 * `n8n import:credentials`) so the shipped workflows reach the stack. Field
 * names are those of credentials/*.credentials.ts; a test in
 * test/integration/stack.test.ts checks them against those files.
 */

export interface KubeTarget {
	url: string;
	token: string;
	caCert?: string;
	clusterName: string;
}

export interface KubernetesApiCredentialData {
	source: 'token';
	server: string;
	token: string;
	caCertificate: string;
	allowInsecure: boolean;
	clusterName: string;
	timeout: number;
}

export interface PrometheusApiCredentialData {
	url: string;
	authentication: 'none';
	headers: string;
	caCertificate: string;
	allowUnauthorizedCerts: boolean;
	/** The sandbox's Prometheus is plain http on loopback. */
	allowInsecure: boolean;
	timeout: number;
}

export interface HaproxyRuntimeApiCredentialData {
	address: string;
	timeout: number;
}

/** Server URL and token, with the sandbox's certificate as the CA: TLS is verified, as in production. */
export function kubernetesApiCredential(cluster: KubeTarget): KubernetesApiCredentialData {
	return {
		source: 'token',
		server: cluster.url,
		token: cluster.token,
		caCertificate: cluster.caCert ?? '',
		allowInsecure: false,
		clusterName: cluster.clusterName,
		timeout: 30_000,
	};
}

export function prometheusApiCredential(url: string): PrometheusApiCredentialData {
	return { url, authentication: 'none', headers: '', caCertificate: '', allowUnauthorizedCerts: false, allowInsecure: true, timeout: 30_000 };
}

/** `address` as haproxy.cfg's stats socket line says it: `ipv4@127.0.0.1:<port>`. */
export function haproxyRuntimeApiCredential(address: string): HaproxyRuntimeApiCredentialData {
	return { address, timeout: 5000 };
}

/** n8n credential type name -> its data, one entry per credential a workflow of the stack needs. */
export interface StackCredentials {
	kubeOpsKubernetesApi: Record<string, KubernetesApiCredentialData>;
	kubeOpsPrometheusApi: PrometheusApiCredentialData;
	kubeOpsHaproxyRuntimeApi: HaproxyRuntimeApiCredentialData;
}

export function stackCredentials(stack: { prometheus: { url: string }; haproxy: { runtime: { address: string } }; kube: Record<string, KubeTarget> }): StackCredentials {
	return {
		kubeOpsKubernetesApi: Object.fromEntries(Object.entries(stack.kube).map(([name, cluster]) => [name, kubernetesApiCredential(cluster)])),
		kubeOpsPrometheusApi: prometheusApiCredential(stack.prometheus.url),
		kubeOpsHaproxyRuntimeApi: haproxyRuntimeApiCredential(stack.haproxy.runtime.address),
	};
}
