import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import { LocalAlertmanager, startAlertmanager } from '../sandbox/alertmanager';

/**
 * What a real Alertmanager sends: a local HTTP server receives its webhook
 * notifications (firing, then resolved), checks the auth header the starter
 * configured, and keeps the bodies as fixtures for the unit tests. A fixture is
 * written when it is missing or with KUBE_OPS_UPDATE_FIXTURES=1 (so a normal run
 * leaves the checkout clean); otherwise the fresh body must have the committed
 * fixture's shape, so the fixtures cannot drift from what Alertmanager sends.
 */

interface Received {
	headers: http.IncomingHttpHeaders;
	body: string;
}

const fixtures = path.join(__dirname, '..', 'fixtures', 'alertmanager');
const received: Received[] = [];
let server: http.Server;
let alertmanager: LocalAlertmanager | undefined;

async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const found = find();
		if (found !== undefined) return found;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`${what}: nothing after ${timeoutMs} ms; received ${received.length} notification(s)`);
}

/** Field names and value types, recursively: what must not drift between runs. */
function shape(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(shape);
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
	}
	return typeof value;
}

function keepFixture(name: string, body: unknown): void {
	const file = path.join(fixtures, name);
	if (process.env.KUBE_OPS_UPDATE_FIXTURES === '1' || !fs.existsSync(file)) {
		fs.mkdirSync(fixtures, { recursive: true });
		fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
		return;
	}
	expect(shape(body)).toEqual(shape(JSON.parse(fs.readFileSync(file, 'utf8'))));
}

const parsed = (r: Received) => JSON.parse(r.body) as { status: string; alerts: Array<{ status: string; labels: Record<string, string> }> };

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(200).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	alertmanager = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${port}/hook`, bearerToken: 's3cret-token' });
});

afterAll(async () => {
	await alertmanager?.stop();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a real Alertmanager posts v4 payloads with the Bearer token; firing then resolved are saved as fixtures', async () => {
	const am = alertmanager!;
	const east = { alertname: 'RegionDown', region: 'us-east', severity: 'critical' };
	const west = { alertname: 'RegionDown', region: 'us-west', severity: 'critical' };
	await am.addAlert(east, { summary: 'us-east is failing its health checks', runbook_url: 'https://runbooks.example.com/region-down' });
	await am.addAlert(west, { summary: 'us-west is failing its health checks' });

	// group_wait is 1 s: both alerts usually land in one notification, but one may come first.
	const firing = await waitFor(
		() => received.find((r) => parsed(r).status === 'firing' && parsed(r).alerts.length === 2),
		'a firing notification with both alerts',
	);
	expect(firing.headers.authorization).toBe('Bearer s3cret-token');
	expect(firing.headers['content-type']).toMatch(/^application\/json/);
	const body = JSON.parse(firing.body);
	expect(body.version).toBe('4');
	expect(body.receiver).toBe('kube-ops');
	expect(body.groupLabels).toEqual({ alertname: 'RegionDown' });
	expect(body.truncatedAlerts).toBe(0);
	expect(typeof body.groupKey).toBe('string');
	for (const alert of body.alerts) {
		expect(alert.status).toBe('firing');
		expect(alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
		expect(alert.endsAt).toBe('0001-01-01T00:00:00Z');
	}
	keepFixture('firing.json', body);

	await am.resolveAlert(east);
	const mixed = await waitFor(
		() => received.find((r) => parsed(r).alerts.some((a) => a.status === 'resolved' && a.labels.region === 'us-east')),
		'a notification with us-east resolved',
	);
	const mixedBody = JSON.parse(mixed.body);
	// One alert still fires, so the group as a whole is still firing.
	expect(mixedBody.status).toBe('firing');
	expect(mixedBody.alerts.find((a: { labels: { region: string } }) => a.labels.region === 'us-east').annotations.summary).toBe(
		'us-east is failing its health checks',
	);
	keepFixture('mixed.json', mixedBody);

	await am.resolveAlert(west);
	const resolved = await waitFor(() => received.find((r) => parsed(r).status === 'resolved'), 'a resolved notification');
	const resolvedBody = JSON.parse(resolved.body);
	expect(resolvedBody.alerts.every((a: { status: string }) => a.status === 'resolved')).toBe(true);
	expect(resolvedBody.groupKey).toBe(body.groupKey);
	keepFixture('resolved.json', resolvedBody);
});

test('Basic auth from the starter reaches the webhook as an Authorization: Basic header', async () => {
	const before = received.length;
	const basic = await startAlertmanager({
		webhookUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
		basicAuth: { username: 'alertmanager', password: 'pa:ss word' },
	});
	try {
		await basic.addAlert({ alertname: 'BasicAuthCheck' });
		const notification = await waitFor(() => received.slice(before).find((r) => r.body.includes('BasicAuthCheck')), 'a notification');
		expect(notification.headers.authorization).toBe(`Basic ${Buffer.from('alertmanager:pa:ss word').toString('base64')}`);
	} finally {
		await basic.stop();
	}
});
