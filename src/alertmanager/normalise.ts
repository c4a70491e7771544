import { dedupeKey, sortedUnique } from './dedupe';
import type { NormalisedAlert, Notification, WebhookAlert, WebhookPayload } from './types';

/** Go's zero time: Alertmanager's "no end yet" for a firing alert. */
const GO_ZERO_TIME = /^0001-01-01T00:00:00(\.0+)?Z$/i;

export function normaliseAlert(alert: WebhookAlert): NormalisedAlert {
	return {
		name: alert.labels.alertname ?? '',
		status: alert.status,
		labels: alert.labels,
		annotations: alert.annotations,
		startsAt: alert.startsAt,
		endsAt: GO_ZERO_TIME.test(alert.endsAt) ? null : alert.endsAt,
		fingerprint: alert.fingerprint,
		generatorURL: alert.generatorURL,
	};
}

/** One validated notification as the node emits it: the group, its alerts and its dedupe key. */
export function normalise(payload: WebhookPayload): Notification {
	const firingFingerprints = sortedUnique(payload.alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint));
	return {
		group: {
			groupKey: payload.groupKey,
			status: payload.status,
			receiver: payload.receiver,
			groupLabels: payload.groupLabels,
			commonLabels: payload.commonLabels,
			commonAnnotations: payload.commonAnnotations,
			externalURL: payload.externalURL,
			truncatedAlerts: payload.truncatedAlerts,
			firingFingerprints,
		},
		alerts: payload.alerts.map(normaliseAlert),
		dedupeKey: dedupeKey(payload.groupKey, payload.status, firingFingerprints),
	};
}
