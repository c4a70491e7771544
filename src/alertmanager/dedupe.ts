import { canonicalJson, sha256 } from '../shared/hash';
import type { AlertStatus } from './types';

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
	return sha256(canonicalJson({ groupKey, status, firing: sortedUnique(firingFingerprints) }));
}
