import { KubeClient, type KubernetesCredentialFields, connectionFromCredential } from '../kubernetes';
import { CloudflareProvider, type CloudflareOptions } from './cloudflare';
import { cloudflareFromCredential } from './cloudflareCredential';
import { HaproxyProvider, type HaproxyOptions } from './haproxy';
import { KubernetesWeightsProvider, type KubernetesWeightsOptions } from './kubernetes';
import { Route53Provider, type Route53Options } from './route53';
import { route53FromCredential } from './route53Credential';
import type { ProviderName } from './types';

/**
 * Where every load-balancer provider is built: the node, its credential
 * tests and `kube-ops lb` name a provider and its settings, and get the same
 * object, so a setting means the same thing wherever it is given.
 */
export interface ProviderOptions {
	haproxy: HaproxyOptions;
	cloudflare: CloudflareOptions;
	route53: Route53Options;
	kubernetes: KubernetesWeightsOptions;
}

export interface Providers {
	haproxy: HaproxyProvider;
	cloudflare: CloudflareProvider;
	route53: Route53Provider;
	kubernetes: KubernetesWeightsProvider;
}

export type ProviderSpec = { [N in ProviderName]: { provider: N } & ProviderOptions[N] }[ProviderName];

export function createProvider<N extends ProviderName>(spec: { provider: N } & ProviderOptions[N]): Providers[N];
export function createProvider(spec: ProviderSpec): Providers[ProviderName] {
	switch (spec.provider) {
		case 'haproxy':
			return new HaproxyProvider(spec);
		case 'cloudflare':
			return new CloudflareProvider(spec);
		case 'route53':
			return new Route53Provider(spec);
		case 'kubernetes':
			return new KubernetesWeightsProvider(spec);
	}
}

/** What a node item adds to its credential: the Cloudflare zone of pool-level changes, the Kubernetes namespace. */
export interface CredentialContext {
	zoneId?: string;
	namespace?: string;
}

export interface FromCredential<N extends ProviderName> {
	provider: Providers[N];
	/** Set when the credential allows plain http or no TLS verification: what the output notes. */
	insecure?: string;
	/** Route 53: the hosted zone the credential test reads. */
	testZone?: string;
}

function timeoutOf(data: Record<string, unknown>): number | undefined {
	const timeout = Number(data.timeout);
	return timeout > 0 ? timeout : undefined;
}

/** A provider from the fields of its n8n credential (plain data: the engine knows nothing of n8n). */
export function providerFromCredential<N extends ProviderName>(name: N, data: Record<string, unknown>, context?: CredentialContext): FromCredential<N>;
export function providerFromCredential(name: ProviderName, data: Record<string, unknown>, context: CredentialContext = {}): FromCredential<ProviderName> {
	switch (name) {
		case 'haproxy':
			return { provider: createProvider({ provider: 'haproxy', address: String(data.address ?? ''), timeoutMs: timeoutOf(data) }) };
		case 'cloudflare': {
			const { auth, baseUrl, insecure } = cloudflareFromCredential(data);
			const provider = createProvider({ provider: 'cloudflare', accountId: String(data.accountId ?? '').trim(), zoneId: context.zoneId, auth, baseUrl, timeoutMs: timeoutOf(data) });
			return { provider, insecure };
		}
		case 'route53': {
			const { options, insecure, testZone } = route53FromCredential(data);
			return { provider: createProvider({ provider: 'route53', ...options }), insecure, testZone };
		}
		case 'kubernetes': {
			// The mapping every Kubernetes operation uses, so the exec/local-file switch and the timeout apply here too.
			const client = new KubeClient(connectionFromCredential(data as KubernetesCredentialFields));
			return { provider: createProvider({ provider: 'kubernetes', client, namespace: context.namespace }), insecure: client.connection.insecure };
		}
	}
}
