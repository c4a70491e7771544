/**
 * Alertmanager's webhook payload, version 4 (the only version Alertmanager has
 * sent since 0.5), and the normalised shape the trigger node emits.
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */

export type AlertStatus = 'firing' | 'resolved';

export type StringMap = Record<string, string>;

/** One alert as Alertmanager sends it. */
export interface WebhookAlert {
	status: AlertStatus;
	labels: StringMap;
	annotations: StringMap;
	startsAt: string;
	endsAt: string;
	generatorURL: string;
	fingerprint: string;
}

/** The whole notification body, after validation (optional fields filled in). */
export interface WebhookPayload {
	version: string;
	groupKey: string;
	truncatedAlerts: number;
	status: AlertStatus;
	receiver: string;
	groupLabels: StringMap;
	commonLabels: StringMap;
	commonAnnotations: StringMap;
	externalURL: string;
	alerts: WebhookAlert[];
}

/** An alert as the node emits it. */
export interface NormalisedAlert {
	/** labels.alertname, '' when the alert has none. */
	name: string;
	status: AlertStatus;
	labels: StringMap;
	annotations: StringMap;
	startsAt: string;
	/** null when Alertmanager sent Go's zero time (0001-01-01T00:00:00Z): the alert has not ended. */
	endsAt: string | null;
	fingerprint: string;
	generatorURL: string;
}

/** What one notification says about its group. */
export interface NormalisedGroup {
	groupKey: string;
	status: AlertStatus;
	receiver: string;
	groupLabels: StringMap;
	commonLabels: StringMap;
	commonAnnotations: StringMap;
	externalURL: string;
	truncatedAlerts: number;
	/** Fingerprints of the alerts that fire in this notification, sorted, without duplicates. */
	firingFingerprints: string[];
}

export interface Notification {
	group: NormalisedGroup;
	alerts: NormalisedAlert[];
	dedupeKey: string;
}

/** Why a request was refused: where, what is wrong, and what to do about it. */
export interface Rejection {
	/** JSON path of the offending field (`alerts[0].startsAt`), or `body` / `content-type`. */
	path: string;
	/** `<path>: <what is wrong>`, the text answered to the sender. */
	reason: string;
	fix: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };
