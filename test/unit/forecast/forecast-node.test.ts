import { scaleProposal } from '../../../nodes/Forecast/proposal';
import { ItemInputError, getField, readPairs, withoutField } from '../../../nodes/Forecast/series';
import { SettingsError, horizonSteps, quantileList, seasonSteps, validDuration } from '../../../src/prescale/seriesSettings';
import type { ForecastOutcome } from '../../../src/forecast';

/** The Forecast node's pure helpers: reading items, parameters and building the Policy Gate proposal. */

describe('reading [timestamp, value] pairs', () => {
	test('numbers, numeric strings, milliseconds and ISO times; null, NaN and ±Inf are gaps', () => {
		const series = readPairs(
			{
				values: [
					[1_700_000_000, 1.5],
					['1700000060', '2'],
					[1_700_000_120_000, null],
					['2023-11-14T22:15:00Z', 'NaN'],
					[1_700_000_240, '+Inf'],
					[1_700_000_300, Number.NaN],
				],
			},
			'values',
			0,
		);
		expect(series).toEqual({ t: [1_700_000_000, 1_700_000_060, 1_700_000_120, 1_700_000_100, 1_700_000_240, 1_700_000_300], v: [1.5, 2, null, null, null, null] });
	});

	test('a JSON string holding the list (an HTTP response body) is read too', () => {
		expect(readPairs({ body: '[[1,2],[3,4]]' }, 'body', 0)).toEqual({ t: [1, 3], v: [2, 4] });
	});

	test('errors name the item, the field and the position', () => {
		const error = (json: Record<string, unknown>, field = 'values'): ItemInputError => {
			try {
				readPairs(json, field, 3);
			} catch (e) {
				return e as ItemInputError;
			}
			throw new Error('no error');
		};
		expect(error({}).message).toBe('Item 3 has no field "values"');
		expect(error({}).description).toMatch(/This item has: no fields at all/);
		expect(error({ data: {} }, 'data.values').message).toBe('Item 3 has no field "data.values"');
		expect(error({ values: null }).message).toBe('Item 3: field "values" is null, not a list of [timestamp, value] pairs');
		expect(error({ values: [[1]] }).message).toBe('Item 3: values[0] is not a [timestamp, value] pair (got [1])');
		expect(error({ values: [[1, {}]] }).message).toBe('Item 3: values[0][1] {} is not a number');
		expect(error({ values: [['noon', 1]] }).message).toBe('Item 3: values[0][0] "noon" is not a timestamp');
		expect(error({ values: [[1, 'x'.repeat(100)]] }).message).toMatch(/^Item 3: values\[0\]\[1\] "x{56}\.\.\. is not a number$/);
	});

	test('dotted paths, and the history left out of the output copy', () => {
		const json = { metric: { a: '1' }, data: { values: [[1, 2]], resultType: 'matrix' }, 'with.dot': 5 };
		expect(getField(json, 'data.values')).toEqual([[1, 2]]);
		expect(getField(json, 'with.dot')).toBe(5);
		expect(getField(json, 'data.missing.deeper')).toBeUndefined();
		expect(withoutField(json, 'data.values')).toEqual({ metric: { a: '1' }, data: { resultType: 'matrix' }, 'with.dot': 5 });
		expect(withoutField(json, 'with.dot')).toEqual({ metric: { a: '1' }, data: json.data });
		expect(json.data.values).toEqual([[1, 2]]);
	});
});

describe('parameters', () => {
	test('horizon: steps or a duration rounded up to whole steps', () => {
		expect(horizonSteps('12', 300)).toBe(12);
		expect(horizonSteps('1h', 300)).toBe(12);
		expect(horizonSteps('70m', 1800)).toBe(3);
		expect(() => horizonSteps('0', 300)).toThrow('Horizon: must be at least 1 step');
		expect(() => horizonSteps('an hour', 300)).toThrow(SettingsError);
	});

	test('seasons: durations become steps of the series; too short is an error', () => {
		expect(seasonSteps('custom', '1d, 1w', 300)).toEqual([288, 2016]);
		expect(seasonSteps('custom', '48', 1800)).toEqual([48]);
		expect(seasonSteps('auto', '', 300)).toBe('auto');
		expect(seasonSteps('none', '1d', 300)).toEqual([]);
		expect(() => seasonSteps('custom', '', 300)).toThrow(/list at least one season/);
		expect(() => seasonSteps('custom', '5m', 300)).toThrow('Seasons: "5m" is 1 step(s) of 300 s; a season needs at least 2 steps');
	});

	test('quantiles are sorted and unique; durations must be durations', () => {
		expect(quantileList('0.99, 0.5,0.9,0.5')).toEqual([0.5, 0.9, 0.99]);
		expect(() => quantileList('0.5,,0.9')).toThrow('Quantiles: "" is not a level strictly between 0 and 1 (e.g. 0.5,0.9,0.99)');
		expect(validDuration('90s', 'Pod Start-Up')).toBe(90);
		expect(() => validDuration('90', 'Pod Start-Up')).toThrow('Pod Start-Up: "90" is not a duration like 90s, 15m, 1h or 1d');
	});
});

describe('Policy Gate proposal', () => {
	const target = { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'checkout' };
	const replicas = { perPodCapacity: 50, headroom: 0.2, leadSeconds: 90, windowSeconds: 900, quantile: 0.9 };
	const backtest = {
		origins: 3,
		calibrationWindows: 12,
		horizon: 12,
		mase: 0.6,
		smape: 8,
		mape: Number.NaN,
		wape: 7.5,
		underForecastRate: 0.4,
		p90Coverage: 0.9,
		baseline: { model: 'seasonal-naive[288]', mase: 0.9, smape: 10, mape: 9, wape: 9, underForecastRate: 0.5 },
		candidates: [],
	};
	const outcome: ForecastOutcome = {
		kind: 'forecast',
		model: 'holt-winters',
		seasons: [288],
		intervalSeconds: 300,
		points: [{ t: 1_800_000_300, mean: 400, q: { '0.9': 450 } }],
		backtest,
		history: { points: 4032, gaps: 0, outliers: 0 },
	};

	test('an undefined MAPE is left out, so the gate holds for lack of accuracy evidence instead of rejecting', () => {
		const proposal = scaleProposal({
			target,
			currentReplicas: 4,
			outcome,
			recommendation: { kind: 'replicas', replicas: 11, demand: 450, quantile: 0.9, from: 1_800_000_090, to: 1_800_000_990, clamped: false },
			replicas,
		});
		expect(proposal.proposed).toEqual({ replicas: 11 });
		const evidence = proposal.evidence as { backtest: Record<string, number> };
		expect(evidence.backtest).not.toHaveProperty('mape');
		expect(evidence.backtest.wape).toBeCloseTo(0.075, 12);
		expect(proposal.rationale).toBe(
			'p90 demand 450 between 2027-01-15T08:01:30.000Z and 2027-01-15T08:16:30.000Z / 50 per pod x 1.2 headroom -> 11 replicas; model holt-winters',
		);
	});

	test('no recommendation proposes the current count with the reason', () => {
		const proposal = scaleProposal({
			target,
			currentReplicas: 4,
			outcome: { kind: 'no-forecast', reason: 'history too short', seasons: [], intervalSeconds: 300, history: { points: 10, gaps: 0, outliers: 0 } },
			recommendation: { kind: 'no-recommendation', reason: 'history too short' },
			replicas,
		});
		expect(proposal).toEqual({
			action: 'scale',
			source: 'forecast',
			target,
			current: { replicas: 4 },
			proposed: { replicas: 4 },
			rationale: 'no recommendation, keep 4: history too short',
			evidence: { forecast: { noForecast: 'history too short' }, noRecommendation: 'history too short' },
		});
	});
});
