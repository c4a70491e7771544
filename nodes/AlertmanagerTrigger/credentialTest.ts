import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

/** Shorter secrets can be guessed from the internet-facing webhook URL; 16 characters is the floor. */
const MIN_SECRET = 16;

/**
 * Nothing remote to call: an inbound webhook's credential is good when the
 * secrets it holds are set and long enough for the scheme(s) they serve.
 */
export const credentialTest = {
	async kubeOpsAlertmanagerWebhookApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		const data = credential.data ?? {};
		const token = String(data.token ?? '');
		const user = String(data.user ?? '');
		const password = String(data.password ?? '');
		if (!token && !(user && password)) {
			return { status: 'Error', message: 'Set a Bearer token, or a user and a password for Basic authentication' };
		}
		if (token && token.length < MIN_SECRET) {
			return { status: 'Error', message: `The Bearer token has ${token.length} characters; use at least ${MIN_SECRET} (e.g. openssl rand -hex 32)` };
		}
		if (password && password.length < MIN_SECRET) {
			return { status: 'Error', message: `The password has ${password.length} characters; use at least ${MIN_SECRET} (e.g. openssl rand -hex 32)` };
		}
		const usable = [token ? 'Bearer' : '', user && password ? 'Basic' : ''].filter(Boolean).join(' and ');
		return { status: 'OK', message: `Ready for ${usable} authentication` };
	},
};
