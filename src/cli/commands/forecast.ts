import { UsageError, parseArgs } from '../args';
import type { CliCommand, CliIO } from '../command';
import { durationSeconds } from '../../shared/duration';
import { readCliFile } from '../files';
import {
	DEFAULT_QUANTILES,
	forecast,
	forecastToJson,
	inferIntervalSeconds,
	parseHorizon,
	parseQuantiles,
	parseSeasons,
	parseTimestamp,
	readSeriesCsv,
	type ForecastOutcome,
	type ReplicaRecommendation,
} from '../../forecast';
import { PRESCALE_DEFAULTS, PreScaleSettingsError, floorRecommendation, forecastLevels, lastObserved, resolvePreScaleSettings, type PreScaleSettings } from '../../prescale';

const options = {
	csv: { description: 'history: header row, first column the timestamp (ISO 8601 or "YYYY-MM-DD HH:MM:SS" UTC)', valueName: 'file' },
	column: { description: 'value column, by header name or position (default the first after the timestamp)', valueName: 'name|index' },
	until: { description: 'forecast from the last point at or before this time, using nothing after it', valueName: 'timestamp' },
	horizon: { description: 'how far ahead: steps of the series (12) or a duration (1h, 4h, 1d)', valueName: 'steps|duration' },
	season: { description: 'auto (default: detect daily and weekly), none, or season lengths in steps: 48 or 48,336', valueName: 'auto|steps' },
	quantiles: { description: 'quantile levels (default 0.5,0.9,0.99)', valueName: 'levels' },
	'per-pod-capacity': { description: 'demand one pod serves; adds a replica recommendation', valueName: 'number' },
	headroom: { description: 'spare capacity as a fraction (default 0.2)', valueName: 'fraction' },
	startup: { description: 'pod start-up time, the Forecast node\'s Pod Start-Up (default 90s)', valueName: 'dur' },
	lead: { description: 'older name of --startup', valueName: 'dur' },
	'extra-lead': { description: 'look this much further ahead than the start-up, the node\'s Extra Lead (default 0s)', valueName: 'dur' },
	window: { description: 'time until the next scaling run, the node\'s Run Interval (default 15m)', valueName: 'dur' },
	'replica-quantile': { description: 'quantile to provision for (default 0.9)', valueName: 'level' },
	'min-replicas': { description: 'lowest recommendation (default 1)', valueName: 'n' },
	'max-replicas': { description: 'highest recommendation (default none)', valueName: 'n' },
	json: { flag: true, description: 'print { model, seasons, intervalSeconds, points: [{ t, mean, q }], backtest, history }' },
};

/**
 * `kube-ops forecast`: the Forecast node's engine on a CSV, for notebooks,
 * CI checks and back-of-the-envelope capacity planning. A history that
 * cannot carry a forecast still prints JSON (model null, no points, the
 * reason) and exits 0, with the reason on stderr too.
 */
export const forecastCommand: CliCommand = {
	name: 'forecast',
	summary: 'Forecast a metric history from a CSV file, with backtest scores and quantiles.',
	usage:
		'forecast --csv <file> [--column <name|index>] [--until <timestamp>] --horizon <steps|duration> [--season auto|<steps>[,<steps>]] [--quantiles 0.5,0.9,0.99] [--per-pod-capacity <n> ...] --json',
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		const args = parseArgs(argv, options);
		const { values } = args;
		if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
		if (!values.csv) throw new UsageError('--csv is required');
		if (!values.horizon) throw new UsageError('--horizon is required (steps, e.g. 12, or a duration, e.g. 1h)');
		const until = values.until === undefined ? undefined : usage('--until', () => parseTimestamp(values.until));
		const seasons = usage('--season', () => parseSeasons(values.season ?? 'auto'));
		const quantiles = values.quantiles === undefined ? [...DEFAULT_QUANTILES] : usage('--quantiles', () => parseQuantiles(values.quantiles));
		const replicas = values['per-pod-capacity'] === undefined ? null : replicaOptions(values);

		const text = readCliFile(values.csv, 'CSV');
		const { series, column } = readSeriesCsv(text, values.column ?? 1, until);
		const interval = inferIntervalSeconds(series.t);
		// Without two timestamps there is no interval to convert a duration with; the engine then explains the data problem.
		const horizon = usage('--horizon', () => parseHorizon(values.horizon, interval ?? Number.MAX_SAFE_INTEGER));
		const outcome = forecast(series, { horizon, seasons, quantiles: forecastLevels(replicas, quantiles) });
		// No decision time: the floor is for the span after the last point of the CSV (a replay of its history).
		const recommendation = replicas ? floorRecommendation(outcome, replicas, { lastObserved: lastObserved(series) }) : null;

		if (outcome.kind !== 'forecast') io.stderr(`kube-ops forecast: no forecast for "${column}": ${outcome.reason}\n`);
		if (args.flags.has('json')) {
			const json = forecastToJson(outcome);
			if (recommendation) json.recommendation = recommendationJson(recommendation);
			io.stdout(JSON.stringify(json) + '\n');
		} else io.stdout(table(outcome, column, recommendation));
		return 0;
	},
};

function usage<T>(option: string, parse: () => T): T {
	try {
		return parse();
	} catch (error) {
		throw new UsageError(`${option}: ${(error as Error).message}`);
	}
}

function replicaOptions(values: Record<string, string>): PreScaleSettings {
	const number = (name: string, fallback: number, valid: (n: number) => boolean, expected: string): number => {
		if (values[name] === undefined) return fallback;
		const n = Number(values[name]);
		if (values[name].trim() === '' || !Number.isFinite(n) || !valid(n)) throw new UsageError(`--${name}: "${values[name]}" is not ${expected}`);
		return n;
	};
	const duration = (name: string, fallback: number): number => {
		if (values[name] === undefined) return fallback;
		const text = values[name].trim();
		const seconds = /^0+[smhdw]?$/.test(text) ? 0 : durationSeconds(text);
		if (seconds === null) throw new UsageError(`--${name}: "${values[name]}" is not a duration like 90s or 15m`);
		return seconds;
	};
	if (values.startup !== undefined && values.lead !== undefined) throw new UsageError('--lead is the older name of --startup: give one of them');
	const minReplicas = number('min-replicas', 1, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0');
	const maxReplicas = number('max-replicas', Infinity, (n) => Number.isInteger(n) && n >= minReplicas, `a whole number >= the minimum (${minReplicas})`);
	try {
		return resolvePreScaleSettings({
			perPodCapacity: number('per-pod-capacity', 0, (n) => n > 0, 'a positive number'),
			headroom: number('headroom', PRESCALE_DEFAULTS.headroom, (n) => n >= 0, 'a fraction >= 0'),
			podStartupSeconds: duration(values.startup !== undefined ? 'startup' : 'lead', PRESCALE_DEFAULTS.podStartupSeconds),
			extraLeadSeconds: duration('extra-lead', PRESCALE_DEFAULTS.extraLeadSeconds),
			runIntervalSeconds: duration('window', PRESCALE_DEFAULTS.runIntervalSeconds),
			quantile: number('replica-quantile', PRESCALE_DEFAULTS.quantile, (n) => n > 0 && n < 1, 'a level between 0 and 1'),
			minReplicas,
			maxReplicas: Number.isFinite(maxReplicas) ? maxReplicas : null,
		});
	} catch (error) {
		if (error instanceof PreScaleSettingsError) throw new UsageError(error.message);
		throw error;
	}
}

function recommendationJson(recommendation: ReplicaRecommendation): Record<string, unknown> {
	if (recommendation.kind !== 'replicas') return recommendation;
	return { ...recommendation, from: iso(recommendation.from), to: iso(recommendation.to) };
}

function table(outcome: ForecastOutcome, column: string, recommendation: ReplicaRecommendation | null): string {
	if (outcome.kind !== 'forecast') return `${column}: no forecast: ${outcome.reason}\n`;
	const { backtest, history } = outcome;
	const levels = Object.keys(outcome.points[0]?.q ?? {});
	const lines = [
		`${column}: ${outcome.model}`,
		`  seasons ${outcome.seasons.join(', ') || 'none'} (steps of ${outcome.intervalSeconds} s); history ${history.points} points, ${history.gaps} gaps, ${history.outliers} outliers`,
		`  backtest over ${backtest.origins} windows: MASE ${fixed(backtest.mase, 3)} (${backtest.baseline.model} ${fixed(backtest.baseline.mase, 3)}), MAPE ${fixed(backtest.mape, 1)}%, WAPE ${fixed(backtest.wape, 1)}%, p90 coverage ${fixed(100 * backtest.p90Coverage, 0)}%`,
		'',
		['time (UTC)'.padEnd(24), 'mean'.padStart(12), ...levels.map((l) => `q${l}`.padStart(12))].join(''),
		...outcome.points.map((p) => [iso(p.t).padEnd(24), fixed(p.mean, 2).padStart(12), ...levels.map((l) => fixed(p.q[l], 2).padStart(12))].join('')),
	];
	if (recommendation) {
		lines.push(
			'',
			recommendation.kind === 'replicas'
				? `replicas: ${recommendation.replicas} for q${recommendation.quantile} demand ${fixed(recommendation.demand, 2)} between ${iso(recommendation.from)} and ${iso(recommendation.to)}${recommendation.clamped ? ' (clamped)' : ''}`
				: `replicas: no recommendation: ${recommendation.reason}`,
		);
	}
	return lines.join('\n') + '\n';
}

function fixed(value: number, digits: number): string {
	return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function iso(seconds: number): string {
	return new Date(seconds * 1000).toISOString();
}
