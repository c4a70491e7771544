import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Where Alertmanager posts when the stack runs without n8n (`npm run demo`,
 * the stack's own test): it keeps every notification, so a caller can see
 * what a workflow's webhook would have received.
 */

export interface WebhookNotification {
	receivedAt: number;
	authorization?: string;
	body: unknown;
}

export interface WebhookSink {
	url: string;
	notifications: WebhookNotification[];
	close(): Promise<void>;
}

export async function startWebhookSink(path = '/webhook/alertmanager'): Promise<WebhookSink> {
	const notifications: WebhookNotification[] = [];
	const server = http.createServer((req, res) => {
		let text = '';
		req.setEncoding('utf8');
		req.on('data', (chunk: string) => (text += chunk));
		req.on('end', () => {
			if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://sink').pathname !== path) {
				res.writeHead(404).end();
				return;
			}
			let body: unknown = text;
			try {
				body = JSON.parse(text);
			} catch {
				// kept as text: the sink records, it does not judge
			}
			notifications.push({ receivedAt: Date.now(), authorization: req.headers.authorization, body });
			res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"message":"received"}');
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
		notifications,
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
