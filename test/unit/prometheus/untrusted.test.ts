import { PrometheusError, connectionFromCredential, promqlString, renderQuery } from '../../../src/prometheus';
import { parsePrometheusFloat, toSample, emptyCounts } from '../../../src/prometheus/samples';

/* Prometheus data, query variables and credential fields as untrusted input. */

describe('samples by Prometheus\'s own float rules', () => {
	test.each([
		['1', 1],
		['-2.5', -2.5],
		['1e3', 1000],
		['1.5E-3', 0.0015],
		['.5', 0.5],
		['+Inf', Infinity],
		['-Inf', -Infinity],
		['NaN', NaN],
	])('%j reads as %p', (text, value) => {
		expect(parsePrometheusFloat(text)).toBe(value);
	});

	test.each(['', ' ', '0x1F', '0b11', '0o7', '1_000', ' 1', '1 ', 'Infinityx', '1e', '--1', null, 5, [], {}])('%j is not a sample value', (text) => {
		expect(parsePrometheusFloat(text)).toBeUndefined();
	});

	test('a sample Prometheus never sends is an error naming it, never 0 or 31', () => {
		expect(() => toSample([1700000000, ''], emptyCounts())).toThrow(/Prometheus sent a sample that is not \[unix seconds, "number"\]: \[1700000000,""\]/);
		expect(() => toSample([1700000000, '0x1F'], emptyCounts())).toThrow(PrometheusError);
		expect(() => toSample(['1700000000' as unknown as number, '1'], emptyCounts())).toThrow(PrometheusError);
		const counts = emptyCounts();
		expect(toSample([1, '+Inf'], counts)).toEqual([1, null]);
		expect(counts.posInf).toBe(1);
	});
});

describe('query variables', () => {
	const injection = 'checkout"} or vector(1) or x{a="';

	test('a value becomes one quoted, escaped label value', () => {
		expect(renderQuery('up{service=$service}', { service: injection })).toBe('up{service="checkout\\"} or vector(1) or x{a=\\""}');
		expect(renderQuery('rate(x{a=$a, b=$b}[5m]) / y{a=$a}', { a: 'one', b: 'back\\slash\nnew' })).toBe('rate(x{a="one", b="back\\\\slash\\nnew"}[5m]) / y{a="one"}');
		expect(promqlString('\u2028')).toBe('"\\u2028"');
	});

	test('no variables: the query is left alone, $ in strings included', () => {
		expect(renderQuery('up{job=~"api$|web$"}')).toBe('up{job=~"api$|web$"}');
	});

	test('mistakes are refused with the fix', () => {
		expect(() => renderQuery('up{service="$service"}', { service: 'x' })).toThrow(/Query variable \$service is written inside a quoted string/);
		expect(() => renderQuery('up', { service: 'x' })).toThrow(/Query variable \$service is not used in the query/);
		expect(() => renderQuery('up{a=$bad-name}', { 'bad-name': 'x' })).toThrow(/is not a name/);
		expect(() => renderQuery('up{a=$a}', { a: ['x'] })).toThrow(/Query variable "a" is a list, not a string or a number/);
		expect(() => renderQuery('up{a=$a}', { a: undefined })).toThrow(/is empty \(undefined\)/);
		// A quote inside a comment opens no string.
		expect(renderQuery('up{a=$a} # it\'s "fine"', { a: 'v' })).toBe('up{a="v"} # it\'s "fine"');
	});
});

describe('credential fields', () => {
	test('http:// and Ignore SSL Issues need Allow Insecure Connection; the connection then says so', () => {
		expect(() => connectionFromCredential({ url: 'http://prom:9090' })).toThrow(/^The Prometheus URL http:\/\/prom:9090 is plain http .* "Allow Insecure Connection"/);
		expect(() => connectionFromCredential({ url: 'https://prom', allowUnauthorizedCerts: true })).toThrow(/skips TLS verification/);
		expect(connectionFromCredential({ url: 'http://prom:9090', allowInsecure: true }).insecure).toMatch(/is plain http/);
		expect(connectionFromCredential({ url: 'https://prom' }).insecure).toBeUndefined();
	});

	test('a password in the URL never appears in the refusal', () => {
		let message = '';
		try {
			connectionFromCredential({ url: 'http://user:pw-in-url-123@prom:9090' });
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toMatch(/http:\/\/user:\[redacted[^\]]*\]@prom:9090/);
		expect(message).not.toContain('pw-in-url-123');
	});

	test('a token with a newline or a non-Latin-1 character is refused without echoing it', () => {
		for (const token of ['abc\ndef-secret', 'tökën-secret', 'tok\u{1F600}-secret']) {
			let message = '';
			try {
				connectionFromCredential({ url: 'https://prom', authentication: 'bearerToken', token });
			} catch (error) {
				message = (error as Error).message;
			}
			expect(message).toMatch(/^The Prometheus credential's token has a line break, a control or a non-ASCII character/);
			expect(message).not.toContain('secret');
		}
	});
});

test('an error about a multi-line query is one line, so it can travel on as a proposal\'s providerError', () => {
	const error = new PrometheusError({ kind: 'unreachable', query: 'sum(\n  rate(x[5m])\n)', summary: 'Cannot reach Prometheus at http://p (connection refused) for query "sum(\n  rate(x[5m])\n)"', fix: 'Check\tthe URL', prometheusMessage: 'line one\nline two' });
	expect(error.message).toBe('Cannot reach Prometheus at http://p (connection refused) for query "sum( rate(x[5m]) )". Check the URL');
	expect(error.prometheusMessage).toBe('line one line two');
});
