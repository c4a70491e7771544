import { JsonSyntaxError, parseJsonStrictly } from '../shared/strictJson';
import { type LabelRule, DEFAULT_LABEL_RULES, checkLabelRules, compileLabelRules } from './labelRules';
import { normalise } from './normalise';
import type { Checked, Notification } from './types';
import { ValidateOptions, describe, rejection, validatePayload } from './validate';

/**
 * From an HTTP request as the webhook sees it to a notification, or to the
 * reason it is refused. Kept apart from n8n: the node hands over what n8n
 * gives it (headers, raw bytes when n8n has read them, the parsed body).
 */

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Alerts in one notification; Alertmanager's max_alerts keeps real ones under it (the rest counts in truncatedAlerts). */
export const DEFAULT_MAX_ALERTS = 1_000;
// Alertmanager's payload is four levels deep; anything much deeper is not one.
const MAX_DEPTH = 16;

export interface IncomingNotification {
	/** The Content-Type header as sent. */
	contentType: string | undefined;
	/** The Content-Length header as sent. */
	contentLength?: string | number;
	/** The body's bytes, when available (n8n keeps them as req.rawBody). */
	rawBody?: Buffer | string;
	/** The body as already parsed by the server, when it did. */
	parsedBody?: unknown;
	/** Bodies larger than this are refused (default 1 MiB). */
	maxBodyBytes?: number;
}

export interface ReadOptions extends ValidateOptions {
	/** Most alerts one notification may carry (default DEFAULT_MAX_ALERTS). */
	maxAlerts?: number;
	/** Rules for label values (default DEFAULT_LABEL_RULES; [] checks none). */
	labelRules?: readonly LabelRule[];
}

/** The size of the body: the bytes when we have them, else what Content-Length announced, else the parsed body re-serialised. */
export function bodySize(request: IncomingNotification): number | undefined {
	if (request.rawBody !== undefined) return Buffer.byteLength(request.rawBody);
	const announced = Number(request.contentLength);
	if (request.contentLength !== undefined && Number.isFinite(announced) && announced >= 0) return announced;
	if (request.parsedBody !== undefined) {
		try {
			return Buffer.byteLength(JSON.stringify(request.parsedBody) ?? '');
		} catch {
			// Too deep to serialise: measured as unknown, refused by the depth check.
			return undefined;
		}
	}
	return undefined;
}

function mediaType(contentType: string | undefined): string {
	return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || value === '' || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
}

export function readNotification(request: IncomingNotification, options: ReadOptions = {}): Checked<Notification> {
	const limit = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	const size = bodySize(request);
	if (size !== undefined && size > limit) {
		return {
			ok: false,
			rejection: {
				path: 'body',
				reason: `body is ${size} bytes, over the limit of ${limit}`,
				fix: 'Set max_alerts on the Alertmanager webhook_config so a notification stays small (the rest is counted in truncatedAlerts), or raise the node\'s "Max Body Size" option.',
			},
		};
	}
	const type = mediaType(request.contentType);
	if (type !== 'application/json') {
		return {
			ok: false,
			rejection: rejection(
				'content-type',
				`must be application/json, got ${request.contentType ? JSON.stringify(request.contentType) : 'no Content-Type header'}`,
				'Alertmanager sends Content-Type: application/json; send the v4 payload as JSON with that header.',
			),
		};
	}
	let body = request.parsedBody;
	// The bytes, when we have them, are what counts: read strictly (duplicate keys and excessive depth
	// refused), not as whatever a server's JSON.parse made of them.
	if (request.rawBody !== undefined && (isEmpty(body) || Buffer.byteLength(request.rawBody) > 0)) {
		const text = Buffer.isBuffer(request.rawBody) ? request.rawBody.toString('utf8') : request.rawBody;
		if (text.trim() === '') {
			if (isEmpty(body)) return { ok: false, rejection: rejection('body', 'is empty, expected Alertmanager\'s JSON payload') };
		} else {
			try {
				body = parseJsonStrictly(text.replace(/^\uFEFF/, ''), { maxDepth: MAX_DEPTH });
			} catch (error) {
				if (!(error instanceof JsonSyntaxError)) throw error;
				return { ok: false, rejection: rejection('body', `is not valid JSON (${error.message})`) };
			}
		}
	} else if (tooDeep(body)) {
		return { ok: false, rejection: rejection('body', `is not valid JSON (nested deeper than ${MAX_DEPTH} levels)`) };
	}
	if (body === undefined || (typeof body === 'string' && body.trim() === '')) {
		return { ok: false, rejection: rejection('body', `is empty, expected Alertmanager's JSON payload, got ${describe(body)}`) };
	}
	const maxAlerts = options.maxAlerts ?? DEFAULT_MAX_ALERTS;
	const alerts = (body as { alerts?: unknown }).alerts;
	if (Array.isArray(alerts) && alerts.length > maxAlerts) {
		return {
			ok: false,
			rejection: rejection('alerts', `has ${alerts.length} alerts, over the limit of ${maxAlerts}`, 'Set max_alerts on the Alertmanager webhook_config (the rest is counted in truncatedAlerts), or raise the node\'s "Max Alerts" option.'),
		};
	}
	const checked = validatePayload(body, options);
	if (!checked.ok) return checked;
	const broken = checkLabelRules(checked.value, compileLabelRules(options.labelRules ?? DEFAULT_LABEL_RULES));
	if (broken) return { ok: false, rejection: broken };
	return { ok: true, value: normalise(checked.value) };
}

/** Whether an already parsed body nests deeper than an Alertmanager payload can; iterative, so depth itself cannot overflow the stack. */
function tooDeep(body: unknown): boolean {
	const stack: Array<[unknown, number]> = [[body, 0]];
	let visited = 0;
	while (stack.length > 0) {
		const [node, depth] = stack.pop() as [unknown, number];
		if (typeof node !== 'object' || node === null) continue;
		if (depth > MAX_DEPTH || ++visited > 1_000_000) return true;
		for (const child of Object.values(node)) stack.push([child, depth + 1]);
	}
	return false;
}
