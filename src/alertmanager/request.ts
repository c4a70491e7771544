import { normalise } from './normalise';
import type { Checked, Notification } from './types';
import { ValidateOptions, describe, rejection, validatePayload } from './validate';

/**
 * From an HTTP request as the webhook sees it to a notification, or to the
 * reason it is refused. Kept apart from n8n: the node hands over what n8n
 * gives it (headers, raw bytes when n8n has read them, the parsed body).
 */

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

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

export type ReadOptions = ValidateOptions;

/** The size of the body: the bytes when we have them, else what Content-Length announced, else the parsed body re-serialised. */
export function bodySize(request: IncomingNotification): number | undefined {
	if (request.rawBody !== undefined) return Buffer.byteLength(request.rawBody);
	const announced = Number(request.contentLength);
	if (request.contentLength !== undefined && Number.isFinite(announced) && announced >= 0) return announced;
	if (request.parsedBody !== undefined) return Buffer.byteLength(JSON.stringify(request.parsedBody) ?? '');
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
	// The server may not have parsed the body (or parsed it to {} when it was empty): read the bytes ourselves.
	if (isEmpty(body) && request.rawBody !== undefined) {
		const text = Buffer.isBuffer(request.rawBody) ? request.rawBody.toString('utf8') : request.rawBody;
		if (text.trim() === '') {
			return { ok: false, rejection: rejection('body', 'is empty, expected Alertmanager\'s JSON payload') };
		}
		try {
			body = JSON.parse(text.replace(/^\uFEFF/, ''));
		} catch (error) {
			return { ok: false, rejection: rejection('body', `is not valid JSON (${(error as Error).message})`) };
		}
	}
	if (body === undefined || (typeof body === 'string' && body.trim() === '')) {
		return { ok: false, rejection: rejection('body', `is empty, expected Alertmanager's JSON payload, got ${describe(body)}`) };
	}
	const checked = validatePayload(body, options);
	return checked.ok ? { ok: true, value: normalise(checked.value) } : checked;
}
