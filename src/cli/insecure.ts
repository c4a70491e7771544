import { UsageError } from './args';

export const ALLOW_INSECURE_OPTION = { flag: true as const, description: 'accept a plain http:// URL (queries and any token travel unencrypted)' };

/** TLS unless the user says otherwise: a plain http URL needs --allow-insecure, as credentials need Allow Insecure Connection. */
export function requireSecureUrl(url: string, allowInsecure: boolean | undefined, option: string): void {
	if (/^\s*http:/i.test(url) && allowInsecure !== true) {
		throw new UsageError(`${option} is plain http; use https, or add --allow-insecure if the network path is trusted (e.g. a port-forward to 127.0.0.1)`);
	}
}
