import { inferIntervalSeconds } from '../forecast/grid';
import type { Series } from '../forecast/types';

/**
 * Demand at minute resolution, the grid the replay scores on. A value holds
 * for its sample's interval (sample-and-hold): a count per 30 minutes says
 * nothing about the shape inside the half hour, and holding it never lets a
 * minute depend on a later sample (interpolation would, which is look-ahead).
 * Finer series are averaged per minute. NaN marks a gap: missing data is
 * neither zero demand nor scored.
 */
export interface MinuteDemand {
	/** Unix seconds of the first minute (a multiple of 60). */
	start: number;
	values: Float64Array;
	/** Sampling interval of the source series, seconds. */
	sourceIntervalSeconds: number;
	/** Minutes without data inside the range. */
	gapMinutes: number;
}

export class DemandError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DemandError';
	}
}

export function minuteDemand(series: Series): MinuteDemand {
	const order = series.t.map((_, i) => i).filter((i) => Number.isFinite(series.t[i]));
	order.sort((a, b) => series.t[a] - series.t[b]);
	if (order.length === 0) throw new DemandError('the series is empty: no rows with a timestamp (fix: point --csv at a file with a header row and data, or widen --range)');
	const finite = order.filter((i) => isNumber(series.v[i]));
	if (finite.length === 0) {
		throw new DemandError(`all ${order.length} values are missing (empty, NaN or null): nothing to replay (fix: choose the value column with --column, or a query that returns numbers)`);
	}
	for (const i of finite) {
		if ((series.v[i] as number) < 0) {
			throw new DemandError(`demand must not be negative: ${series.v[i]} at ${iso(series.t[i])} (fix: replay a rate or count, e.g. rate(...) rather than deriv(...))`);
		}
	}
	// Leading and trailing gaps are no part of the replay: nothing was measured there.
	const first = series.t[finite[0]];
	const last = series.t[finite[finite.length - 1]];
	const t = order.map((i) => series.t[i]).filter((x) => x >= first && x <= last);
	const v = order.filter((i) => series.t[i] >= first && series.t[i] <= last).map((i) => (isNumber(series.v[i]) ? (series.v[i] as number) : NaN));
	const interval = inferIntervalSeconds(t) ?? 60;
	const start = Math.floor(first / 60) * 60;
	const end = Math.floor((last + Math.max(interval, 60) - 1) / 60) * 60 + 60;
	const minutes = Math.max(1, Math.round((end - start) / 60));
	const values = new Float64Array(minutes).fill(NaN);

	if (interval < 60) {
		const sums = new Float64Array(minutes);
		const counts = new Uint32Array(minutes);
		t.forEach((time, i) => {
			if (Number.isNaN(v[i])) return;
			const m = Math.floor((time - start) / 60);
			sums[m] += v[i];
			counts[m]++;
		});
		for (let m = 0; m < minutes; m++) if (counts[m] > 0) values[m] = sums[m] / counts[m];
	} else {
		for (let i = 0; i < t.length; i++) {
			// A sample holds until the next one, but never longer than one interval: a hole in the timestamps is a gap.
			const until = Math.min(i + 1 < t.length ? t[i + 1] : Infinity, t[i] + interval);
			const from = Math.max(0, Math.ceil((t[i] - start) / 60 - 1e-9));
			const to = Math.min(minutes, Math.ceil((until - start) / 60 - 1e-9));
			for (let m = from; m < to; m++) values[m] = v[i];
		}
	}
	let lastValue = minutes - 1;
	while (lastValue > 0 && Number.isNaN(values[lastValue])) lastValue--;
	const trimmed = values.subarray(0, lastValue + 1);
	let gapMinutes = 0;
	for (const value of trimmed) if (Number.isNaN(value)) gapMinutes++;
	return { start, values: trimmed, sourceIntervalSeconds: interval, gapMinutes };
}

/**
 * Means of whole steps of the minute demand, the history a range query at
 * that step would return. Bucket k covers [origin + k*step, origin + (k+1)*step)
 * with the origin a multiple of the step (like Prometheus's aligned steps);
 * a bucket without any data is null. A bucket depends only on its own minutes,
 * so a caller that reads buckets ending at or before a time sees nothing after it.
 */
export interface DemandBuckets {
	origin: number;
	stepSeconds: number;
	values: Array<number | null>;
}

export function bucketDemand(demand: MinuteDemand, stepSeconds: number): DemandBuckets {
	if (!(stepSeconds >= 60) || stepSeconds % 60 !== 0) throw new Error(`the history step must be whole minutes, got ${stepSeconds} s`);
	const origin = Math.floor(demand.start / stepSeconds) * stepSeconds;
	const perBucket = stepSeconds / 60;
	const offset = (demand.start - origin) / 60;
	const count = Math.ceil((offset + demand.values.length) / perBucket);
	const values: Array<number | null> = [];
	for (let k = 0; k < count; k++) {
		let sum = 0;
		let n = 0;
		for (let j = 0; j < perBucket; j++) {
			const m = k * perBucket + j - offset;
			if (m < 0 || m >= demand.values.length) continue;
			const value = demand.values[m];
			if (!Number.isNaN(value)) {
				sum += value;
				n++;
			}
		}
		values.push(n > 0 ? sum / n : null);
	}
	return { origin, stepSeconds, values };
}

function isNumber(value: number | null | undefined): boolean {
	return typeof value === 'number' && Number.isFinite(value);
}

function iso(seconds: number): string {
	return new Date(seconds * 1000).toISOString();
}
