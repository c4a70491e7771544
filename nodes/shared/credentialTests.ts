import * as https from 'node:https';
import axios from 'axios';
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { alertmanagerConnection } from '../../src/alertmanager';
import { checkKubernetesConnection, type KubernetesCredentialFields } from '../../src/kubernetes';
import { checkLlmConnection, llmConnectionFromCredential } from '../../src/llm';
import { providerFromCredential } from '../../src/loadbalancer';
import { PrometheusClient, connectionFromCredential as prometheusConnection } from '../../src/prometheus';
import { redact } from '../../src/shared/redact';
import { signingKeyTest } from './signingKey';

/**
 * Every credential test of the package, each under the name the nodes'
 * `testedBy` uses, so a credential tests alike from whichever node the user
 * opens it in. Each goes through the code path the operations use (socket,
 * TLS, auth, rate limiter) and answers with the node's own error wording.
 */
type CredentialTest = (this: ICredentialTestFunctions, credential: ICredentialsDecrypted) => Promise<INodeCredentialTestResult>;

/** Shorter secrets can be guessed from the internet-facing webhook URL; 16 characters is the floor. */
const MIN_WEBHOOK_SECRET = 16;

async function haproxyRuntimeApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const { version, level } = await providerFromCredential('haproxy', credential.data ?? {}).provider.check();
		return { status: 'OK', message: `Connected: HAProxy ${version}, level ${level}` };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}

async function cloudflareApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const { provider, insecure } = providerFromCredential('cloudflare', credential.data ?? {});
		const { pools } = await provider.check();
		return { status: 'OK', message: `Connected: ${pools} load balancing pool(s) in the account${insecure ? ` (${insecure})` : ''}` };
	} catch (error) {
		return { status: 'Error', message: redact((error as Error).message) };
	}
}

async function route53ApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const { provider, insecure, testZone } = providerFromCredential('route53', credential.data ?? {});
		const found = await provider.check(testZone);
		const what = found.zone ? `hosted zone ${found.zone} readable (${found.records} record set(s) on the first page)` : `${found.zones} hosted zone(s) visible`;
		return { status: 'OK', message: `Connected: ${what}${insecure ? ` (${insecure})` : ''}` };
	} catch (error) {
		return { status: 'Error', message: redact((error as Error).message) };
	}
}

async function kubernetesApiConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const result = await checkKubernetesConnection((credential.data ?? {}) as KubernetesCredentialFields);
	return { status: result.ok ? 'OK' : 'Error', message: result.message };
}

async function prometheusApiConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const connection = prometheusConnection(credential.data ?? {});
		const info = await new PrometheusClient(connection).buildInfo();
		return { status: 'OK', message: `Connected: Prometheus-compatible API, version ${info.version}${connection.insecure ? ` (${connection.insecure})` : ''}` };
	} catch (error) {
		return { status: 'Error', message: redact((error as Error).message) };
	}
}

async function kubeOpsAlertmanagerApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const connection = alertmanagerConnection(credential.data ?? {});
		const response = await axios.get<{ versionInfo?: { version?: string } }>(`${connection.baseUrl}/api/v2/status`, {
			headers: connection.headers,
			auth: connection.auth,
			timeout: connection.timeoutMs,
			maxContentLength: 1024 * 1024,
			maxRedirects: 0,
			proxy: false,
			httpsAgent: new https.Agent({ ca: connection.caCertificate }),
		});
		const version = response.data?.versionInfo?.version;
		if (typeof version !== 'string') return { status: 'Error', message: `${connection.baseUrl}/api/v2/status did not answer like Alertmanager` };
		return { status: 'OK', message: `Connected: Alertmanager ${version}${connection.insecure ? ` (${connection.insecure})` : ''}` };
	} catch (error) {
		return { status: 'Error', message: redact((error as Error).message) };
	}
}

/**
 * Nothing remote to call: an inbound webhook's credential is good when the
 * secrets it holds are set and long enough for the scheme(s) they serve.
 */
async function kubeOpsAlertmanagerWebhookApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const token = String(data.token ?? '');
	const user = String(data.user ?? '');
	const password = String(data.password ?? '');
	if (!token && !(user && password)) {
		return { status: 'Error', message: 'Set a Bearer token, or a user and a password for Basic authentication' };
	}
	if (token && token.length < MIN_WEBHOOK_SECRET) {
		return { status: 'Error', message: `The Bearer token has ${token.length} characters; use at least ${MIN_WEBHOOK_SECRET} (e.g. openssl rand -hex 32)` };
	}
	if (password && password.length < MIN_WEBHOOK_SECRET) {
		return { status: 'Error', message: `The password has ${password.length} characters; use at least ${MIN_WEBHOOK_SECRET} (e.g. openssl rand -hex 32)` };
	}
	const usable = [token ? 'Bearer' : '', user && password ? 'Basic' : ''].filter(Boolean).join(' and ');
	return { status: 'OK', message: `Ready for ${usable} authentication` };
}

async function openAiCompatibleConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const result = await checkLlmConnection(llmConnectionFromCredential(credential.data ?? {}));
		return { status: result.ok ? 'OK' : 'Error', message: result.message };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}

export const credentialTests = {
	haproxyRuntimeApiTest,
	cloudflareApiTest,
	route53ApiTest,
	kubernetesApiConnectionTest,
	prometheusApiConnectionTest,
	kubeOpsAlertmanagerApiTest,
	kubeOpsAlertmanagerWebhookApiTest,
	openAiCompatibleConnectionTest,
	kubeOpsSigningKeyTest: signingKeyTest,
} satisfies Record<string, CredentialTest>;

export type CredentialTestName = keyof typeof credentialTests;

/** The tests a node's `methods.credentialTest` offers: those its credentials name in `testedBy`. */
export function credentialTestsFor<N extends CredentialTestName>(...names: N[]): Pick<typeof credentialTests, N> {
	return Object.fromEntries(names.map((name) => [name, credentialTests[name]])) as Pick<typeof credentialTests, N>;
}
