/** The credentials part after the scheme, when the scheme matches (case-insensitive, as RFC 9110 says). */
export function credentialsFor(header: string | undefined, scheme: string): string | undefined {
	if (!header) return undefined;
	const match = /^\s*(\S+)\s+(.*?)\s*$/.exec(header);
	if (!match || match[1].toLowerCase() !== scheme.toLowerCase()) return undefined;
	return match[2];
}

/** User and password of an `Authorization: Basic` header (no colon: all of it is the user), or undefined for another scheme. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
	const encoded = credentialsFor(header, 'Basic');
	if (encoded === undefined) return undefined;
	const decoded = Buffer.from(encoded, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
