import { createHash } from 'node:crypto';

import type { AlertStatus } from './types';

/**
 * JSON with object keys sorted at every level and no whitespace, so equal
 * values always give the same text (and so the same hash), whatever order
 * the keys were built in.
 */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

/** Sorted by code unit (not locale), without duplicates: the same set always reads the same. */
export function sortedUnique(values: Iterable<string>): string[] {
	return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The dedupe key of one notification:
 * `sha256:` + hex SHA-256 of canonicalJson({ groupKey, status, firing }), where
 * `firing` is the sorted fingerprints of the alerts that fire.
 *
 * Alertmanager re-sends a group at every repeat_interval and retries failed
 * deliveries; those notifications have the same key. A new alert joining the
 * group, one alert resolving, or the whole group resolving changes it. The
 * order of alerts in the body does not matter, nor do timestamps or annotations.
 */
export function dedupeKey(groupKey: string, status: AlertStatus, firingFingerprints: Iterable<string>): string {
	const canonical = canonicalJson({ groupKey, status, firing: sortedUnique(firingFingerprints) });
	return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
