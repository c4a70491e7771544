/**
 * The short human durations kubectl prints in AGE columns ("45s", "3m12s",
 * "5h", "12d"); the server renders them when it builds a Table.
 */
export function humanDuration(ms: number): string {
	const seconds = Math.floor(ms / 1000);
	if (seconds < -1) return '<invalid>';
	if (seconds < 0) return '0s';
	if (seconds < 60 * 2) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 10) {
		const s = seconds % 60;
		return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
	}
	if (minutes < 60 * 3) return `${minutes}m`;
	const hours = Math.floor(minutes / 60);
	if (hours < 8) {
		const m = minutes % 60;
		return m === 0 ? `${hours}h` : `${hours}h${m}m`;
	}
	if (hours < 48) return `${hours}h`;
	if (hours < 24 * 8) {
		const h = hours % 24;
		return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
	}
	if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
	const years = Math.floor(hours / 24 / 365);
	if (years < 8) {
		const days = Math.floor(hours / 24) % 365;
		return days === 0 ? `${years}y` : `${years}y${days}d`;
	}
	return `${years}y`;
}

export function ageOf(timestamp: unknown, now: number): string {
	if (typeof timestamp !== 'string') return '<unknown>';
	const at = Date.parse(timestamp);
	return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** RFC 3339 with microseconds, as metav1.MicroTime (Lease renewTime, Event eventTime) serialises. */
export function rfc3339Micro(ms: number): string {
	return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
