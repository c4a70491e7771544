import { parseM4Csv, runM4, writeM4Submission } from '../../../bench/m4';

const TRAIN = '"V1","V2","V3","V4","V5","V6"\n"H1","1","2","3","4","5",""\n"H2","10","20","10","20","",""\n';
const TEST = '"V1","V2","V3"\n"H1","6","7"\n"H2","10","20"\n';

describe('M4 runner', () => {
	test('parses rows of different lengths with trailing empty cells', () => {
		expect(parseM4Csv(TRAIN)).toEqual([
			{ id: 'H1', values: [1, 2, 3, 4, 5] },
			{ id: 'H2', values: [10, 20, 10, 20] },
		]);
	});

	test('scores with the official MASE and sMAPE; failures are counted, not averaged', () => {
		// Naive forecaster; MASE scale uses m = 24 and falls back to lag 1 on these tiny series.
		const result = runM4(TRAIN, TEST, (values, horizon) =>
			values.length === 5 ? { forecast: Array(horizon).fill(values[values.length - 1]), model: 'naive' } : null,
		);
		expect(result.series).toBe(1);
		expect(result.failed).toBe(1);
		expect(result.failedIds).toEqual(['H2']);
		expect(result.mase).toBeCloseTo((1 + 2) / 2 / 1, 10);
		expect(result.smape).toBeCloseTo(((200 * 1) / 11 + (200 * 2) / 12) / 2, 10);
	});

	test('writes the submission layout id,F1..Fh', () => {
		expect(writeM4Submission([{ id: 'H1', forecast: [1.5, 2] }])).toBe('id,F1,F2\nH1,1.5,2\n');
	});
});

describe('M4 runner: quantiles and CPU time', () => {
	test('p90 coverage over the series that give a 0.9 quantile, and the CPU time of the run', () => {
		const result = runM4(TRAIN, TEST, (values, horizon) => ({
			forecast: Array(horizon).fill(values[values.length - 1]),
			model: 'naive',
			// H1 actuals 6, 7: the quantile 6.5 covers one of two; H2 actuals 10, 20: 15 covers one of two.
			p90: Array(horizon).fill(values.length === 5 ? 6.5 : 15),
		}));
		expect(result.p90Coverage).toBeCloseTo(0.5, 10);
		expect(result.forecasts.map((f) => f.p90Coverage)).toEqual([0.5, 0.5]);
		expect(result.cpuSeconds).toBeGreaterThanOrEqual(0);
		expect(Number.isNaN(runM4(TRAIN, TEST, (values, horizon) => ({ forecast: Array(horizon).fill(1), model: 'flat' })).p90Coverage)).toBe(true);
	});
});
