/**
 * Durations ("90s", "1h30m", "14d", "2w") and points in time (unix seconds,
 * RFC 3339, "now", "now-15m"), the notations SREs already type into Prometheus
 * and Grafana. One grammar for every reader (Prometheus queries, the CLI, the
 * Forecast node and the simulator): parts of <number><unit>, units ms, s (sec),
 * m (min), h, d, w and y, in any case.
 */

const UNIT_SECONDS: Record<string, number> = {
	ms: 0.001,
	s: 1,
	sec: 1,
	m: 60,
	min: 60,
	h: 3600,
	d: 86400,
	w: 604800,
	y: 31536000,
};

// Longer units first, so "5ms" and "5min" are not read as minutes followed by junk.
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|min|sec|s|m|h|d|w|y))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|min|sec|s|m|h|d|w|y)/g;

/**
 * Seconds of a duration written with units ("90m", "1h30m", "0s"), or null when
 * the text is not one. A bare number is not a duration here: callers that also
 * take one (seconds for Prometheus, steps for a forecast horizon) say what it means.
 */
export function durationSeconds(text: string): number | null {
	const value = String(text ?? '').trim().toLowerCase();
	if (!DURATION.test(value)) return null;
	let seconds = 0;
	for (const [, amount, unit] of value.matchAll(DURATION_PART)) seconds += Number(amount) * (UNIT_SECONDS[unit] as number);
	return seconds;
}

/** Parses "5m", "1h30m", "14d" or a bare number of seconds (as Prometheus reads them); returns seconds, never 0. */
export function parseDuration(text: string, what = 'duration'): number {
	const trimmed = String(text ?? '').trim();
	const seconds = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : durationSeconds(trimmed);
	if (seconds !== null && seconds > 0) return seconds;
	throw new Error(
		`Invalid ${what} "${trimmed}": use a positive Prometheus duration such as 30s, 5m, 1h30m, 14d or 2w`,
	);
}

/** Renders seconds as the shortest exact Prometheus duration ("1h30m", "45s"). */
export function formatDuration(seconds: number): string {
	if (!(seconds > 0)) return '0s';
	let rest = Math.round(seconds * 1000);
	const parts: string[] = [];
	for (const [unit, size] of [
		['w', 604800000],
		['d', 86400000],
		['h', 3600000],
		['m', 60000],
		['s', 1000],
		['ms', 1],
	] as const) {
		if (rest >= size) {
			parts.push(`${Math.floor(rest / size)}${unit}`);
			rest %= size;
		}
	}
	return parts.join('');
}

/**
 * Parses a point in time into unix seconds: "now", "now-1h", unix seconds
 * (with fraction), or an RFC 3339 / ISO 8601 date. `nowSeconds` is passed in
 * so callers (and tests) decide what "now" is.
 */
export function parseTime(text: string | number | Date, nowSeconds: number, what = 'time'): number {
	if (text instanceof Date) {
		const t = text.getTime();
		if (Number.isFinite(t)) return t / 1000;
	} else if (typeof text === 'number') {
		if (Number.isFinite(text)) return text;
	} else {
		const trimmed = String(text ?? '').trim();
		if (trimmed === '' || trimmed === 'now') return nowSeconds;
		const relative = /^now\s*-\s*(.+)$/.exec(trimmed);
		if (relative) return nowSeconds - parseDuration(relative[1], what);
		if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
		const parsed = Date.parse(trimmed);
		if (Number.isFinite(parsed)) return parsed / 1000;
	}
	throw new Error(
		`Invalid ${what} "${String(text)}": use unix seconds, an RFC 3339 date such as 2026-01-31T12:00:00Z, "now" or "now-1h"`,
	);
}
