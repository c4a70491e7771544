import { bodySize, readNotification } from '../../../src/alertmanager';
import { fixture, fixtureText } from './fixtures';

const json = 'application/json';

function rejected(result: ReturnType<typeof readNotification>): string {
	if (result.ok) throw new Error('expected a rejection');
	return result.rejection.reason;
}

test('the raw bytes of a real notification are read and normalised', () => {
	const result = readNotification({ contentType: json, rawBody: Buffer.from(fixtureText('firing')) });
	expect(result.ok && result.value.alerts.length).toBe(2);
});

test('a body the server already parsed is used as it is', () => {
	const result = readNotification({ contentType: 'application/json; charset=utf-8', parsedBody: fixture('resolved'), contentLength: 900 });
	expect(result.ok && result.value.group.status).toBe('resolved');
});

test('over the size limit: refused with the size and the limit, before anything is parsed', () => {
	const raw = Buffer.from(fixtureText('firing'));
	expect(rejected(readNotification({ contentType: json, rawBody: raw, maxBodyBytes: 100 }))).toBe(`body is ${raw.length} bytes, over the limit of 100`);
	// Without the bytes, Content-Length is believed; without either, the re-serialised body is measured.
	expect(rejected(readNotification({ contentType: json, parsedBody: fixture('firing'), contentLength: '5000', maxBodyBytes: 4000 }))).toBe(
		'body is 5000 bytes, over the limit of 4000',
	);
	const parsed = fixture('firing');
	expect(bodySize({ contentType: json, parsedBody: parsed })).toBe(Buffer.byteLength(JSON.stringify(parsed)));
	expect(readNotification({ contentType: json, rawBody: raw, maxBodyBytes: raw.length }).ok).toBe(true);
});

test('the default limit is 1 MiB', () => {
	const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
	expect(rejected(readNotification({ contentType: json, rawBody: big }))).toBe('body is 1048577 bytes, over the limit of 1048576');
});

test.each([
	['text/plain', 'content-type: must be application/json, got "text/plain"'],
	['application/x-www-form-urlencoded', 'content-type: must be application/json, got "application/x-www-form-urlencoded"'],
	[undefined, 'content-type: must be application/json, got no Content-Type header'],
])('content type %s is refused', (contentType, reason) => {
	expect(rejected(readNotification({ contentType, rawBody: Buffer.from(fixtureText('firing')) }))).toBe(reason);
});

test('malformed JSON is refused with the parser\'s message', () => {
	expect(rejected(readNotification({ contentType: json, rawBody: Buffer.from('{"version": "4",') }))).toMatch(/^body: is not valid JSON \(.+\)$/);
});

test('an empty body is refused', () => {
	expect(rejected(readNotification({ contentType: json, rawBody: Buffer.alloc(0), parsedBody: {} }))).toBe('body: is empty, expected Alertmanager\'s JSON payload');
	expect(rejected(readNotification({ contentType: json }))).toBe('body: is empty, expected Alertmanager\'s JSON payload, got nothing (the field is missing)');
});

test('a parsed {} with bytes that say otherwise: the bytes win (servers default an unparsed body to {})', () => {
	const result = readNotification({ contentType: json, parsedBody: {}, rawBody: fixtureText('firing') });
	expect(result.ok).toBe(true);
});

test('validation problems come through with their fix', () => {
	const body = { ...fixture('firing'), version: '3' };
	const result = readNotification({ contentType: json, parsedBody: body });
	expect(result.ok ? null : result.rejection).toMatchObject({ path: 'version', reason: 'version: must be "4", got the string "3"' });
	expect(readNotification({ contentType: json, parsedBody: body }, { requireVersion4: false }).ok).toBe(true);
});
