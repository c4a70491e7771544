import { redact, rememberSecret } from '../shared/redact';
import type { CloudflareAuth } from './cloudflareApi';

/**
 * The Cloudflare credential's fields as the provider takes them. The API base
 * URL may point at a proxy or a test server; plain http there needs the
 * credential's "Allow Insecure Connection", since the token travels with every call.
 */
export function cloudflareFromCredential(data: Record<string, unknown>): { auth: CloudflareAuth; baseUrl?: string; insecure?: string } {
	const auth: CloudflareAuth =
		data.authentication === 'apiKey' ? { type: 'key', email: String(data.email ?? ''), key: String(data.apiKey ?? '') } : { type: 'token', token: String(data.apiToken ?? '') };
	rememberSecret(auth.type === 'key' ? auth.key : auth.token);
	const baseUrl = String(data.baseUrl ?? '').trim() || undefined;
	const insecure = baseUrl !== undefined && /^http:/i.test(baseUrl) ? redact(`The Cloudflare API base URL ${baseUrl} is plain http (the API token travels unencrypted)`) : undefined;
	if (insecure && data.allowInsecure !== true) throw new Error(`${insecure}, and the credential does not allow that: use https, or turn on "Allow Insecure Connection" for a test server`);
	return { auth, baseUrl, insecure };
}
