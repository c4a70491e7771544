import { redact, redactDeep, redactText, rememberSecret } from '../../../src/shared/redact';

/*
 * One table over every secret format the redactor knows. Each row: the text
 * as it would appear in an error, an Event or a prompt, the secret part that
 * must be gone, and what must still be readable around it.
 */

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

const formats: Array<[string, string, string, string]> = [
	['URL password', 'Cannot reach Prometheus at http://user:s3cretPass@prom:9090 (refused)', 's3cretPass', 'http://user:[redacted]@prom:9090'],
	['URL userinfo without a password', 'GET https://ghtoken1234@git.example/repo failed', 'ghtoken1234', 'https://[redacted]@git.example/repo'],
	['Authorization: Bearer', 'sent Authorization: Bearer abcDEF123456789.xyz to the proxy', 'abcDEF123456789', 'Authorization: Bearer [redacted]'],
	['Authorization: Basic', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA', 'Authorization: Basic [redacted]'],
	['Authorization without a scheme', '{"Authorization": "raw-key-value-1234"}', 'raw-key-value-1234', '{"Authorization": "[redacted]"}'],
	['bare Bearer', 'header was Bearer tok_live_ABCDEFGH12', 'tok_live_ABCDEFGH12', 'Bearer [redacted]'],
	['PEM block', 'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nend', 'MIIEowIBAAKCAQEA', '[redacted PEM block]'],
	['JWT', `token ${jwt} expired`, jwt, '[redacted JWT]'],
	['OpenAI key', 'use sk-proj-abcdefghijklmnopqrstuvwxyz012345', 'abcdefghijklmnopqrstuvwxyz012345', '[redacted API key]'],
	['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'abcdefghijklmnopqrstuvwxyz0123456789', '[redacted access token]'],
	['Slack token', 'xoxb-1234567890-abcdefghij', '1234567890-abcdefghij', '[redacted Slack token]'],
	['AWS key id', 'AKIAIOSFODNN7EXAMPLE leaked', 'AKIAIOSFODNN7EXAMPLE', '[redacted AWS key id]'],
	['Google API key', 'key AIzaSyA1234567890abcdefghijklmnopqrstuv', 'AIzaSyA1234567890abcdefghijklmnopqrstuv', '[redacted API key]'],
	['Vault token', 'VAULT_TOKEN hvs.CAESIJ1aB2cD3eF4gH5iJ6kL7mN8oP9qR', 'hvs.CAESIJ1aB2cD3eF4gH5iJ6kL7mN8oP9qR', '[redacted Vault token]'],
	['Kubernetes bootstrap token', 'kubeadm join --token abcdef.0123456789abcdef', 'abcdef.0123456789abcdef', '[redacted bootstrap token]'],
	['JSON "password"', '{"user": "sre", "password": "hunter2-hunter2"}', 'hunter2-hunter2', '"password": "[redacted]"'],
	['JSON "api_token"', '{"api_token": "f00ba7-0000-1111"}', 'f00ba7-0000-1111', '"api_token": "[redacted]"'],
	['key=value', 'retry with password=hunter22 and api_key: abcd1234', 'hunter22', 'password=[redacted] and api_key: [redacted]'],
	['query string token', 'https://x.example/cb?token=abcdef123&user=1', 'abcdef123', 'token=[redacted]&user=1'],
	['Azure SAS signature', 'https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&sig=Ab12Cd34Ef56%2BGh78Ij90%3D&se=2026', 'Ab12Cd34Ef56', 'sig=[redacted]&se=2026'],
	['GCP private_key_id', '{"type": "service_account", "private_key_id": "1a2b3c4d5e6f70819a2b3c4d5e6f70819a2b3c4d"}', '1a2b3c4d5e6f70819a2b3c4d5e6f70819a2b3c4d', '"private_key_id": "[redacted]"'],
	['htpasswd apr1', 'admin:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/', '$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/', 'admin:[redacted password hash]'],
	['bcrypt', 'ops:$2y$10$0123456789abcdefghijkuQ2kv9S6pTq9FqK8vRl1X6g0OqWbZ6a', '$2y$10$0123456789abcdefghijk', 'ops:[redacted password hash]'],
	['htpasswd SHA', 'ops:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', 'W6ph5Mm5Pz8GgiULbPgzG37mj9g', 'ops:[redacted password hash]'],
	['bare base64 key', 'signing key is 3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhs= in the logs', '3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhs=', 'signing key is [redacted key] in the logs'],
];

describe('every format', () => {
	test.each(formats)('%s', (_name, input, secret, kept) => {
		const result = redactText(input);
		expect(result.text).not.toContain(secret);
		expect(result.text).toContain(kept);
		expect(result.count).toBeGreaterThan(0);
	});
});

describe('values our credentials hold, by exact match', () => {
	test('a remembered secret is removed wherever it appears, whatever its shape', () => {
		rememberSecret('plain-shaped-but-secret');
		expect(redact('proxy said: invalid key plain-shaped-but-secret (try again)')).toBe('proxy said: invalid key [redacted credential] (try again)');
	});

	test('short or word-like values are not remembered (they would cut ordinary words), known values are', () => {
		rememberSecret('abc', 'expired');
		expect(redact('abc is fine, the token expired')).toBe('abc is fine, the token expired');
		expect(redact('the value xyz-123-known here', ['xyz-123-known'])).toBe('the value [redacted credential] here');
	});
});

describe('what stays', () => {
	test.each([
		'Request rate for checkout in namespace shop is 1800 rps, 40% above the forecast. Runbook: https://runbooks.example.com/checkout#high-rate.',
		'Forbidden: cannot patch deployments/scale (API group "apps") "checkout" in namespace "shop"',
		'proposal hash sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
		'[scaling-20260101t120000z-0123456789] scaling Deployment/checkout in prod-eu-1: applied | apply → 8. within bounds',
		'Turn on "Allow Exec Plugins and Local Files" in the credential, or inline the data: certificate-authority-data, client-certificate-data, client-key-data, token.',
	])('%s', (text) => {
		expect(redactText(text)).toEqual({ text, count: 0 });
	});
});

test('redactDeep redacts strings and keys of plain data, leaves numbers and structure', () => {
	expect(redactDeep({ error: 'http://u:p4ssw0rd@h/', n: 3, list: ['Bearer abcdefgh12345'] })).toEqual({ error: 'http://u:[redacted]@h/', n: 3, list: ['Bearer [redacted]'] });
});

test('stays fast on adversarial input (no catastrophic backtracking)', () => {
	const inputs = ['a-'.repeat(32_000), 'token'.repeat(13_000), 'x://'.repeat(16_000), 'Basic '.repeat(10_000), `${'a'.repeat(60_000)}:`, `${'Ab1'.repeat(20_000)}!`, '$2y$'.repeat(15_000), 'Authorization: '.repeat(4_000)];
	for (const input of inputs) {
		const started = performance.now();
		redact(input);
		expect(performance.now() - started).toBeLessThan(1_000);
	}
});
