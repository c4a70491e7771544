/**
 * Prometheus refuses a range query whose (end - start) / step exceeds 11,000
 * ("exceeded maximum resolution of 11,000 points per timeseries"). Long
 * histories are therefore fetched in chunks whose evaluation timestamps are
 * exactly those of one big query (start + k * step), so stitching them back
 * together is lossless and free of duplicates.
 */
export const PROMETHEUS_MAX_POINTS = 11_000;

/** Steps a human would pick; auto step never produces 37s or 7m13s. */
const NICE_STEPS = [
	1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800,
];

export interface TimeWindow {
	start: number;
	end: number;
}

export function pointsIn(window: TimeWindow, step: number): number {
	return Math.floor((window.end - window.start) / step + 1e-9) + 1;
}

/** The finest nice step (at least `minStep`) that keeps the range within `targetPoints`. */
export function autoStep(window: TimeWindow, targetPoints: number, minStep = 15): number {
	const span = Math.max(0, window.end - window.start);
	const wanted = Math.max(minStep, span / Math.max(1, targetPoints - 1));
	for (const step of NICE_STEPS) if (step >= wanted) return step;
	return Math.ceil(wanted / 86400) * 86400;
}

/** Snaps start down and end down to multiples of step, so repeated runs see the same timestamps. */
export function alignToStep(window: TimeWindow, step: number): TimeWindow {
	const start = Math.floor(window.start / step) * step;
	const end = Math.max(start, Math.floor(window.end / step) * step);
	return { start, end };
}

export function planChunks(window: TimeWindow, step: number, maxPoints = PROMETHEUS_MAX_POINTS): TimeWindow[] {
	if (!(step > 0)) throw new Error(`step must be positive, got ${step}`);
	if (window.end < window.start) {
		throw new Error(
			`The range ends (${new Date(window.end * 1000).toISOString()}) before it starts (${new Date(window.start * 1000).toISOString()}); swap start and end`,
		);
	}
	const perChunk = Math.max(1, Math.floor(maxPoints));
	const total = pointsIn(window, step);
	const chunks: TimeWindow[] = [];
	for (let first = 0; first < total; first += perChunk) {
		const last = Math.min(total - 1, first + perChunk - 1);
		chunks.push({ start: window.start + first * step, end: window.start + last * step });
	}
	return chunks;
}
