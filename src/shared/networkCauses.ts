/**
 * Network and TLS failure codes in words. Also keeps raw codes out of the
 * messages we show: n8n replaces any error message that contains one
 * (ECONNREFUSED, ...) with a generic sentence, which would hide the URL and
 * the fix.
 */
export const NETWORK_CAUSES: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset by the server',
	ENOTFOUND: 'host name not found in DNS',
	EAI_AGAIN: 'DNS lookup failed',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	EPIPE: 'connection closed while sending',
	ETIMEDOUT: 'connection timed out',
	ERR_SOCKET_CONNECTION_TIMEOUT: 'connection attempt timed out',
	UND_ERR_SOCKET: 'connection closed by the server',
	UND_ERR_CONNECT_TIMEOUT: 'connection attempt timed out',
	UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
	UND_ERR_BODY_TIMEOUT: 'response body stalled',
	CERT_HAS_EXPIRED: 'the server\'s TLS certificate has expired',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'the server\'s TLS certificate is self-signed',
	SELF_SIGNED_CERT_IN_CHAIN: 'the server\'s TLS certificate chain is self-signed',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server\'s TLS certificate cannot be verified',
	ERR_TLS_CERT_ALTNAME_INVALID: 'the server\'s TLS certificate does not match the host name',
};

export function networkCauseInWords(code: string | undefined): string | undefined {
	return code ? NETWORK_CAUSES[code] : undefined;
}
