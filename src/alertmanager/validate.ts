import { isRfc3339 } from '../shared/time';
import type { AlertStatus, Checked, Rejection, StringMap, WebhookAlert, WebhookPayload } from './types';
import { isRecord } from '../shared/records';

/**
 * Validates a parsed webhook body against Alertmanager's v4 payload. The first
 * problem found is reported with its JSON path, what is wrong, and the fix,
 * because the sender (a misconfigured proxy, a hand-written curl, another
 * tool posting to the wrong URL) only sees the 400 answer.
 */

export interface ValidateOptions {
	/** Refuse a `version` other than "4" (default true). Off: any version string, or none, if the shape is v4. */
	requireVersion4?: boolean;
}

const PAYLOAD_FIX =
	'Point an Alertmanager webhook_config at this URL (Alertmanager sends the v4 payload), or send the same JSON shape: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config';

class Invalid extends Error {
	constructor(
		readonly path: string,
		readonly problem: string,
		readonly fix: string = PAYLOAD_FIX,
	) {
		super(`${path}: ${problem}`);
	}
}

export function rejection(path: string, problem: string, fix: string = PAYLOAD_FIX): Rejection {
	return { path, reason: `${path}: ${problem}`, fix };
}

/** A short, safe rendering of an offending value for the reason text. */
export function describe(value: unknown): string {
	if (value === undefined) return 'nothing (the field is missing)';
	if (value === null) return 'null';
	if (Array.isArray(value)) return `an array of ${value.length}`;
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') {
		const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
		return `the string ${JSON.stringify(shown)}`;
	}
	return `${typeof value} ${String(value)}`;
}

function status(value: unknown, path: string): AlertStatus {
	if (value === 'firing' || value === 'resolved') return value;
	throw new Invalid(path, `must be "firing" or "resolved", got ${describe(value)}`);
}

function nonEmptyString(value: unknown, path: string, what: string): string {
	if (typeof value === 'string' && value.length > 0) return value;
	throw new Invalid(path, `must be a non-empty string (${what}), got ${describe(value)}`);
}

function optionalString(value: unknown, path: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	throw new Invalid(path, `must be a string, got ${describe(value)}`);
}

/** Labels and annotations: an object whose every value is a string. */
function stringMap(value: unknown, path: string, required: boolean): StringMap {
	if (value === undefined && !required) return {};
	if (!isRecord(value)) throw new Invalid(path, `must be an object of string values (name: value), got ${describe(value)}`);
	const out: StringMap = {};
	for (const [name, entry] of Object.entries(value)) {
		if (typeof entry !== 'string') {
			throw new Invalid(`${path}.${name}`, `must be a string (label and annotation values are strings), got ${describe(entry)}`);
		}
		out[name] = entry;
	}
	return out;
}

function time(value: unknown, path: string): string {
	if (typeof value === 'string' && isRfc3339(value)) return value;
	throw new Invalid(path, `must be an RFC 3339 time such as 2026-01-01T12:00:00Z, got ${describe(value)}`);
}

function alert(value: unknown, path: string): WebhookAlert {
	if (!isRecord(value)) throw new Invalid(path, `must be an alert object, got ${describe(value)}`);
	return {
		status: status(value.status, `${path}.status`),
		labels: stringMap(value.labels, `${path}.labels`, true),
		annotations: stringMap(value.annotations, `${path}.annotations`, true),
		startsAt: time(value.startsAt, `${path}.startsAt`),
		endsAt: time(value.endsAt, `${path}.endsAt`),
		generatorURL: optionalString(value.generatorURL, `${path}.generatorURL`),
		fingerprint: nonEmptyString(value.fingerprint, `${path}.fingerprint`, 'Alertmanager\'s hash of the labels'),
	};
}

function payload(body: unknown, options: ValidateOptions): WebhookPayload {
	if (!isRecord(body)) throw new Invalid('body', `must be a JSON object (Alertmanager's webhook payload), got ${describe(body)}`);
	let version: string;
	if (options.requireVersion4 !== false) {
		if (body.version !== '4') {
			throw new Invalid(
				'version',
				`must be "4", got ${describe(body.version)}`,
				'Only Alertmanager\'s v4 webhook payload is understood. If a proxy rewrites it, send version "4"; to accept other versions with the same shape, turn off the node\'s "Require Version 4" option.',
			);
		}
		version = '4';
	} else {
		version = optionalString(body.version, 'version');
	}
	const groupStatus = status(body.status, 'status');
	const groupKey = nonEmptyString(body.groupKey, 'groupKey', 'Alertmanager\'s key of the alert group');
	let truncatedAlerts = 0;
	// Alertmanager added truncatedAlerts in 0.20 without changing the version; older senders omit it.
	if (body.truncatedAlerts !== undefined) {
		const t = body.truncatedAlerts;
		if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) {
			throw new Invalid('truncatedAlerts', `must be a non-negative integer (alerts left out by max_alerts), got ${describe(t)}`);
		}
		truncatedAlerts = t;
	}
	if (!Array.isArray(body.alerts)) throw new Invalid('alerts', `must be an array of alerts, got ${describe(body.alerts)}`);
	if (body.alerts.length === 0) throw new Invalid('alerts', 'must not be empty: Alertmanager never sends a notification without alerts');
	return {
		version,
		groupKey,
		truncatedAlerts,
		status: groupStatus,
		receiver: optionalString(body.receiver, 'receiver'),
		groupLabels: stringMap(body.groupLabels, 'groupLabels', false),
		commonLabels: stringMap(body.commonLabels, 'commonLabels', false),
		commonAnnotations: stringMap(body.commonAnnotations, 'commonAnnotations', false),
		externalURL: optionalString(body.externalURL, 'externalURL'),
		alerts: body.alerts.map((entry, i) => alert(entry, `alerts[${i}]`)),
	};
}

export function validatePayload(body: unknown, options: ValidateOptions = {}): Checked<WebhookPayload> {
	try {
		return { ok: true, value: payload(body, options) };
	} catch (error) {
		if (error instanceof Invalid) return { ok: false, rejection: rejection(error.path, error.problem, error.fix) };
		throw error;
	}
}
