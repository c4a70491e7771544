/** Labels of one series, e.g. { __name__: 'http_requests_total', job: 'web' }. */
export type Labels = Record<string, string>;

/** A sample: unix seconds and a finite value, or null for NaN/±Inf (a gap, never zero). */
export type Sample = [number, number | null];

export interface RangeSeries {
	metric: Labels;
	values: Sample[];
}

export interface InstantSeries {
	metric: Labels;
	value: Sample;
}

export type PrometheusAuth =
	| { type: 'none' }
	| { type: 'basic'; username: string; password: string }
	| { type: 'bearer'; token: string };

export interface PrometheusConnection {
	/** Server root, e.g. https://prometheus.example.com or https://mimir.example.com/prometheus */
	baseUrl: string;
	auth?: PrometheusAuth;
	/** Sent on every request, e.g. { 'X-Scope-OrgID': 'team-a' } for Mimir, Cortex or Thanos. */
	headers?: Record<string, string>;
	/** PEM bundle trusted in addition to nothing else: a private CA. */
	caCertificate?: string;
	skipTlsVerification?: boolean;
	/** Per HTTP request; also sent to Prometheus as its query timeout. */
	timeoutMs?: number;
	/** Set when the credential allowed plain http or no TLS verification: what the node's output notes. */
	insecure?: string;
	/** Largest response body read, in bytes (default DEFAULT_MAX_RESPONSE_BYTES). */
	maxResponseBytes?: number;
	/** Most series one query may return (default DEFAULT_MAX_SERIES). */
	maxSeries?: number;
}

/** Samples Prometheus returned as NaN or ±Inf, now gaps: counted so nobody mistakes them for missing data. */
export interface NonFiniteCounts {
	nan: number;
	posInf: number;
	negInf: number;
}

export interface RangeQueryResult {
	query: string;
	start: number;
	end: number;
	step: number;
	/** How many HTTP requests the range needed (over Prometheus's points-per-series cap it is split). */
	chunks: number;
	series: RangeSeries[];
	nonFinite: NonFiniteCounts;
	warnings: string[];
}

export interface InstantQueryResult {
	query: string;
	time: number;
	resultType: 'vector' | 'scalar';
	series: InstantSeries[];
	nonFinite: NonFiniteCounts;
	warnings: string[];
}

export interface BuildInfo {
	version: string;
	revision?: string;
	branch?: string;
	goVersion?: string;
}
