import type { PrometheusConnection } from './types';

/**
 * The Prometheus credential's fields as stored by n8n (plain data, so the
 * engine stays free of n8n). One mapping used by the node, its credential
 * test and anything else that holds the same fields.
 */
export interface PrometheusCredentialFields {
	url?: unknown;
	authentication?: unknown; // 'none' | 'basicAuth' | 'bearerToken'
	username?: unknown;
	password?: unknown;
	token?: unknown;
	headers?: unknown; // "Name: value" per line
	caCertificate?: unknown;
	allowUnauthorizedCerts?: unknown;
	timeout?: unknown; // milliseconds
}

export function connectionFromCredential(fields: PrometheusCredentialFields): PrometheusConnection {
	const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
	const authentication = text(fields.authentication) || 'none';
	const timeout = Number(fields.timeout);
	return {
		baseUrl: text(fields.url),
		auth:
			authentication === 'basicAuth'
				? { type: 'basic', username: text(fields.username), password: text(fields.password) }
				: authentication === 'bearerToken'
					? { type: 'bearer', token: text(fields.token) }
					: { type: 'none' },
		headers: parseHeaderLines(text(fields.headers)),
		caCertificate: text(fields.caCertificate) || undefined,
		skipTlsVerification: fields.allowUnauthorizedCerts === true,
		timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
	};
}

/** "X-Scope-OrgID: team-a" per line; blank lines and # comments ignored. */
export function parseHeaderLines(text: string): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [index, raw] of text.split(/\r?\n/).entries()) {
		const line = raw.trim();
		if (!line || line.startsWith('#')) continue;
		const colon = line.indexOf(':');
		const name = colon > 0 ? line.slice(0, colon).trim() : '';
		if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
			throw new Error(
				`Extra header line ${index + 1} ("${line.slice(0, 40)}") is not "Name: value"; write one header per line, e.g. X-Scope-OrgID: team-a`,
			);
		}
		headers[name] = line.slice(colon + 1).trim();
	}
	return headers;
}
