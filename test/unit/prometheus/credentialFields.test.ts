import { connectionFromCredential, parseHeaderLines } from '../../../src/prometheus/credentialFields';

test('credential fields map to a connection', () => {
	expect(
		connectionFromCredential({
			url: 'https://prom.example.com',
			authentication: 'basicAuth',
			username: 'sre',
			password: 'pw',
			headers: 'X-Scope-OrgID: team-a\n\n# a comment\nX-Extra:  two words ',
			caCertificate: '',
			allowUnauthorizedCerts: false,
			timeout: 5000,
		}),
	).toEqual({
		baseUrl: 'https://prom.example.com',
		auth: { type: 'basic', username: 'sre', password: 'pw' },
		headers: { 'X-Scope-OrgID': 'team-a', 'X-Extra': 'two words' },
		caCertificate: undefined,
		skipTlsVerification: false,
		timeoutMs: 5000,
	});
	expect(connectionFromCredential({ url: 'http://p', authentication: 'bearerToken', token: 't', allowUnauthorizedCerts: true, allowInsecure: true })).toMatchObject({
		auth: { type: 'bearer', token: 't' },
		skipTlsVerification: true,
		timeoutMs: undefined,
	});
	expect(connectionFromCredential({ url: 'http://p', allowInsecure: true }).auth).toEqual({ type: 'none' });
});

test.each(['no colon here', ': value', 'Bad Name: x', 'X-Ok: 1\nbroken'])('a malformed header line is refused: %j', (text) => {
	expect(() => parseHeaderLines(text)).toThrow(/is not "Name: value"; write one header per line, e.g. X-Scope-OrgID: team-a/);
});
