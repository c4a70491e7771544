import { types } from 'node:util';

// Only RFC 3339 timestamps with an explicit offset are accepted: a bare local time
// would be read in the machine's timezone, and epoch numbers are ambiguous
// between seconds (Prometheus) and milliseconds (JavaScript). One grammar for
// every reader: T and Z in either case and any number of fractional digits (as
// Go, and so Alertmanager and Kubernetes, write them), a leap second (:60), and
// seconds may be left out (12:00Z), as people write times in policy files.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of an RFC 3339 time, or null when the text is not one (or names a day that does not exist). */
export function parseTimestamp(text: string): number | null {
	const match = RFC3339.exec(text);
	if (match === null) return null;
	const [year, month, day, hour, minute] = [match[1], match[2], match[3], match[4], match[5]].map(Number) as [number, number, number, number, number];
	const second = match[6] === undefined ? 0 : Number(match[6]);
	const millis = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
	if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return null;
	// Date.UTC silently rolls 30 February into March; reject instead.
	if (day < 1 || day > daysInMonth(year, month)) return null;
	let offsetMinutes = 0;
	if (match[9] !== undefined) {
		const offsetHours = Number(match[10]);
		const offsetMins = Number(match[11]);
		if (offsetHours > 23 || offsetMins > 59) return null;
		offsetMinutes = (offsetHours * 60 + offsetMins) * (match[9] === '-' ? -1 : 1);
	}
	const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
	// Date.UTC maps years 0-99 to 1900-1999.
	const fixed = year < 100 ? new Date(utc).setUTCFullYear(year) : utc;
	return fixed - offsetMinutes * 60_000;
}

/** Whether the text is an RFC 3339 time (see parseTimestamp for the grammar). */
export function isRfc3339(text: string): boolean {
	return parseTimestamp(text) !== null;
}

function daysInMonth(year: number, month: number): number {
	const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
	return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

// `now` comes from code (a Date, Date.now() or an ISO string), so epoch
// milliseconds are unambiguous here.
export function instantToMillis(now: unknown): number | null {
	if (typeof now === 'number') return Number.isFinite(now) && Math.abs(now) <= 8.64e15 ? now : null;
	if (typeof now === 'string') return parseTimestamp(now);
	if (types.isDate(now)) {
		const time = now.getTime();
		return Number.isFinite(time) ? time : null;
	}
	return null;
}

export function isoString(millis: number): string {
	return new Date(millis).toISOString();
}

export function secondsBetween(earlierMillis: number, laterMillis: number): number {
	return (laterMillis - earlierMillis) / 1000;
}
