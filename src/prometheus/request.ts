import { PrometheusClient } from './client';
import { parseDuration, parseTime } from '../shared/duration';
import { describeNonFinite } from './samples';
import type { InstantQueryResult, Labels, RangeQueryResult, Sample } from './types';

/**
 * A query as an operator describes it ("last 14d at 5m", "now"), resolved
 * against a clock into what the client sends. Shared by the node and the CLI.
 */
export type QueryRequest =
	| { type: 'instant'; query: string; time?: string }
	| {
			type: 'range';
			query: string;
			/** "last <duration>" ending at `end` (default now) ... */
			last?: string;
			/** ... or explicit bounds. */
			start?: string;
			end?: string;
			/** Empty = automatic. */
			step?: string;
			autoStepMaxPoints?: number;
			maxPointsPerRequest?: number;
			align?: boolean;
	  };

export async function runQueryRequest(
	client: PrometheusClient,
	request: QueryRequest,
	nowSeconds: number,
): Promise<RangeQueryResult | InstantQueryResult> {
	if (request.type === 'instant') {
		return client.instant({ query: request.query, time: parseTime(request.time ?? 'now', nowSeconds, 'time') });
	}
	const end = parseTime(request.end ?? 'now', nowSeconds, 'end');
	const start =
		request.last !== undefined && request.last.trim() !== ''
			? end - parseDuration(request.last, 'range ("last")')
			: parseTime(requireValue(request.start, 'start'), nowSeconds, 'start');
	return client.range({
		query: request.query,
		start,
		end,
		step: request.step && request.step.trim() ? parseDuration(request.step, 'step') : undefined,
		autoStepMaxPoints: request.autoStepMaxPoints,
		maxPointsPerRequest: request.maxPointsPerRequest,
		align: request.align,
	});
}

function requireValue(value: string | undefined, what: string): string {
	if (value === undefined || value.trim() === '') {
		throw new Error(`A range query needs a ${what} time, or a relative range such as "last 14d"`);
	}
	return value;
}

/** One series as it travels between nodes: stable field names the Forecast node reads. */
export interface SeriesRecord {
	query: string;
	metric: Labels;
	/** Range queries: [unixSeconds, value|null] pairs; null is a gap (NaN/±Inf or no sample). */
	values?: Sample[];
	/** Instant queries. */
	value?: Sample;
	start?: number;
	end?: number;
	step?: number;
	time?: number;
	points?: number;
	gaps?: number;
}

export interface QuerySummary {
	query: string;
	resultType: 'matrix' | 'vector' | 'scalar';
	seriesCount: number;
	/** Prometheus warnings plus our note about NaN/Inf samples turned into gaps. */
	warnings: string[];
	chunks?: number;
}

export function isRangeResult(result: RangeQueryResult | InstantQueryResult): result is RangeQueryResult {
	return 'step' in result;
}

export function summarise(result: RangeQueryResult | InstantQueryResult): QuerySummary {
	const gaps = describeNonFinite(result.nonFinite);
	const warnings = gaps ? [...result.warnings, gaps] : [...result.warnings];
	return isRangeResult(result)
		? { query: result.query, resultType: 'matrix', seriesCount: result.series.length, warnings, chunks: result.chunks }
		: { query: result.query, resultType: result.resultType, seriesCount: result.series.length, warnings };
}

export function seriesRecords(result: RangeQueryResult | InstantQueryResult): SeriesRecord[] {
	if (isRangeResult(result)) {
		return result.series.map((s) => ({
			query: result.query,
			metric: s.metric,
			values: s.values,
			start: result.start,
			end: result.end,
			step: result.step,
			points: s.values.length,
			gaps: countGaps(s.values, result),
		}));
	}
	return result.series.map((s) => ({ query: result.query, metric: s.metric, value: s.value, time: result.time }));
}

/** Missing evaluation steps and null samples together: what a forecaster has to fill. */
function countGaps(values: Sample[], result: RangeQueryResult): number {
	const expected = Math.floor((result.end - result.start) / result.step) + 1;
	const nulls = values.reduce((n, v) => n + (v[1] === null ? 1 : 0), 0);
	return expected - values.length + nulls;
}
