import {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import {
	PrometheusClient,
	PrometheusError,
	QueryRequest,
	connectionFromCredential,
	runQueryRequest,
	seriesRecords,
	summarise,
} from '../../src/prometheus';

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
		credentials: [{ name: 'prometheusApi', required: true, testedBy: 'prometheusApiConnectionTest' }],
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
				description: 'PromQL expression. For counters use rate() or increase(): resets are handled there, not here.',
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
				],
			},
		],
	};

	methods = {
		credentialTest: {
			async prometheusApiConnectionTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				try {
					const info = await new PrometheusClient(connectionFromCredential(credential.data ?? {})).buildInfo();
					return { status: 'OK', message: `Connected: Prometheus-compatible API, version ${info.version}` };
				} catch (error) {
					return { status: 'Error', message: (error as Error).message };
				}
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const client = new PrometheusClient(connectionFromCredential(await this.getCredentials('prometheusApi')));
		const warnings = new Set<string>();

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const pairedItem = { item: itemIndex };
			try {
				const request = readRequest(this, itemIndex);
				const result = await runQueryRequest(client, request, Date.now() / 1000);
				const summary = summarise(result);
				summary.warnings.forEach((w) => warnings.add(w));
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
					out.push({ json: { ...summary, series: records } as unknown as IDataObject, pairedItem });
				} else if (records.length === 0) {
					if (onNoData === 'emptyItem') out.push({ json: { ...summary, metric: {}, values: [] } as unknown as IDataObject, pairedItem });
				} else {
					for (const record of records) out.push({ json: { ...record, warnings: summary.warnings } as unknown as IDataObject, pairedItem });
				}
			} catch (error) {
				const nodeError =
					error instanceof NodeOperationError
						? error
						: new NodeOperationError(this.getNode(), error as Error, {
								itemIndex,
								message: (error as Error).message,
								description: error instanceof PrometheusError ? describeFailure(error) : undefined,
							});
				if (!this.continueOnFail()) throw nodeError;
				out.push({
					json: {
						error: nodeError.message,
						...(error instanceof PrometheusError
							? { errorKind: error.kind, httpStatus: error.httpStatus, prometheusMessage: error.prometheusMessage }
							: {}),
					},
					pairedItem,
				});
			}
		}
		if (warnings.size > 0) {
			this.addExecutionHints(...[...warnings].map((message) => ({ message, type: 'warning' as const, location: 'outputPane' as const })));
		}
		return [out];
	}
}

function readRequest(context: IExecuteFunctions, itemIndex: number): QueryRequest {
	const query = context.getNodeParameter('query', itemIndex) as string;
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
