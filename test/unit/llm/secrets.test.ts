import { isSecretKey, redactSecrets } from '../../../src/llm';

describe('isSecretKey', () => {
	it.each([
		'token',
		'X-Auth-Token',
		'access_token',
		'password',
		'db.passwd',
		'client_secret',
		'Authorization',
		'apiKey',
		'api-key',
		'x-api-key',
		'AWS_ACCESS_KEY_ID',
		'private_key',
		'client-key-data',
		'certificate-authority-data',
		'credentials',
		'Cookie',
		'kubeconfig',
		'sessionId',
		'connectionString',
	])('drops %s', (key) => {
		expect(isSecretKey(key)).toBe(true);
	});

	it.each(['alertname', 'namespace', 'severity', 'description', 'summary', 'runbook_url', 'region', 'replicas', 'author', 'keyspace', 'generatorURL'])('keeps %s', (key) => {
		expect(isSecretKey(key)).toBe(false);
	});
});

describe('redactSecrets', () => {
	const cases: [string, string, RegExp][] = [
		['bearer header', 'curl -H "Authorization: Bearer abcDEF123456789.xyz" http://api', /Authorization: Bearer \[redacted\]/],
		['basic header', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', /Basic \[redacted\]/],
		['JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', /\[redacted JWT\]/],
		['OpenAI key', 'use sk-proj-abcdefghijklmnopqrstuvwxyz012345 please', /use \[redacted API key\] please/],
		['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', /\[redacted access token\]/],
		['Slack token', 'xoxb-1234567890-abcdefghij', /\[redacted Slack token\]/],
		['Slack webhook', 'https://hooks.slack.com/services/T000/B000/XXXXXXXX', /hooks\.slack\.com\/services\/\[redacted\]/],
		['AWS key id', 'AKIAIOSFODNN7EXAMPLE leaked', /\[redacted AWS key id\] leaked/],
		['URL userinfo', 'postgres://admin:hunter22@db.internal:5432/app', /postgres:\/\/admin:\[redacted\]@db\.internal/],
		['key=value', 'retry with password=hunter22 and api_key: abcd1234', /password=\[redacted\] and api_key: \[redacted\]/],
		['query string', 'https://x.example/cb?token=abcdef123&user=1', /token=\[redacted\]&user=1/],
		['bootstrap token', 'kubeadm join --token abcdef.0123456789abcdef', /\[redacted bootstrap token\]/],
	];

	it.each(cases)('replaces a %s', (_name, input, expected) => {
		const result = redactSecrets(input);
		expect(result.text).toMatch(expected);
		expect(result.count).toBeGreaterThan(0);
	});

	it('replaces a whole PEM block, and a kubeconfig entirely', () => {
		const pem = 'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nend';
		expect(redactSecrets(pem).text).toBe('key:\n[redacted PEM block]\nend');
		const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.0.0.1\nusers:\n- user:\n    token: abc';
		expect(redactSecrets(kubeconfig)).toEqual({ text: '[redacted kubeconfig]', count: 1 });
		expect(redactSecrets('client-certificate-data: LS0tLS1CRUdJTi').text).toBe('[redacted kubeconfig]');
	});

	it('removes values we hold ourselves, whatever their shape', () => {
		const result = redactSecrets('the key is my-own-key-42 and again my-own-key-42', ['my-own-key-42']);
		expect(result.text).toBe('the key is [redacted credential] and again [redacted credential]');
		expect(result.count).toBe(2);
	});

	it('leaves ordinary alert text alone', () => {
		const text =
			'Request rate for checkout in namespace shop is 1800 rps, 40% above the forecast. Runbook: https://runbooks.example.com/checkout#high-rate. Token bucket limiter engaged.';
		expect(redactSecrets(text)).toEqual({ text, count: 0 });
	});

	it('stays fast on adversarial input (no catastrophic backtracking)', () => {
		const inputs = ['a-'.repeat(32_000), 'token'.repeat(13_000), 'x://'.repeat(16_000), 'Basic '.repeat(10_000), `${'a'.repeat(60_000)}:`];
		for (const input of inputs) {
			const started = performance.now();
			redactSecrets(input);
			expect(performance.now() - started).toBeLessThan(1_000);
		}
	});
});
