/**
 * Prometheus-style durations ("90s", "1h30m", "14d", "2w") and points in time
 * (unix seconds, RFC 3339, "now", "now-15m"), the notations SREs already type
 * into Prometheus and Grafana.
 */

const UNIT_SECONDS: Record<string, number> = {
	ms: 0.001,
	s: 1,
	m: 60,
	h: 3600,
	d: 86400,
	w: 604800,
	y: 31536000,
};

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/y;

/** Parses "5m", "1h30m", "14d" or a bare number of seconds; returns seconds. */
export function parseDuration(text: string, what = 'duration'): number {
	const trimmed = String(text ?? '').trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) {
		const seconds = Number(trimmed);
		if (seconds > 0) return seconds;
	} else if (trimmed !== '') {
		let total = 0;
		DURATION_PART.lastIndex = 0;
		let consumed = 0;
		let match: RegExpExecArray | null;
		while ((match = DURATION_PART.exec(trimmed)) !== null) {
			total += Number(match[1]) * UNIT_SECONDS[match[2]];
			consumed = DURATION_PART.lastIndex;
		}
		if (consumed === trimmed.length && total > 0) return total;
	}
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
