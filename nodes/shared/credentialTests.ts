import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { checkKubernetesConnection, type KubernetesCredentialFields } from '../../src/kubernetes';
import { CloudflareProvider, HaproxyProvider, Route53Provider, cloudflareFromCredential, route53FromCredential } from '../../src/loadbalancer';
import { redact } from '../../src/shared/redact';

/** Credential tests on the same code path as the operations (socket, TLS, auth, rate limiter). */
export const credentialTest = {
	async haproxyRuntimeApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		const data = credential.data ?? {};
		try {
			const timeout = Number(data.timeout);
			const { version, level } = await new HaproxyProvider({ address: String(data.address ?? ''), timeoutMs: timeout > 0 ? timeout : undefined }).check();
			return { status: 'OK', message: `Connected: HAProxy ${version}, level ${level}` };
		} catch (error) {
			return { status: 'Error', message: (error as Error).message };
		}
	},

	async cloudflareApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		const data = credential.data ?? {};
		try {
			const { auth, baseUrl, insecure } = cloudflareFromCredential(data);
			const { pools } = await new CloudflareProvider({ accountId: String(data.accountId ?? '').trim(), auth, baseUrl }).check();
			return { status: 'OK', message: `Connected: ${pools} load balancing pool(s) in the account${insecure ? ` (${insecure})` : ''}` };
		} catch (error) {
			return { status: 'Error', message: redact((error as Error).message) };
		}
	},

	async route53ApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		try {
			const { options, insecure, testZone } = route53FromCredential(credential.data ?? {});
			const found = await new Route53Provider(options).check(testZone);
			const what = found.zone ? `hosted zone ${found.zone} readable (${found.records} record set(s) on the first page)` : `${found.zones} hosted zone(s) visible`;
			return { status: 'OK', message: `Connected: ${what}${insecure ? ` (${insecure})` : ''}` };
		} catch (error) {
			return { status: 'Error', message: redact((error as Error).message) };
		}
	},

	// Same name and check as the Kubernetes Patch node's test, so the credential tests alike from either node.
	async kubernetesApiConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		const result = await checkKubernetesConnection((credential.data ?? {}) as KubernetesCredentialFields);
		return { status: result.ok ? 'OK' : 'Error', message: result.message };
	},
};
