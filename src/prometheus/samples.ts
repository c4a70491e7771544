import { PrometheusError } from './errors';
import type { NonFiniteCounts, Sample } from './types';

export function emptyCounts(): NonFiniteCounts {
	return { nan: 0, posInf: 0, negInf: 0 };
}

/**
 * Prometheus sends sample values as strings, including "NaN", "+Inf" and
 * "-Inf". Those become null (a gap) and are counted: reading them as 0 would
 * tell a forecaster that traffic stopped.
 */
export function toSample(raw: [number, string], counts: NonFiniteCounts): Sample {
	if (!Array.isArray(raw) || raw.length !== 2) throw badSample(raw);
	const [t, text] = raw;
	if (typeof t !== 'number' || !Number.isFinite(t)) throw badSample(raw);
	const value = parsePrometheusFloat(text);
	if (value === undefined) throw badSample(raw);
	if (Number.isFinite(value)) return [t, value];
	if (value === Infinity) counts.posInf++;
	else if (value === -Infinity) counts.negInf++;
	else counts.nan++;
	return [t, null];
}

// What Prometheus writes (strconv.FormatFloat 'f' -1, and the specials): decimal with an
// optional exponent, NaN, ±Inf. JavaScript's Number() would also take "" (0), "0x1F" (31),
// "0b11" and whitespace, none of which Prometheus sends.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity };

/** A sample value by Prometheus's float rules, or undefined when it is not one. */
export function parsePrometheusFloat(text: unknown): number | undefined {
	if (typeof text !== 'string' || text.length > 64) return undefined;
	if (DECIMAL.test(text)) return Number(text);
	const special = SPECIAL[text.toLowerCase()];
	return special;
}

function badSample(raw: unknown): PrometheusError {
	const shown = JSON.stringify(raw) ?? String(raw);
	return new PrometheusError({
		kind: 'bad_response',
		summary: `Prometheus sent a sample that is not [unix seconds, "number"]: ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`,
		fix: 'Point the base URL at a Prometheus-compatible server; a proxy or another API answered with data Prometheus never sends',
	});
}

export function addCounts(into: NonFiniteCounts, from: NonFiniteCounts): void {
	into.nan += from.nan;
	into.posInf += from.posInf;
	into.negInf += from.negInf;
}

export function describeNonFinite(counts: NonFiniteCounts): string | undefined {
	const parts: string[] = [];
	if (counts.nan) parts.push(`${counts.nan} NaN`);
	if (counts.posInf) parts.push(`${counts.posInf} +Inf`);
	if (counts.negInf) parts.push(`${counts.negInf} -Inf`);
	if (parts.length === 0) return undefined;
	return `${parts.join(', ')} sample(s) were returned as gaps (null), not zeros; +Inf often means histogram_quantile above the highest bucket, NaN a division by zero (no traffic)`;
}

/** A stable identity for a series across chunks: labels sorted by name. */
export function seriesKey(metric: Record<string, string>): string {
	return JSON.stringify(Object.keys(metric).sort().map((k) => [k, metric[k]]));
}
