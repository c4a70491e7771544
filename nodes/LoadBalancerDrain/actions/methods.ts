import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { checkKubernetesConnection, type KubernetesCredentialFields } from '../../../src/kubernetes';
import { type CloudflareAuth, CloudflareProvider, HaproxyProvider } from '../../../src/loadbalancer';

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
		const auth: CloudflareAuth =
			data.authentication === 'apiKey' ? { type: 'key', email: String(data.email ?? ''), key: String(data.apiKey ?? '') } : { type: 'token', token: String(data.apiToken ?? '') };
		try {
			const { pools } = await new CloudflareProvider({ accountId: String(data.accountId ?? '').trim(), auth, baseUrl: String(data.baseUrl ?? '').trim() || undefined }).check();
			return { status: 'OK', message: `Connected: ${pools} load balancing pool(s) in the account` };
		} catch (error) {
			return { status: 'Error', message: (error as Error).message };
		}
	},

	// Same name and check as the Kubernetes Patch node's test, so the credential tests alike from either node.
	async kubernetesApiConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		const result = await checkKubernetesConnection((credential.data ?? {}) as KubernetesCredentialFields);
		return { status: result.ok ? 'OK' : 'Error', message: result.message };
	},
};
