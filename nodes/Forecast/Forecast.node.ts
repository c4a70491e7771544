import {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { renderChart, type ChartFormat } from '../../src/chart';
import type { Target } from '../../src/policy';
import {
	Seasonality,
	SettingsError,
	booleanSetting,
	forecastSeries,
	numberSetting,
	quantileList,
	validDuration,
	type ChartBand,
	type ReplicaSettings,
	type SeriesSettings,
} from '../../src/prescale';
import { forEachItem } from '../shared/perItem';
import { ItemInputError, getField, readPairs, withoutField } from './series';

const replicaFields = { hide: { perPodCapacity: [0] } };
const proposalFields = { show: { buildProposal: [true] } };
const chartFields = { hide: { chart: ['none'] } };

export class Forecast implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Forecast',
		name: 'forecast',
		icon: { light: 'file:forecast.svg', dark: 'file:forecast.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ "next " + $parameter["horizon"] }}',
		description:
			'Forecast each metric series (e.g. from Prometheus Query) with backtest scores, and recommend a replica floor ahead of the demand',
		defaults: { name: 'Forecast' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Values Field',
				name: 'valuesField',
				type: 'string',
				default: 'values',
				required: true,
				description:
					'Field with the history as [timestamp, value] pairs, as Prometheus Query outputs in "values". Nested fields with dots (data.values). Null and NaN are gaps, never zeros.',
			},
			{
				displayName: 'Horizon',
				name: 'horizon',
				type: 'string',
				default: '1h',
				required: true,
				placeholder: '1h',
				description: 'How far ahead: a duration (30m, 1h, 1d) or a number of steps of the series. Must reach past Pod Start-up plus Run Interval for a recommendation.',
			},
			{
				displayName: 'Seasonality',
				name: 'seasonality',
				type: 'options',
				default: 'auto',
				options: [
					{ name: 'Detect', value: 'auto', description: 'Test the history for daily and weekly cycles and keep those that are there' },
					{ name: 'Custom', value: 'custom', description: 'Give the season lengths yourself' },
					{ name: 'None', value: 'none', description: 'No seasonal pattern' },
				],
			},
			{
				displayName: 'Seasons',
				name: 'seasons',
				type: 'string',
				default: '1d',
				placeholder: '1d, 1w',
				displayOptions: { show: { seasonality: ['custom'] } },
				description: 'Season lengths separated by commas: durations (1d, 1w) or numbers of steps (288). The history must cover two cycles of the longest.',
			},
			{
				displayName: 'Quantiles',
				name: 'quantiles',
				type: 'string',
				default: '0.5,0.9,0.99',
				description: 'Forecast quantiles to output, between 0 and 1, separated by commas. The replica quantile is always added.',
			},
			{
				displayName: 'Per-Pod Capacity',
				name: 'perPodCapacity',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description:
					'Demand one pod serves at its target, in the unit of the series (e.g. 50 for 50 requests/s per pod). 0 = forecast only, no replica recommendation.',
			},
			{
				displayName: 'Headroom',
				name: 'headroom',
				type: 'number',
				default: 0.2,
				typeOptions: { minValue: 0, numberPrecision: 2 },
				displayOptions: replicaFields,
				description: 'Spare capacity on top of the forecast, as a fraction: 0.2 = 20%',
			},
			{
				displayName: 'Pod Start-Up',
				name: 'podStartup',
				type: 'string',
				default: '90s',
				displayOptions: replicaFields,
				description: 'Time from scaling to a Ready pod: capacity ordered now serves from this much later',
			},
			{
				displayName: 'Extra Lead',
				name: 'extraLead',
				type: 'string',
				default: '0s',
				displayOptions: replicaFields,
				description: 'Look this much further ahead than Pod Start-Up (e.g. 5m for pods that warm caches after Ready). kube-ops simulate --tune recommends a value.',
			},
			{
				displayName: 'Run Interval',
				name: 'runInterval',
				type: 'string',
				default: '15m',
				displayOptions: replicaFields,
				description: 'Time until this workflow runs again: the replicas must cover the peak until then',
			},
			{
				displayName: 'Align Window to Steps',
				name: 'alignToStep',
				type: 'boolean',
				default: false,
				displayOptions: replicaFields,
				description:
					'Whether the replicas cover whole forecast steps from the first one that starts after Pod Start-Up, leaving the step in progress to the HPA (which keeps its pods while the load is there). Cheaper with a Run Interval as short as the metric step; kube-ops simulate --tune says whether it pays on your history.',
			},
			{
				displayName: 'Replica Quantile',
				name: 'replicaQuantile',
				type: 'number',
				default: 0.9,
				typeOptions: { minValue: 0.01, maxValue: 0.99, numberPrecision: 2 },
				displayOptions: replicaFields,
				description: 'Forecast quantile to provision for: 0.9 = enough pods for the demand in 9 runs out of 10',
			},
			{
				displayName: 'Min Replicas',
				name: 'minReplicas',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 0 },
				displayOptions: replicaFields,
				description: 'Lowest recommendation, whatever the forecast says',
			},
			{
				displayName: 'Max Replicas',
				name: 'maxReplicas',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				displayOptions: replicaFields,
				description: 'Highest recommendation; 0 = no upper bound here (the Policy Gate still applies its own)',
			},
			{
				displayName: 'Policy Gate Proposal',
				name: 'buildProposal',
				type: 'boolean',
				default: false,
				description: 'Whether to add a scale proposal for the Policy Gate node: target, current and proposed replicas, and the backtest as evidence',
			},
			{
				displayName: 'Cluster',
				name: 'cluster',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'prod-eu-1',
				displayOptions: proposalFields,
				description: 'Cluster of the workload, as the Policy Gate and Kubernetes Patch know it',
			},
			{
				displayName: 'Namespace',
				name: 'namespace',
				type: 'string',
				default: '={{ $json.metric?.namespace }}',
				required: true,
				displayOptions: proposalFields,
				description: 'Namespace of the workload; the default reads the series label "namespace"',
			},
			{
				displayName: 'Kind',
				name: 'kind',
				type: 'string',
				default: 'Deployment',
				displayOptions: proposalFields,
				description: 'Deployment, StatefulSet, ... (the Policy Gate checks the spelling)',
			},
			{
				displayName: 'Name',
				name: 'targetName',
				type: 'string',
				default: '={{ $json.metric?.deployment }}',
				required: true,
				displayOptions: proposalFields,
				description: 'Name of the workload; the default reads the series label "deployment"',
			},
			{
				displayName: 'Current Replicas',
				name: 'currentReplicas',
				type: 'string',
				default: '',
				required: true,
				placeholder: '{{ $json.currentReplicas }}',
				displayOptions: proposalFields,
				description: 'Replicas running now: a number, or an expression reading it from the item (e.g. from kube_deployment_spec_replicas)',
			},
			{
				displayName: 'Chart',
				name: 'chart',
				type: 'options',
				default: 'none',
				options: [
					{ name: 'None', value: 'none' },
					{ name: 'PNG Image', value: 'png', description: 'Shown inline by chat tools and mail clients' },
					{ name: 'SVG Image', value: 'svg', description: 'Small and sharp at any size; not shown by every mail client' },
				],
				description: 'Whether to attach a chart of the recent history and the forecast band as binary data',
			},
			{
				displayName: 'Chart Band',
				name: 'chartBand',
				type: 'options',
				default: 'p10-p90',
				displayOptions: chartFields,
				options: [
					{ name: 'P10 – P90', value: 'p10-p90', description: 'Where demand lands 8 times in 10' },
					{ name: 'P50 – P99', value: 'p50-p99', description: 'The upper side: how high demand may go' },
				],
			},
			{
				displayName: 'Chart History',
				name: 'chartHistory',
				type: 'string',
				default: '',
				placeholder: 'auto',
				displayOptions: chartFields,
				description: 'How much history to draw before the forecast (e.g. 12h). Empty: four horizons, at least 6h.',
			},
			{
				displayName: 'Chart Title',
				name: 'chartTitle',
				type: 'string',
				default: '',
				placeholder: 'checkout requests/s',
				displayOptions: chartFields,
				description: 'Empty: the series labels',
			},
			{
				displayName: 'Put Chart in Field',
				name: 'binaryProperty',
				type: 'string',
				default: 'chart',
				displayOptions: chartFields,
				description: 'Binary field of the output item that holds the image',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Decision Time',
						name: 'decisionTime',
						type: 'options',
						default: 'now',
						options: [
							{ name: 'Now', value: 'now', description: 'The replica window starts at the time of the run; history that ended long ago gives no recommendation' },
							{ name: 'Last Data Point', value: 'lastPoint', description: 'For replaying a past history' },
						],
					},
					{
						displayName: 'Max Backtest WAPE (%)',
						name: 'maxBacktestWape',
						type: 'number',
						default: 100,
						typeOptions: { minValue: 1 },
						description: 'Above this backtest error the series is called unpredictable and gets no forecast',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const withoutForecast: string[] = [];

		const outputs = await forEachItem(
			this,
			async ({ itemIndex, item, emit }) => {
				const json = item.json;
				const field = this.getNodeParameter('valuesField', itemIndex) as string;
				const series = readPairs(json, field, itemIndex);
				const settings = readSettings(this, itemIndex, json);
				const result = forecastSeries(series, settings);
				const output: IDataObject = {
					...withoutField(json, field),
					forecast: result.forecast,
					...(result.noForecast ? { noForecast: result.noForecast } : {}),
					recommendation: result.recommendation,
					...(result.proposal ? { proposal: result.proposal } : {}),
				};
				let binary: IBinaryKeyData | undefined;
				if (result.noForecast) withoutForecast.push(`item ${itemIndex}: ${result.noForecast}`);
				if (result.chart && settings.chart && (result.chart.history.t.length > 0 || result.chart.forecast.t.length > 0)) {
					const image = renderChart(result.chart, settings.chart.format);
					const property = (this.getNodeParameter('binaryProperty', itemIndex, 'chart') as string) || 'chart';
					binary = { ...item.binary, [property]: await this.helpers.prepareBinaryData(image.data, `forecast-${fileStem(json, itemIndex)}.${image.fileExtension}`, image.mimeType) };
				}
				emit(finite(output) as IDataObject, { binary });
			},
			{
				// Every message names its item: a series travels far from the node that read it.
				toNodeError: (error, itemIndex) => {
					const text = (error as Error).message;
					return new NodeOperationError(this.getNode(), text.startsWith('Item ') ? text : `Item ${itemIndex}: ${text}`, {
						itemIndex,
						description: error instanceof ItemInputError ? error.description : undefined,
					});
				},
				failedItem: ({ nodeError, item }) => ({ ...(item.json.metric !== undefined ? { metric: item.json.metric } : {}), error: nodeError.message }),
			},
		);
		if (withoutForecast.length > 0) {
			this.addExecutionHints({
				message: `No forecast for ${withoutForecast.length} of ${items.length} series, so no recommendation (never 0 replicas): ${withoutForecast.slice(0, 3).join('; ')}${withoutForecast.length > 3 ? '; ...' : ''}`,
				type: 'warning',
				location: 'outputPane',
			});
		}
		return outputs;
	}
}

function readSettings(context: IExecuteFunctions, itemIndex: number, json: IDataObject): SeriesSettings {
	const get = (name: string, fallback?: unknown): unknown => context.getNodeParameter(name, itemIndex, fallback);
	const options = get('options', {}) as IDataObject;
	const perPodCapacity = numberSetting(get('perPodCapacity', 0), 'Per-Pod Capacity', (n) => n >= 0, 'a number of 0 or more');
	let replicas: ReplicaSettings | null = null;
	if (perPodCapacity > 0) {
		const maxReplicas = numberSetting(get('maxReplicas', 0), 'Max Replicas', (n) => Number.isInteger(n) && n >= 0, 'a whole number of 0 or more');
		replicas = {
			perPodCapacity,
			headroom: numberSetting(get('headroom', 0.2), 'Headroom', (n) => n >= 0, 'a fraction of 0 or more (0.2 = 20%)'),
			podStartupSeconds: validDuration(get('podStartup', '90s') as string, 'Pod Start-Up'),
			extraLeadSeconds: optionalDuration(get('extraLead', '0s'), 'Extra Lead'),
			runIntervalSeconds: validDuration(get('runInterval', '15m') as string, 'Run Interval'),
			quantile: numberSetting(get('replicaQuantile', 0.9), 'Replica Quantile', (n) => n > 0 && n < 1, 'strictly between 0 and 1'),
			minReplicas: numberSetting(get('minReplicas', 1), 'Min Replicas', (n) => Number.isInteger(n) && n >= 0, 'a whole number of 0 or more'),
			maxReplicas: maxReplicas > 0 ? maxReplicas : null,
			alignToStep: booleanSetting(get('alignToStep', false), 'Align Window to Steps'),
		};
		if (replicas.maxReplicas !== null && replicas.maxReplicas < replicas.minReplicas) {
			throw new SettingsError(`Max Replicas (${replicas.maxReplicas}) is below Min Replicas (${replicas.minReplicas})`);
		}
	}
	const buildProposal = get('buildProposal', false) === true;
	if (buildProposal && !replicas) throw new SettingsError('Policy Gate Proposal needs Per-Pod Capacity: without it there is no replica count to propose');
	const chartFormat = get('chart', 'none') as string;
	const chartHistory = String(get('chartHistory', '') ?? '').trim();
	return {
		horizon: String(get('horizon')),
		seasonality: get('seasonality', 'auto') as Seasonality,
		seasons: String(get('seasons', '') ?? ''),
		quantiles: quantileList(get('quantiles', '0.5,0.9,0.99') as string),
		replicas,
		decisionTime: options.decisionTime === 'lastPoint' ? null : Date.now() / 1000,
		...(options.maxBacktestWape !== undefined ? { maxBacktestWape: Number(options.maxBacktestWape) } : {}),
		chart:
			chartFormat === 'none'
				? null
				: {
						format: chartFormat as ChartFormat,
						band: get('chartBand', 'p10-p90') as ChartBand,
						historySeconds: chartHistory === '' ? null : validDuration(chartHistory, 'Chart History'),
						title: String(get('chartTitle', '') ?? '').trim() || seriesName(json, itemIndex),
					},
		proposal: buildProposal ? readProposalTarget(get, itemIndex) : null,
	};
}

function readProposalTarget(get: (name: string, fallback?: unknown) => unknown, itemIndex: number): { target: Target; currentReplicas: number } {
	const text = (name: string, label: string): string => {
		const value = get(name, '');
		if (value === undefined || value === null || String(value).trim() === '') {
			throw new SettingsError(`Item ${itemIndex}: the proposal needs ${label}, and it is empty for this item (check the expression)`);
		}
		return String(value).trim();
	};
	const current = get('currentReplicas', '');
	if (current === undefined || current === null || String(current).trim() === '') {
		throw new SettingsError(`Item ${itemIndex}: the proposal needs Current Replicas, and it is empty for this item`);
	}
	return {
		target: { cluster: text('cluster', 'Cluster'), namespace: text('namespace', 'Namespace'), kind: text('kind', 'Kind'), name: text('targetName', 'Name') },
		currentReplicas: numberSetting(current, `Item ${itemIndex}: Current Replicas`, (n) => Number.isInteger(n) && n >= 0, 'a whole number of 0 or more'),
	};
}

/** A duration parameter where 0 (or empty) is allowed. */
function optionalDuration(value: unknown, parameter: string): number {
	const text = String(value ?? '').trim();
	if (text === '' || /^0+(\.0+)?[a-z]*$/i.test(text)) return 0;
	return validDuration(text, parameter);
}

/** `name{label="value", ...}` from Prometheus labels, else the item's position. */
function seriesName(json: IDataObject, itemIndex: number): string {
	const metric = getField(json, 'metric');
	if (metric && typeof metric === 'object' && !Array.isArray(metric)) {
		const labels = metric as Record<string, unknown>;
		const inner = Object.entries(labels)
			.filter(([key]) => key !== '__name__')
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([key, value]) => `${key}="${String(value)}"`)
			.join(', ');
		const name = typeof labels.__name__ === 'string' ? labels.__name__ : '';
		if (name || inner) return `${name}{${inner}}`;
	}
	return `series ${itemIndex}`;
}

function fileStem(json: IDataObject, itemIndex: number): string {
	const metric = json.metric as Record<string, unknown> | undefined;
	const label = metric && typeof metric === 'object' ? (metric.deployment ?? metric.service ?? metric.job ?? metric.__name__) : undefined;
	const stem = typeof label === 'string' ? label.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) : '';
	return stem || String(itemIndex);
}

/** NaN and Infinity become null, as they would in any JSON that leaves n8n. */
function finite(value: unknown): unknown {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (Array.isArray(value)) return value.map(finite);
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, finite(v)]));
	return value;
}
