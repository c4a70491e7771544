import { types } from 'node:util';

// Only RFC 3339 timestamps with an explicit offset are accepted: a bare local time
// would be read in the machine's timezone, and epoch numbers are ambiguous
// between seconds (Prometheus) and milliseconds (JavaScript).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/;

export function parseTimestamp(text: string): number | null {
	const match = RFC3339.exec(text);
	if (match === null) return null;
	const [year, month, day, hour, minute] = [match[1], match[2], match[3], match[4], match[5]].map(Number) as [number, number, number, number, number];
	const second = match[6] === undefined ? 0 : Number(match[6]);
	const millis = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
	if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
	// Date.UTC silently rolls 30 February into March; reject instead.
	if (day < 1 || day > daysInMonth(year, month)) return null;
	let offsetMinutes = 0;
	if (match[8] !== 'Z') {
		const offsetHours = Number(match[9]);
		const offsetMins = Number(match[10]);
		if (offsetHours > 23 || offsetMins > 59) return null;
		offsetMinutes = (offsetHours * 60 + offsetMins) * (match[8]?.startsWith('-') ? -1 : 1);
	}
	const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
	// Date.UTC maps years 0-99 to 1900-1999.
	const fixed = year < 100 ? new Date(utc).setUTCFullYear(year) : utc;
	return fixed - offsetMinutes * 60_000;
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
