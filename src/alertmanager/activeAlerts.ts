import * as https from 'node:https';
import axios from 'axios';

import { headerSafe } from '../shared/headerValue';
import { parseJsonStrictly } from '../shared/strictJson';
import { redact, rememberSecret } from '../shared/redact';

/**
 * "Has this alert fired again?", asked of an Alertmanager the workflow editor
 * chose (a credential: URL and auth), never of the URL a webhook body names:
 * that would let whoever posts the webhook make n8n send requests anywhere.
 * Matchers are escaped, and any answer that cannot be read as Alertmanager's
 * list of alerts counts as "still active", so a broken or hostile reply can
 * only prevent a failback, never cause one.
 */

export interface AlertmanagerApiFields {
	url?: unknown;
	authentication?: unknown; // 'none' | 'bearer' | 'basic'
	token?: unknown;
	username?: unknown;
	password?: unknown;
	caCertificate?: unknown;
	allowInsecure?: unknown;
	timeout?: unknown;
}

export interface AlertmanagerApiConnection {
	baseUrl: string;
	headers: Record<string, string>;
	auth?: { username: string; password: string };
	caCertificate?: string;
	timeoutMs: number;
	/** Set when the credential allowed plain http. */
	insecure?: string;
}

export interface ActiveCheck {
	/** true: firing (or unknown); false: Alertmanager answered and no alert matches. */
	active: boolean;
	/** How many matching alerts are active, when Alertmanager's answer was readable. */
	count: number | null;
	/** Why the answer counts as active when it could not be read. */
	reason?: string;
	/** The filter sent, for the record. */
	filter: string[];
}

export const MAX_ALERTS_RESPONSE_BYTES = 4 * 1024 * 1024;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value).trim();
}

export function alertmanagerConnection(fields: AlertmanagerApiFields): AlertmanagerApiConnection {
	const raw = text(fields.url).replace(/\/+$/, '');
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new Error(redact(`The Alertmanager URL "${raw}" is not a URL; use its root, e.g. https://alertmanager.monitoring.svc:9093`));
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`The Alertmanager URL uses ${url.protocol}; use http: or https:`);
	if (url.username || url.password) throw new Error('The Alertmanager URL carries a user or password; put them in the credential\'s Basic Auth fields instead');
	const insecure = url.protocol === 'http:' ? `The Alertmanager URL ${raw} is plain http (the request and its credentials travel unencrypted)` : undefined;
	if (insecure && fields.allowInsecure !== true) throw new Error(`${insecure}, and the credential does not allow that: use https, or turn on "Allow Insecure Connection" if the network path is trusted`);
	const headers: Record<string, string> = { Accept: 'application/json' };
	const authentication = text(fields.authentication) || 'none';
	let auth: AlertmanagerApiConnection['auth'];
	if (authentication === 'bearer') {
		const token = typeof fields.token === 'string' ? fields.token.trim() : '';
		if (!token || !headerSafe(token)) throw new Error('The Alertmanager credential\'s token is empty or has a line break, a control or a non-ASCII character; paste it again');
		rememberSecret(token);
		headers.Authorization = `Bearer ${token}`;
	} else if (authentication === 'basic') {
		const username = text(fields.username);
		const password = typeof fields.password === 'string' ? fields.password : '';
		if (!headerSafe(username) || !headerSafe(password)) throw new Error('The Alertmanager credential\'s user or password has a line break, a control or a non-ASCII character; type it again');
		rememberSecret(password);
		auth = { username, password };
	}
	const timeout = Number(fields.timeout);
	return {
		baseUrl: raw,
		headers,
		auth,
		caCertificate: text(fields.caCertificate) || undefined,
		timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 10_000,
		insecure,
	};
}

/** An Alertmanager matcher `name="value"` with the value quoted and escaped as Alertmanager's matcher parser reads it. */
export function equalityMatcher(name: string, value: string): string {
	if (!LABEL_NAME.test(name)) throw new Error(`"${name.slice(0, 60)}" is not a label name (letters, digits and _, not starting with a digit)`);
	return `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Whether Alertmanager still has an active (not silenced, not inhibited) alert with exactly these labels. */
export async function checkActive(connection: AlertmanagerApiConnection, labels: Record<string, string>): Promise<ActiveCheck> {
	const names = Object.keys(labels);
	if (names.length === 0) throw new Error('Name at least one label to match (e.g. alertname), or every alert would count');
	const filter = names.map((name) => equalityMatcher(name, labels[name]));
	const unknown = (reason: string): ActiveCheck => ({ active: true, count: null, reason: redact(reason), filter });
	const params = new URLSearchParams({ active: 'true', silenced: 'false', inhibited: 'false' });
	for (const f of filter) params.append('filter', f);
	let body: unknown;
	try {
		const response = await axios.get<string>(`${connection.baseUrl}/api/v2/alerts?${params.toString()}`, {
			headers: connection.headers,
			auth: connection.auth,
			timeout: connection.timeoutMs,
			maxContentLength: MAX_ALERTS_RESPONSE_BYTES,
			maxRedirects: 0,
			proxy: false,
			responseType: 'text',
			transformResponse: (data: string) => data,
			httpsAgent: new https.Agent({ ca: connection.caCertificate }),
			validateStatus: () => true,
		});
		if (response.status !== 200) return unknown(`Alertmanager answered HTTP ${response.status}`);
		body = parseJsonStrictly(response.data, { maxDepth: 16 });
	} catch (error) {
		return unknown(`Alertmanager could not be asked: ${(error as Error).message}`);
	}
	if (!Array.isArray(body)) return unknown('Alertmanager\'s answer is not a list of alerts');
	let count = 0;
	for (const alert of body) {
		const entry = alert as { labels?: unknown; status?: { state?: unknown } } | null;
		if (typeof entry !== 'object' || entry === null || typeof entry.labels !== 'object' || entry.labels === null) return unknown('Alertmanager\'s answer has an entry that is not an alert');
		const alertLabels = entry.labels as Record<string, unknown>;
		// The filter is checked again here: a proxy or another server may ignore it.
		if (!names.every((name) => alertLabels[name] === labels[name])) continue;
		if (entry.status?.state === undefined || entry.status.state === 'active') count += 1;
	}
	return { active: count > 0, count, filter };
}
