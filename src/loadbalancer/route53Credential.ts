import { redact } from '../shared/redact';
import type { Route53Options } from './route53';

/**
 * The Route 53 credential's fields as the provider takes them. Access keys,
 * or the AWS default chain only when the credential says so (it may read
 * ~/.aws files and run a credential_process, so it is never a silent fallback).
 * A plain http endpoint (a test server) needs "Allow Insecure Connection".
 */
export function route53FromCredential(data: Record<string, unknown>): { options: Route53Options; insecure?: string; testZone?: string } {
	const endpoint = String(data.endpoint ?? '').trim() || undefined;
	const insecure = endpoint !== undefined && /^http:/i.test(endpoint) ? redact(`The Route 53 endpoint ${endpoint} is plain http (signed, but not encrypted)`) : undefined;
	if (insecure && data.allowInsecure !== true) throw new Error(`${insecure}, and the credential does not allow that: use https, or turn on "Allow Insecure Connection" for a test server`);
	const timeout = Number(data.timeout);
	const options: Route53Options = { endpoint, region: String(data.region ?? '').trim() || undefined, timeoutMs: timeout > 0 ? timeout : undefined };
	if (data.authentication !== 'defaultChain') {
		const accessKeyId = String(data.accessKeyId ?? '').trim();
		const secretAccessKey = String(data.secretAccessKey ?? '');
		if (!accessKeyId || !secretAccessKey) throw new Error('The Route 53 credential needs an Access Key ID and a Secret Access Key (or Authentication: AWS Default Chain)');
		const sessionToken = String(data.sessionToken ?? '') || undefined;
		options.credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
	}
	return { options, insecure, testZone: String(data.testZone ?? '').trim() || undefined };
}
