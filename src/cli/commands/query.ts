import { UsageError, parseArgs } from '../args';
import type { CliCommand, CliIO } from '../command';
import { ALLOW_INSECURE_OPTION, requireSecureUrl } from '../insecure';
import {
	InstantQueryResult,
	PrometheusClient,
	RangeQueryResult,
	describeNonFinite,
	parseDuration,
	parseHeaderLines,
	parseTime,
} from '../../prometheus';

const options = {
	url: { description: 'Prometheus base URL, e.g. http://127.0.0.1:9090', valueName: 'url' },
	query: { description: 'PromQL expression', valueName: 'promql' },
	range: { description: 'range query over the last <dur> (e.g. 14d)', valueName: 'dur' },
	step: { description: 'range step (default: automatic, at most 5,000 points)', valueName: 'dur' },
	end: { description: 'end of the range (default now)', valueName: 'time' },
	time: { description: 'instant query at <time> (default now)', valueName: 'time' },
	timeout: { description: 'request timeout (default 30s)', valueName: 'dur' },
	token: { description: 'bearer token (or env PROMETHEUS_TOKEN)', valueName: 'token' },
	header: { description: 'extra header "Name: value" (e.g. X-Scope-OrgID: team-a)', valueName: 'header' },
	json: { flag: true, description: 'print JSON: [{metric, values}] for ranges, [{metric, value}] for instants' },
	'allow-insecure': ALLOW_INSECURE_OPTION,
};

export const queryCommand: CliCommand = {
	name: 'query',
	summary: 'Run an instant or range PromQL query against Prometheus.',
	usage: 'query --url <prometheus> --query <promql> [--range <dur> --step <dur> | --time <t>] [--json]',
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		const args = parseArgs(argv, options);
		const { url, query } = args.values;
		if (!url) throw new UsageError('--url is required');
		if (!query) throw new UsageError('--query is required');
		if (args.values.range && args.values.time) throw new UsageError('use either --range (range query) or --time (instant query), not both');
		if (args.values.step && !args.values.range) throw new UsageError('--step needs --range');
		requireSecureUrl(url, args.flags.has('allow-insecure'), '--url');
		const now = io.now();
		let headers: Record<string, string>;
		try {
			headers = parseHeaderLines(args.values.header ?? '');
		} catch (error) {
			throw new UsageError(`--header: ${(error as Error).message}`);
		}
		const token = args.values.token ?? process.env.PROMETHEUS_TOKEN;
		const client = new PrometheusClient({
			baseUrl: url,
			auth: token ? { type: 'bearer', token } : { type: 'none' },
			headers,
			timeoutMs: args.values.timeout ? parseDuration(args.values.timeout, '--timeout') * 1000 : undefined,
		});

		if (args.values.range) {
			const end = parseTime(args.values.end ?? 'now', now, '--end');
			const result = await client.range({
				query,
				start: end - parseDuration(args.values.range, '--range'),
				end,
				step: args.values.step ? parseDuration(args.values.step, '--step') : undefined,
			});
			reportWarnings(result, io);
			if (args.flags.has('json')) io.stdout(JSON.stringify(result.series.map((s) => ({ metric: s.metric, values: s.values }))) + '\n');
			else io.stdout(rangeTable(result));
		} else {
			const result = await client.instant({ query, time: parseTime(args.values.time ?? 'now', now, '--time') });
			reportWarnings(result, io);
			if (args.flags.has('json')) io.stdout(JSON.stringify(result.series.map((s) => ({ metric: s.metric, value: s.value }))) + '\n');
			else io.stdout(instantTable(result));
		}
		return 0;
	},
};

function reportWarnings(result: RangeQueryResult | InstantQueryResult, io: CliIO): void {
	for (const warning of result.warnings) io.stderr(`warning: Prometheus: ${warning}\n`);
	const gaps = describeNonFinite(result.nonFinite);
	if (gaps) io.stderr(`warning: ${gaps}\n`);
}

function labelText(metric: Record<string, string>): string {
	const name = metric.__name__ ?? '';
	const rest = Object.entries(metric)
		.filter(([k]) => k !== '__name__')
		.map(([k, v]) => `${k}="${v}"`)
		.join(', ');
	return `${name}{${rest}}`;
}

function rangeTable(result: RangeQueryResult): string {
	const lines = [
		`${result.series.length} series, ${new Date(result.start * 1000).toISOString()} .. ${new Date(result.end * 1000).toISOString()}, step ${result.step}s, ${result.chunks} request(s)`,
	];
	for (const s of result.series) {
		const finite = s.values.filter((v) => v[1] !== null).map((v) => v[1] as number);
		const last = s.values[s.values.length - 1];
		const min = finite.length ? Math.min(...finite) : NaN;
		const max = finite.length ? Math.max(...finite) : NaN;
		lines.push(
			`  ${labelText(s.metric)}  points=${s.values.length} gaps=${s.values.length - finite.length} min=${min} max=${max} last=${last ? last[1] : 'none'}`,
		);
	}
	return lines.join('\n') + '\n';
}

function instantTable(result: InstantQueryResult): string {
	const lines = [`${result.series.length} series at ${new Date(result.time * 1000).toISOString()}`];
	for (const s of result.series) lines.push(`  ${labelText(s.metric)}  ${s.value[1]}`);
	return lines.join('\n') + '\n';
}
