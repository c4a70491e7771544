import { normalise, validatePayload } from '../../../src/alertmanager';
import { isRfc3339 } from '../../../src/shared/time';
import { Json, fixture } from './fixtures';

/** A deep copy of the firing fixture with one change. */
function variant(change: (body: Json) => void): Json {
	const body = fixture('firing');
	change(body);
	return body;
}

function reasonFor(body: unknown, options = {}): string {
	const result = validatePayload(body, options);
	if (result.ok) throw new Error('expected a rejection');
	expect(result.rejection.fix.length).toBeGreaterThan(10);
	expect(result.rejection.reason.startsWith(`${result.rejection.path}: `)).toBe(true);
	return result.rejection.reason;
}

describe('real Alertmanager payloads', () => {
	test.each(['firing', 'mixed', 'resolved'] as const)('the captured %s notification is valid', (name) => {
		const result = validatePayload(fixture(name));
		expect(result.ok).toBe(true);
	});

	test('normalised: alert names, endsAt null for Go\'s zero time, sorted firing fingerprints', () => {
		const result = validatePayload(fixture('firing'));
		if (!result.ok) throw new Error(result.rejection.reason);
		const { group, alerts, dedupeKey } = normalise(result.value);
		expect(alerts.map((a) => a.name)).toEqual(['RegionDown', 'RegionDown']);
		expect(alerts.map((a) => a.labels.region)).toEqual(['us-east', 'us-west']);
		expect(alerts.every((a) => a.endsAt === null && a.status === 'firing')).toBe(true);
		expect(alerts[0].annotations.summary).toBe('us-east is failing its health checks');
		expect(group).toMatchObject({ status: 'firing', receiver: 'kube-ops', groupLabels: { alertname: 'RegionDown' }, truncatedAlerts: 0 });
		expect(group.firingFingerprints).toEqual([...alerts.map((a) => a.fingerprint)].sort());
		expect(group.groupKey).toBe('{}:{alertname="RegionDown"}');
		expect(dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
	});

	test('a mixed notification: the group fires, one alert is resolved with its real endsAt', () => {
		const result = validatePayload(fixture('mixed'));
		if (!result.ok) throw new Error(result.rejection.reason);
		const { group, alerts } = normalise(result.value);
		expect(group.status).toBe('firing');
		const resolved = alerts.find((a) => a.status === 'resolved')!;
		expect(resolved.endsAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
		expect(group.firingFingerprints).toEqual([alerts.find((a) => a.status === 'firing')!.fingerprint]);
	});

	test('optional fields Alertmanager before 0.20 did not send are filled in', () => {
		const body = variant((b) => {
			delete b.truncatedAlerts;
			delete b.externalURL;
			delete b.commonAnnotations;
			delete b.alerts[0].generatorURL;
		});
		const result = validatePayload(body);
		if (!result.ok) throw new Error(result.rejection.reason);
		expect(result.value.truncatedAlerts).toBe(0);
		expect(result.value.externalURL).toBe('');
		expect(result.value.commonAnnotations).toEqual({});
		expect(result.value.alerts[0].generatorURL).toBe('');
	});
});

describe('malformed payloads: the reason names the field, what is wrong and what was sent', () => {
	test.each([
		['not an object', () => [1, 2], 'body: must be a JSON object (Alertmanager\'s webhook payload), got an array of 2'],
		['a string', () => 'hello', 'body: must be a JSON object (Alertmanager\'s webhook payload), got the string "hello"'],
		['null', () => null, 'body: must be a JSON object (Alertmanager\'s webhook payload), got null'],
		['version 3', () => variant((b) => (b.version = '3')), 'version: must be "4", got the string "3"'],
		['version as a number', () => variant((b) => (b.version = 4)), 'version: must be "4", got number 4'],
		['no version', () => variant((b) => delete b.version), 'version: must be "4", got nothing (the field is missing)'],
		['unknown status', () => variant((b) => (b.status = 'pending')), 'status: must be "firing" or "resolved", got the string "pending"'],
		['no groupKey', () => variant((b) => delete b.groupKey), 'groupKey: must be a non-empty string (Alertmanager\'s key of the alert group), got nothing (the field is missing)'],
		['empty groupKey', () => variant((b) => (b.groupKey = '')), 'groupKey: must be a non-empty string (Alertmanager\'s key of the alert group), got the string ""'],
		['negative truncatedAlerts', () => variant((b) => (b.truncatedAlerts = -1)), 'truncatedAlerts: must be a non-negative integer (alerts left out by max_alerts), got number -1'],
		['fractional truncatedAlerts', () => variant((b) => (b.truncatedAlerts = 1.5)), 'truncatedAlerts: must be a non-negative integer (alerts left out by max_alerts), got number 1.5'],
		['truncatedAlerts as text', () => variant((b) => (b.truncatedAlerts = '3')), 'truncatedAlerts: must be a non-negative integer (alerts left out by max_alerts), got the string "3"'],
		['alerts not an array', () => variant((b) => (b.alerts = {})), 'alerts: must be an array of alerts, got an object'],
		['no alerts', () => variant((b) => delete b.alerts), 'alerts: must be an array of alerts, got nothing (the field is missing)'],
		['empty alerts', () => variant((b) => (b.alerts = [])), 'alerts: must not be empty: Alertmanager never sends a notification without alerts'],
		['an alert that is not an object', () => variant((b) => (b.alerts[1] = 'x')), 'alerts[1]: must be an alert object, got the string "x"'],
		['alert status', () => variant((b) => (b.alerts[0].status = 'FIRING')), 'alerts[0].status: must be "firing" or "resolved", got the string "FIRING"'],
		['labels missing', () => variant((b) => delete b.alerts[0].labels), 'alerts[0].labels: must be an object of string values (name: value), got nothing (the field is missing)'],
		['labels an array', () => variant((b) => (b.alerts[0].labels = ['a'])), 'alerts[0].labels: must be an object of string values (name: value), got an array of 1'],
		['a label value that is a number', () => variant((b) => (b.alerts[1].labels.replicas = 3)), 'alerts[1].labels.replicas: must be a string (label and annotation values are strings), got number 3'],
		['annotations missing', () => variant((b) => delete b.alerts[0].annotations), 'alerts[0].annotations: must be an object of string values (name: value), got nothing (the field is missing)'],
		['an annotation that is an object', () => variant((b) => (b.alerts[0].annotations.summary = { text: 'x' })), 'alerts[0].annotations.summary: must be a string (label and annotation values are strings), got an object'],
		['startsAt not a time', () => variant((b) => (b.alerts[0].startsAt = 'yesterday')), 'alerts[0].startsAt: must be an RFC 3339 time such as 2026-01-01T12:00:00Z, got the string "yesterday"'],
		['startsAt a unix time', () => variant((b) => (b.alerts[0].startsAt = 1795000000)), 'alerts[0].startsAt: must be an RFC 3339 time such as 2026-01-01T12:00:00Z, got number 1795000000'],
		['endsAt without a zone', () => variant((b) => (b.alerts[1].endsAt = '2026-01-01T12:00:00')), 'alerts[1].endsAt: must be an RFC 3339 time such as 2026-01-01T12:00:00Z, got the string "2026-01-01T12:00:00"'],
		['endsAt missing', () => variant((b) => delete b.alerts[1].endsAt), 'alerts[1].endsAt: must be an RFC 3339 time such as 2026-01-01T12:00:00Z, got nothing (the field is missing)'],
		['fingerprint missing', () => variant((b) => delete b.alerts[0].fingerprint), 'alerts[0].fingerprint: must be a non-empty string (Alertmanager\'s hash of the labels), got nothing (the field is missing)'],
		['fingerprint empty', () => variant((b) => (b.alerts[0].fingerprint = '')), 'alerts[0].fingerprint: must be a non-empty string (Alertmanager\'s hash of the labels), got the string ""'],
		['fingerprint a number', () => variant((b) => (b.alerts[0].fingerprint = 12)), 'alerts[0].fingerprint: must be a non-empty string (Alertmanager\'s hash of the labels), got number 12'],
		['generatorURL a number', () => variant((b) => (b.alerts[0].generatorURL = 5)), 'alerts[0].generatorURL: must be a string, got number 5'],
		['groupLabels not a map', () => variant((b) => (b.groupLabels = 'x')), 'groupLabels: must be an object of string values (name: value), got the string "x"'],
		['commonLabels with a null', () => variant((b) => (b.commonLabels.alertname = null)), 'commonLabels.alertname: must be a string (label and annotation values are strings), got null'],
		['receiver a number', () => variant((b) => (b.receiver = 1)), 'receiver: must be a string, got number 1'],
	])('%s', (_what, body, reason) => {
		expect(reasonFor(body())).toBe(reason);
	});

	test('a long offending string is shortened in the reason', () => {
		const reason = reasonFor(variant((b) => (b.alerts[0].startsAt = 'x'.repeat(500))));
		expect(reason.length).toBeLessThan(200);
		expect(reason).toContain('...');
	});

	test('the version fix names the option that relaxes it', () => {
		const result = validatePayload(variant((b) => (b.version = '3')));
		expect(result.ok ? '' : result.rejection.fix).toContain('Require Version 4');
	});

	test('with requireVersion4 off, another version passes if the shape is v4', () => {
		expect(validatePayload(variant((b) => (b.version = '5')), { requireVersion4: false }).ok).toBe(true);
		expect(validatePayload(variant((b) => delete b.version), { requireVersion4: false }).ok).toBe(true);
		expect(reasonFor(variant((b) => (b.version = 5)), { requireVersion4: false })).toBe('version: must be a string, got number 5');
		expect(reasonFor(variant((b) => ((b.version = '5'), (b.alerts = []))), { requireVersion4: false })).toMatch(/^alerts: must not be empty/);
	});
});

describe('RFC 3339 times as Go writes them', () => {
	test.each([
		'2026-11-22T07:36:24.656799688Z',
		'2026-11-22T07:36:24Z',
		'2026-11-22T07:36:24.7Z',
		'2026-11-22T09:36:24+02:00',
		'0001-01-01T00:00:00Z',
		'2024-02-29T00:00:00Z',
	])('%s is accepted', (t) => expect(isRfc3339(t)).toBe(true));

	test.each(['2026-11-22', '2026-11-22 07:36:24Z', '2026-13-01T00:00:00Z', '2025-02-29T00:00:00Z', '2026-11-22T25:00:00Z', '2026-11-22T07:36:24+0200', ''])(
		'%s is refused',
		(t) => expect(isRfc3339(t)).toBe(false),
	);
});
