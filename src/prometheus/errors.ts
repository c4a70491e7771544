import { AxiosError } from 'axios';

import { networkCauseInWords } from '../shared/networkCauses';
import { redact } from '../shared/redact';

export type PrometheusErrorKind =
	| 'bad_query' // Prometheus rejected the PromQL or its parameters (bad_data)
	| 'execution' // the query parsed but failed while running (execution, 422)
	| 'timeout' // our deadline or Prometheus's own query timeout
	| 'unreachable' // DNS, refused, reset, TLS failures
	| 'auth' // 401 / 403
	| 'not_found' // 404: usually a base URL that is not the server root
	| 'server' // 5xx and anything unexpected from the server
	| 'bad_response'; // the answer is not a Prometheus API response

/**
 * Every failure talking to Prometheus, with the query it concerned, what
 * Prometheus itself said, and the fix an operator can apply.
 */
export class PrometheusError extends Error {
	readonly kind: PrometheusErrorKind;
	readonly query?: string;
	readonly httpStatus?: number;
	/** Prometheus's own error text, verbatim, when it sent one. */
	readonly prometheusMessage?: string;
	readonly fix: string;

	constructor(args: {
		kind: PrometheusErrorKind;
		summary: string;
		fix: string;
		query?: string;
		httpStatus?: number;
		prometheusMessage?: string;
	}) {
		// Redacted here, where every Prometheus failure is built: a base URL with a password, or a token a
		// proxy echoes back, would otherwise reach node errors, verdict reasons and Kubernetes Events.
		// One line: a multi-line PromQL in the message would make the text invalid where it travels next
		// (a proposal's providerError refuses control characters, an Event shows one line).
		super(oneLine(redact(`${args.summary}. ${args.fix}`)));
		this.name = 'PrometheusError';
		this.kind = args.kind;
		this.query = args.query;
		this.httpStatus = args.httpStatus;
		this.prometheusMessage = args.prometheusMessage === undefined ? undefined : oneLine(redact(args.prometheusMessage));
		this.fix = redact(args.fix);
	}
}

function oneLine(text: string): string {
	return text.replace(/\s*[\u0000-\u001f\u007f]+\s*/g, ' ');
}

interface ApiErrorBody {
	status?: string;
	errorType?: string;
	error?: string;
}


function shortQuery(query: string): string {
	return `"${query.length > 200 ? `${query.slice(0, 197)}...` : query}"`;
}

function quoted(query: string | undefined): string {
	return query === undefined ? '' : ` for query ${shortQuery(query)}`;
}

function theQuery(query: string | undefined): string {
	return query === undefined ? 'the request' : `the query ${shortQuery(query)}`;
}

/** Turns whatever axios threw into a PrometheusError an operator can act on. */
export function toPrometheusError(
	error: unknown,
	context: { baseUrl: string; path: string; query?: string; timeoutMs: number },
): PrometheusError {
	if (error instanceof PrometheusError) return error;
	const { baseUrl, path, query, timeoutMs } = context;
	const forQuery = quoted(query);
	const axiosError = error as AxiosError<ApiErrorBody | string>;
	const status = axiosError?.response?.status;
	const code = axiosError?.code;

	if (status === undefined) {
		if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || axiosError?.name === 'CanceledError') {
			return new PrometheusError({
				kind: 'timeout',
				query,
				summary: `Prometheus at ${baseUrl} did not answer within ${timeoutMs} ms${forQuery}`,
				fix: 'Raise the timeout, shorten the range, use a larger step, or make the query cheaper (e.g. a recording rule)',
			});
		}
		const rawMessage = error instanceof Error ? error.message : String(error);
		const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(String(code) + rawMessage);
		const cause = networkCauseInWords(code) ?? (tls ? `TLS: ${rawMessage}` : rawMessage.replace(/\b[A-Z_]{5,}\b/g, '').trim() || 'network error');
		return new PrometheusError({
			kind: 'unreachable',
			query,
			summary: `Cannot reach Prometheus at ${baseUrl} (${cause})${forQuery}`,
			fix: tls
				? 'The TLS certificate was not trusted: add the CA certificate to the credential, or (only for testing) skip TLS verification'
				: networkCauseInWords(code)
					? 'Check the base URL in the Prometheus credential and that Prometheus is listening there and reachable from n8n'
					: 'Check the base URL and network path to Prometheus',
		});
	}

	const body = axiosError.response?.data;
	const apiBody: ApiErrorBody | undefined = typeof body === 'object' && body !== null ? body : undefined;
	const promMessage = apiBody?.error;
	const said = promMessage ? `: ${promMessage}` : '';

	if (apiBody?.errorType === 'bad_data') {
		return new PrometheusError({
			kind: 'bad_query',
			query,
			httpStatus: status,
			prometheusMessage: promMessage,
			summary: `Prometheus rejected ${theQuery(query)} (bad_data${said})`,
			fix: 'Fix the PromQL or the time parameters; try the same query in the Prometheus UI (Graph tab) first',
		});
	}
	if (apiBody?.errorType === 'timeout' || apiBody?.errorType === 'canceled') {
		return new PrometheusError({
			kind: 'timeout',
			query,
			httpStatus: status,
			prometheusMessage: promMessage,
			summary: `Prometheus gave up on ${theQuery(query)} (${apiBody.errorType}${said})`,
			fix: 'Shorten the range, use a larger step, or precompute the expression with a recording rule; raising the timeout also raises Prometheus\'s query timeout up to its --query.timeout',
		});
	}
	if (apiBody?.errorType === 'execution' || status === 422) {
		return new PrometheusError({
			kind: 'execution',
			query,
			httpStatus: status,
			prometheusMessage: promMessage,
			summary: `Prometheus could not execute ${theQuery(query)} (HTTP ${status}${said})`,
			fix: 'Check the query for many-to-many matches, too many series or samples, and the server log for details',
		});
	}
	if (status === 401 || status === 403) {
		return new PrometheusError({
			kind: 'auth',
			query,
			httpStatus: status,
			prometheusMessage: promMessage ?? (typeof body === 'string' ? body.trim().slice(0, 200) : undefined),
			summary: `Prometheus at ${baseUrl} refused the request with HTTP ${status}${forQuery}`,
			fix: 'Check the authentication type, user/password or token, and any tenant header (e.g. X-Scope-OrgID) in the Prometheus credential',
		});
	}
	if (status === 404) {
		return new PrometheusError({
			kind: 'not_found',
			query,
			httpStatus: status,
			summary: `Prometheus at ${baseUrl} has no ${path} (HTTP 404)`,
			fix: 'Set the base URL to the server root (e.g. https://prometheus.example.com, or the /prometheus prefix for Mimir/Cortex), not a /graph or /api/v1 page',
		});
	}
	return new PrometheusError({
		kind: 'server',
		query,
		httpStatus: status,
		prometheusMessage: promMessage ?? (typeof body === 'string' ? body.trim().slice(0, 200) : undefined),
		summary: `Prometheus at ${baseUrl} answered HTTP ${status}${forQuery}${said || (typeof body === 'string' && body.trim() ? `: ${body.trim().slice(0, 200)}` : '')}`,
		fix: status >= 500
			? 'The server or a proxy in front of it failed; retry later (the node\'s Retry On Fail setting) and check its health'
			: 'Check the request parameters and the base URL',
	});
}
