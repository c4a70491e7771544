import { isRecord } from '../shared/records';

/** One group's signals (a region's or a track's), by signal name; null = reported, but not a finite number. Null prototype: names come from Prometheus labels. */
export type SignalValues = Record<string, number | null>;

export interface GroupedSignals {
	/** Group label value → signal → value; null when NaN or ±Inf, or when two series disagree about it. */
	groups: Record<string, SignalValues>;
	/** Group → signal → every finite value reported for it, in order: what a caller that must read a disagreement one way (the healthiest) picks from. */
	readings: Record<string, Record<string, number[]>>;
}

// Prometheus labels are data anyone who can push a metric controls: a
// region "__proto__" or a track "constructor" must be an ordinary key here.
function nullMap<T>(): Record<string, T> {
	return Object.create(null) as Record<string, T>;
}

/**
 * The value of an instant-query series ([timestamp, value]): a finite number,
 * or null for anything else, including no value at all. A series that names a
 * signal reports it; without a usable number it is unknown, never "not
 * reported" (for a canary, no error-rate series reads as 0 errors).
 */
function instantValue(series: Record<string, unknown>): number | null {
	const value = series.value;
	if (!Array.isArray(value) || value.length < 2) return null;
	const v = value[1];
	return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Instant-query series labelled `<groupLabel>` and `signal` (the shape the
 * shipped PromQL builds with label_replace), grouped into plain numbers.
 * Series without both labels are skipped, so a missing signal reads as "not
 * reported"; one with both labels but no usable value reports the signal as
 * unknown (null), and the gate holds on it. Two series
 * that disagree about the same signal make it unknown (null): on doubt, no number.
 */
export function groupSignals(series: unknown, groupLabel: string, keep?: (group: string) => boolean): GroupedSignals {
	const groups = nullMap<SignalValues>();
	const conflicted = new Set<string>();
	const readings = nullMap<Record<string, number[]>>();
	const list = Array.isArray(series) ? series : [];
	for (const entry of list) {
		if (!isRecord(entry) || !isRecord(entry.metric)) continue;
		const group = entry.metric[groupLabel];
		const signal = entry.metric.signal;
		const value = instantValue(entry);
		if (typeof group !== 'string' || group === '' || typeof signal !== 'string' || signal === '') continue;
		if (keep && !keep(group)) continue;
		const values = (groups[group] ??= nullMap<number | null>());
		if (value !== null) ((readings[group] ??= nullMap<number[]>())[signal] ??= []).push(value);
		const key = `${group}/${signal}`;
		if (conflicted.has(key)) continue;
		if (Object.hasOwn(values, signal) && values[signal] !== value) {
			conflicted.add(key);
			values[signal] = null;
			continue;
		}
		values[signal] = value;
	}
	return { groups, readings };
}
