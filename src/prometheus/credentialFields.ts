import { headerSafe } from '../shared/headerValue';
import { redact, rememberSecret } from '../shared/redact';
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
	/** Plain http (and, with allowUnauthorizedCerts, no TLS verification) is refused unless this is true. */
	allowInsecure?: unknown;
	timeout?: unknown; // milliseconds
	/** Response size and series count limits (0 or empty = the defaults). */
	maxResponseBytes?: unknown;
	maxSeries?: unknown;
}

export function connectionFromCredential(fields: PrometheusCredentialFields): PrometheusConnection {
	const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
	const authentication = text(fields.authentication) || 'none';
	const timeout = Number(fields.timeout);
	const headers = parseHeaderLines(text(fields.headers));
	const secrets: Array<[string, unknown]> = [['password', fields.password], ['token', fields.token], ['username', fields.username], ...Object.entries(headers).map(([name, value]): [string, unknown] => [`header ${name}`, value])];
	for (const [what, value] of secrets) {
		if (typeof value === 'string' && !headerSafe(value)) {
			throw new Error(`The Prometheus credential's ${what} has a line break, a control or a non-ASCII character, which cannot be sent in an HTTP header; paste it again without surrounding text`);
		}
	}
	const url = text(fields.url);
	rememberSecret(fields.password, fields.token, ...Object.values(headers), urlPassword(url));
	const insecure = insecurityOfUrl(url, fields.allowUnauthorizedCerts === true);
	if (insecure && fields.allowInsecure !== true) {
		throw new Error(`${insecure}, and the Prometheus credential does not allow that: use https (with the CA certificate of a private CA), or turn on "Allow Insecure Connection" if the network path is trusted`);
	}
	const positive = (value: unknown) => (Number.isFinite(Number(value)) && Number(value) > 0 ? Number(value) : undefined);
	return {
		insecure,
		maxResponseBytes: positive(fields.maxResponseBytes),
		maxSeries: positive(fields.maxSeries),
		baseUrl: url,
		auth:
			authentication === 'basicAuth'
				? { type: 'basic', username: text(fields.username), password: text(fields.password) }
				: authentication === 'bearerToken'
					? { type: 'bearer', token: text(fields.token) }
					: { type: 'none' },
		headers,
		caCertificate: text(fields.caCertificate) || undefined,
		skipTlsVerification: fields.allowUnauthorizedCerts === true,
		timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
	};
}

function urlPassword(url: string): string | undefined {
	try {
		const password = new URL(url).password;
		return password ? decodeURIComponent(password) : undefined;
	} catch {
		return undefined;
	}
}

/** Why a connection to this URL would not be secure, in words (with any password already redacted), or undefined. */
export function insecurityOfUrl(url: string, skipTlsVerification: boolean): string | undefined {
	if (/^\s*http:/i.test(url)) return redact(`The Prometheus URL ${url.trim()} is plain http (queries and credentials travel unencrypted)`);
	if (skipTlsVerification) return 'The Prometheus credential skips TLS verification (Ignore SSL Issues)';
	return undefined;
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
