import {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import {
	DEFAULT_MAX_RESPONSE_BYTES,
	DEFAULT_MAX_SERIES,
	PrometheusClient,
	type PrometheusConnection,
	PrometheusError,
	renderQuery,
	QueryRequest,
	connectionFromCredential,
	runQueryRequest,
	seriesRecords,
	summarise,
} from '../../src/prometheus';
import { redact } from '../../src/shared/redact';
import { credentialTestsFor } from '../shared/credentialTests';
import { forEachItem } from '../shared/perItem';

export class PrometheusQuery implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Prometheus Query',
		name: 'prometheusQuery',
		icon: { light: 'file:prometheus.svg', dark: 'file:prometheus.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{ $parameter["queryType"] === "instant" ? "instant" : "range " + ($parameter["rangeMode"] === "last" ? "last " + $parameter["last"] : "between") }}',
		description: 'Run an instant or range PromQL query; one item per series with its labels and [timestamp, value] pairs',
		defaults: { name: 'Prometheus Query' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'kubeOpsPrometheusApi', required: true, testedBy: 'prometheusApiConnectionTest' }],
		properties: [
			{
				displayName: 'Query Type',
				name: 'queryType',
				type: 'options',
				noDataExpression: true,
				default: 'range',
				options: [
					{ name: 'Range', value: 'range', description: 'Values over a time range, e.g. the last 14 days as history for a forecast' },
					{ name: 'Instant', value: 'instant', description: 'One value per series at one point in time' },
				],
			},
			{
				displayName: 'Query',
				name: 'query',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				required: true,
				placeholder: 'sum by (namespace, deployment) (rate(http_requests_total{namespace="shop"}[5m]))',
				description: 'PromQL expression. For counters use rate() or increase(): resets are handled there, not here. Write $name where a Query Variable goes, e.g. {service=$service}.',
			},
			{
				displayName: 'Query Variables',
				name: 'variables',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Variable',
				default: {},
				description:
					'Values (e.g. alert labels) put into the query as quoted, escaped label values: {service=$service} becomes {service="checkout"}. Use these instead of building PromQL from strings, so a value can never change the query.',
				options: [
					{
						displayName: 'Variable',
						name: 'variable',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'service', description: 'Written in the query as $name' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: '={{ $json.service }}' },
						],
					},
				],
			},
			{
				displayName: 'Range',
				name: 'rangeMode',
				type: 'options',
				default: 'last',
				displayOptions: { show: { queryType: ['range'] } },
				options: [
					{ name: 'Last …', value: 'last', description: 'A duration ending now' },
					{ name: 'Between Start and End', value: 'between' },
				],
			},
			{
				displayName: 'Last',
				name: 'last',
				type: 'string',
				default: '14d',
				placeholder: '14d',
				displayOptions: { show: { queryType: ['range'], rangeMode: ['last'] } },
				description: 'Prometheus duration: 30m, 6h, 14d, 2w',
			},
			{
				displayName: 'Start',
				name: 'start',
				type: 'string',
				default: 'now-1d',
				displayOptions: { show: { queryType: ['range'], rangeMode: ['between'] } },
				description: 'RFC 3339 date, unix seconds, or now-&lt;duration&gt;',
			},
			{
				displayName: 'End',
				name: 'end',
				type: 'string',
				default: 'now',
				displayOptions: { show: { queryType: ['range'], rangeMode: ['between'] } },
				description: 'RFC 3339 date, unix seconds, now or now-&lt;duration&gt;',
			},
			{
				displayName: 'Step',
				name: 'step',
				type: 'string',
				default: '',
				placeholder: 'auto',
				displayOptions: { show: { queryType: ['range'] } },
				description:
					'Resolution, e.g. 1m or 5m. Empty picks the finest round step within Max Points. Ranges above Prometheus\'s 11,000 points per series are fetched in chunks and stitched.',
			},
			{
				displayName: 'Time',
				name: 'time',
				type: 'string',
				default: 'now',
				displayOptions: { show: { queryType: ['instant'] } },
				description: 'RFC 3339 date, unix seconds, now or now-&lt;duration&gt;',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				default: 'perSeries',
				options: [
					{ name: 'One Item per Series', value: 'perSeries', description: 'Ready for the Forecast node: {metric, values}' },
					{ name: 'One Item With All Series', value: 'combined', description: '{series: [{metric, values}], warnings}' },
				],
			},
			{
				displayName: 'When No Series Match',
				name: 'onNoData',
				type: 'options',
				default: 'error',
				options: [
					{ name: 'Stop With an Error', value: 'error', description: 'Safest: a typo in a metric name never looks like zero traffic' },
					{ name: 'Output One Empty Item', value: 'emptyItem', description: 'Lets a later node treat "no data" as its own outcome (e.g. hold)' },
					{ name: 'Output Nothing', value: 'nothing' },
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Max Points (Auto Step)',
						name: 'autoStepMaxPoints',
						type: 'number',
						default: 5000,
						typeOptions: { minValue: 2 },
						description: 'With an empty step, the finest round step that keeps each series at or under this many points',
					},
					{
						displayName: 'Max Points per Request',
						name: 'maxPointsPerRequest',
						type: 'number',
						default: 11000,
						typeOptions: { minValue: 1, maxValue: 11000 },
						description: 'Longer ranges are split into several requests; lower it if a proxy in front of Prometheus limits responses',
					},
					{
						displayName: 'Align to Step',
						name: 'align',
						type: 'boolean',
						default: true,
						description: 'Whether to snap start and end to multiples of the step, so every run sees the same timestamps',
					},
					{
						displayName: 'Max Response Size (Bytes)',
						name: 'maxResponseBytes',
						type: 'number',
						default: DEFAULT_MAX_RESPONSE_BYTES,
						typeOptions: { minValue: 1 },
						description: 'A larger answer from Prometheus is refused before it is read whole (per request; long ranges are split into several)',
					},
					{
						displayName: 'Max Series',
						name: 'maxSeries',
						type: 'number',
						default: DEFAULT_MAX_SERIES,
						typeOptions: { minValue: 1 },
						description: 'A query that returns more series is refused',
					},
				],
			},
		],
	};

	methods = { credentialTest: credentialTestsFor('prometheusApiConnectionTest') };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const fields = await this.getCredentials('kubeOpsPrometheusApi');
		let connection: PrometheusConnection;
		try {
			connection = connectionFromCredential(fields);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), redact((error as Error).message));
		}
		// Limits are per node; the first item's options set them for the client all items share.
		const limits = this.getNodeParameter('options', 0, {}) as IDataObject;
		const client = new PrometheusClient({ ...connection, maxResponseBytes: positive(limits.maxResponseBytes) ?? connection.maxResponseBytes, maxSeries: positive(limits.maxSeries) ?? connection.maxSeries });

		return forEachItem(
			this,
			async ({ itemIndex, emit, hint }) => {
				const request = readRequest(this, itemIndex);
				const result = await runQueryRequest(client, request, Date.now() / 1000);
				const summary = summarise(result);
				if (connection.insecure) summary.warnings.push(connection.insecure);
				summary.warnings.forEach(hint);
				const records = seriesRecords(result);
				const onNoData = this.getNodeParameter('onNoData', itemIndex) as string;
				if (records.length === 0 && onNoData === 'error') {
					throw new NodeOperationError(this.getNode(), `No series matched the query "${request.query}"`, {
						itemIndex,
						description:
							'Check the metric name and label matchers in the Prometheus UI, and that the range covers a time with data. Set "When No Series Match" to output an empty item if no data is an expected outcome.',
					});
				}
				if (this.getNodeParameter('output', itemIndex) === 'combined') {
					emit({ ...summary, series: records } as unknown as IDataObject);
				} else if (records.length === 0) {
					if (onNoData === 'emptyItem') emit({ ...summary, metric: {}, values: [] } as unknown as IDataObject);
				} else {
					for (const record of records) emit({ ...record, warnings: summary.warnings } as unknown as IDataObject);
				}
			},
			{
				describe: (error) => (error instanceof PrometheusError ? describeFailure(error) : undefined),
				failedItem: ({ error, nodeError }) => ({
					error: redact(nodeError.message),
					...(error instanceof PrometheusError ? { errorKind: error.kind, httpStatus: error.httpStatus, prometheusMessage: error.prometheusMessage } : {}),
				}),
			},
		);
	}
}

function positive(value: unknown): number | undefined {
	const n = Number(value);
	return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function readVariables(context: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const raw = context.getNodeParameter('variables', itemIndex, {}) as { variable?: Array<{ name?: unknown; value?: unknown }> };
	const variables: Record<string, unknown> = {};
	for (const { name, value } of raw.variable ?? []) {
		const key = String(name ?? '').trim();
		if (Object.prototype.hasOwnProperty.call(variables, key)) throw new Error(`Query variable "${key}" is defined twice; keep one`);
		variables[key] = value;
	}
	return variables;
}

function readRequest(context: IExecuteFunctions, itemIndex: number): QueryRequest {
	const query = renderQuery(context.getNodeParameter('query', itemIndex) as string, readVariables(context, itemIndex));
	if (context.getNodeParameter('queryType', itemIndex) === 'instant') {
		return { type: 'instant', query, time: context.getNodeParameter('time', itemIndex) as string };
	}
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const between = context.getNodeParameter('rangeMode', itemIndex) === 'between';
	return {
		type: 'range',
		query,
		last: between ? undefined : (context.getNodeParameter('last', itemIndex) as string),
		start: between ? (context.getNodeParameter('start', itemIndex) as string) : undefined,
		end: between ? (context.getNodeParameter('end', itemIndex) as string) : undefined,
		step: context.getNodeParameter('step', itemIndex, '') as string,
		autoStepMaxPoints: options.autoStepMaxPoints as number | undefined,
		maxPointsPerRequest: options.maxPointsPerRequest as number | undefined,
		align: options.align as boolean | undefined,
	};
}

function describeFailure(error: PrometheusError): string {
	return [
		error.prometheusMessage ? `Prometheus said: ${error.prometheusMessage}` : undefined,
		error.httpStatus ? `HTTP status: ${error.httpStatus}` : undefined,
		`Fix: ${error.fix}`,
	]
		.filter(Boolean)
		.join('\n');
}
