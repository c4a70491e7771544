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
	const [t, text] = raw;
	const value = Number(text);
	if (Number.isFinite(value)) return [t, value];
	if (text === '+Inf' || value === Infinity) counts.posInf++;
	else if (text === '-Inf' || value === -Infinity) counts.negInf++;
	else counts.nan++;
	return [t, null];
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
