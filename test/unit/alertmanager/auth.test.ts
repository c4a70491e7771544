import { checkAuthorization, sameSecret } from '../../../src/alertmanager';

const token = 'b3f1c0de-long-random-token-value';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Bearer', () => {
	test('the right token passes, scheme case-insensitive', () => {
		expect(checkAuthorization('bearer', `Bearer ${token}`, { token })).toEqual({ ok: true });
		expect(checkAuthorization('bearer', `bearer ${token}`, { token })).toEqual({ ok: true });
	});

	test.each([
		[undefined, 'missing Authorization: Bearer header'],
		['', 'missing Authorization: Bearer header'],
		[basic('a', token), 'missing Authorization: Bearer header'],
		['Bearer', 'missing Authorization: Bearer header'],
		['Bearer wrong', 'the Bearer token does not match'],
		[`Bearer ${token}x`, 'the Bearer token does not match'],
		[`Bearer ${token.slice(0, -1)}`, 'the Bearer token does not match'],
	])('%s -> 401 %s', (header, reason) => {
		expect(checkAuthorization('bearer', header, { token })).toEqual({ ok: false, status: 401, reason, challenge: 'Bearer realm="alertmanager"' });
	});

	test('a credential without a token refuses everyone with 500 (our fault, not the sender\'s)', () => {
		const result = checkAuthorization('bearer', 'Bearer ', { token: '' });
		expect(result).toMatchObject({ ok: false, status: 500 });
	});
});

describe('Basic', () => {
	const secrets = { user: 'alertmanager', password: 'pa:ss word with colon' };

	test('the right user and password pass; a colon in the password is kept', () => {
		expect(checkAuthorization('basic', basic(secrets.user, secrets.password), secrets)).toEqual({ ok: true });
	});

	test.each([
		[undefined, 'missing Authorization: Basic header'],
		[`Bearer ${token}`, 'missing Authorization: Basic header'],
		[basic('alertmanager', 'nope'), 'the Basic auth user or password does not match'],
		[basic('someone', secrets.password), 'the Basic auth user or password does not match'],
		[`Basic ${Buffer.from('alertmanager').toString('base64')}`, 'the Basic auth user or password does not match'],
		['Basic !!!not-base64', 'the Basic auth user or password does not match'],
	])('%s -> 401 %s', (header, reason) => {
		expect(checkAuthorization('basic', header, secrets)).toEqual({ ok: false, status: 401, reason, challenge: 'Basic realm="alertmanager", charset="UTF-8"' });
	});

	test('a credential without a password refuses everyone with 500', () => {
		expect(checkAuthorization('basic', basic('alertmanager', ''), { user: 'alertmanager', password: '' })).toMatchObject({ ok: false, status: 500 });
	});
});

test('none lets everything through', () => {
	expect(checkAuthorization('none', undefined, {})).toEqual({ ok: true });
});

test('sameSecret compares content of any length', () => {
	expect(sameSecret('a', 'a')).toBe(true);
	expect(sameSecret('a', 'b')).toBe(false);
	expect(sameSecret('', 'a'.repeat(10_000))).toBe(false);
});
