import { PrometheusError } from './errors';
import { PROMETHEUS_MAX_POINTS, TimeWindow, alignToStep, autoStep, planChunks } from './rangePlan';
import { addCounts, emptyCounts, seriesKey, toSample } from './samples';
import { ApiAnswer, PrometheusTransport } from './transport';
import type {
	BuildInfo,
	InstantQueryResult,
	InstantSeries,
	Labels,
	PrometheusConnection,
	RangeQueryResult,
	RangeSeries,
	Sample,
} from './types';

export interface RangeQueryOptions {
	query: string;
	start: number;
	end: number;
	/** Seconds; omitted = the finest nice step within `autoStepMaxPoints`. */
	step?: number;
	autoStepMaxPoints?: number;
	/** Snap start/end to multiples of the step (default true): stable timestamps across runs. */
	align?: boolean;
	/** Points per request before splitting; Prometheus's own cap unless a proxy is stricter. */
	maxPointsPerRequest?: number;
}

export interface InstantQueryOptions {
	query: string;
	time: number;
}

interface MatrixData {
	resultType: 'matrix';
	result: Array<{ metric: Labels; values: Array<[number, string]> }>;
}

type InstantData =
	| { resultType: 'vector'; result: Array<{ metric: Labels; value: [number, string] }> }
	| { resultType: 'scalar'; result: [number, string] }
	| { resultType: 'string'; result: [number, string] }
	| { resultType: 'matrix'; result: unknown };

export const DEFAULT_AUTO_STEP_MAX_POINTS = 5_000;

export class PrometheusClient {
	private readonly transport: PrometheusTransport;

	constructor(connection: PrometheusConnection) {
		this.transport = new PrometheusTransport(connection);
	}

	get baseUrl(): string {
		return this.transport.baseUrl;
	}

	/** What the credential test calls: cheap, needs read access, proves it is Prometheus. */
	async buildInfo(): Promise<BuildInfo> {
		const answer = await this.transport.call<BuildInfo>('GET', '/api/v1/status/buildinfo', {});
		return answer.data;
	}

	async instant(options: InstantQueryOptions): Promise<InstantQueryResult> {
		const query = requireQuery(options.query);
		const answer = await this.transport.call<InstantData>(
			'POST',
			'/api/v1/query',
			{ query, time: String(options.time), timeout: this.prometheusTimeout() },
			query,
		);
		const counts = emptyCounts();
		const data = answer.data;
		let series: InstantSeries[];
		if (data.resultType === 'vector') {
			this.checkSeriesCount(Array.isArray(data.result) ? data.result.length : 0, query);
			if (!Array.isArray(data.result)) throw notPrometheus(query);
			series = data.result.map((s) => ({ metric: s.metric ?? {}, value: toSample(s.value, counts) }));
		} else if (data.resultType === 'scalar') {
			series = [{ metric: {}, value: toSample(data.result, counts) }];
		} else if (data.resultType === 'matrix') {
			throw new PrometheusError({
				kind: 'bad_query',
				query,
				summary: `The instant query "${query}" returned a range vector (matrix)`,
				fix: 'Wrap the range selector in a function such as rate(...[5m]) or last_over_time(...[5m]), or use a range query',
			});
		} else {
			throw new PrometheusError({
				kind: 'bad_query',
				query,
				summary: `The query "${query}" returned a ${data.resultType}, not numbers`,
				fix: 'Use an expression that returns an instant vector or a scalar',
			});
		}
		return {
			query,
			time: options.time,
			resultType: data.resultType,
			series,
			nonFinite: counts,
			warnings: answer.warnings,
		};
	}

	async range(options: RangeQueryOptions): Promise<RangeQueryResult> {
		const query = requireQuery(options.query);
		const requested: TimeWindow = { start: options.start, end: options.end };
		if (!Number.isFinite(requested.start) || !Number.isFinite(requested.end)) {
			throw new PrometheusError({
				kind: 'bad_query',
				query,
				summary: `The range for "${query}" has no valid start or end`,
				fix: 'Give start and end as unix seconds or RFC 3339 dates, or a relative range such as "last 14d"',
			});
		}
		if (requested.end < requested.start) {
			throw new PrometheusError({
				kind: 'bad_query',
				query,
				summary: `The range for "${query}" ends before it starts (${iso(requested.end)} < ${iso(requested.start)})`,
				fix: 'Swap start and end',
			});
		}
		if (options.step !== undefined && !(options.step > 0)) {
			throw new PrometheusError({
				kind: 'bad_query',
				query,
				summary: `The step for "${query}" must be a positive duration, got ${options.step}`,
				fix: 'Use a step such as 30s, 1m or 5m, or leave it empty for an automatic step',
			});
		}
		const step = options.step ?? autoStep(requested, options.autoStepMaxPoints ?? DEFAULT_AUTO_STEP_MAX_POINTS);
		const window = options.align === false ? requested : alignToStep(requested, step);
		const chunks = planChunks(window, step, options.maxPointsPerRequest ?? PROMETHEUS_MAX_POINTS);

		const counts = emptyCounts();
		const warnings = new Set<string>();
		const stitched = new Map<string, RangeSeries>();
		for (const chunk of chunks) {
			const answer: ApiAnswer<MatrixData> = await this.transport.call<MatrixData>(
				'POST',
				'/api/v1/query_range',
				{
					query,
					start: String(chunk.start),
					end: String(chunk.end),
					step: String(step),
					timeout: this.prometheusTimeout(),
				},
				query,
			);
			if (answer.data.resultType !== 'matrix') {
				throw new PrometheusError({
					kind: 'bad_response',
					query,
					summary: `A range query for "${query}" returned ${answer.data.resultType} instead of a matrix`,
					fix: 'Point the base URL at a Prometheus-compatible server',
				});
			}
			answer.warnings.forEach((w) => warnings.add(w));
			if (!Array.isArray(answer.data.result)) throw notPrometheus(query);
			const chunkCounts = emptyCounts();
			for (const s of answer.data.result) {
				if (typeof s !== 'object' || s === null || !Array.isArray(s.values)) throw notPrometheus(query);
				const metric = s.metric ?? {};
				const key = seriesKey(metric);
				let target = stitched.get(key);
				if (!target) {
					target = { metric, values: [] };
					stitched.set(key, target);
					this.checkSeriesCount(stitched.size, query);
				}
				for (const raw of s.values) target.values.push(toSample(raw, chunkCounts));
			}
			addCounts(counts, chunkCounts);
		}
		const series = [...stitched.values()];
		if (chunks.length > 1) series.forEach((s) => (s.values = sortUnique(s.values)));
		return {
			query,
			start: window.start,
			end: window.end,
			step,
			chunks: chunks.length,
			series,
			nonFinite: counts,
			warnings: [...warnings],
		};
	}

	private checkSeriesCount(count: number, query: string): void {
		const limit = this.transport.maxSeries;
		if (count <= limit) return;
		throw new PrometheusError({
			kind: 'bad_response',
			query,
			summary: `The query "${query.length > 200 ? `${query.slice(0, 197)}...` : query}" returned more than ${limit} series`,
			fix: 'Aggregate (sum by (...)) or select fewer series with more specific label matchers, or raise the series limit (node option Max Series)',
		});
	}

	/**
	 * Prometheus is asked to stop a little before our own deadline: it then
	 * answers with its timeout error (which says what it was doing) instead of
	 * running on after we hung up.
	 */
	private prometheusTimeout(): string {
		const total = this.transport.timeoutMs;
		const margin = Math.min(1000, Math.max(250, total * 0.05));
		return `${Math.max(1, Math.floor(total - margin))}ms`;
	}
}

function notPrometheus(query: string): PrometheusError {
	return new PrometheusError({
		kind: 'bad_response',
		query,
		summary: `The answer to "${query.length > 200 ? `${query.slice(0, 197)}...` : query}" is not shaped like Prometheus's (result is not a list of series)`,
		fix: 'Point the base URL at a Prometheus-compatible server root',
	});
}

function requireQuery(query: string): string {
	const trimmed = String(query ?? '').trim();
	if (!trimmed) {
		throw new PrometheusError({
			kind: 'bad_query',
			summary: 'The PromQL query is empty',
			fix: 'Enter a query such as sum(rate(http_requests_total{job="web"}[5m]))',
		});
	}
	return trimmed;
}

function sortUnique(values: Sample[]): Sample[] {
	values.sort((a, b) => a[0] - b[0]);
	return values.filter((v, i) => i === 0 || v[0] !== values[i - 1][0]);
}

function iso(seconds: number): string {
	return new Date(seconds * 1000).toISOString();
}
