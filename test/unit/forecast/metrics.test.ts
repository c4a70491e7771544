import {
	asymmetricAbsoluteError,
	coverage,
	mape,
	mase,
	seasonalNaiveScale,
	smape,
	underForecastRate,
	wape,
} from '../../../src/forecast/metrics';

describe('accuracy measures', () => {
	const actual = [10, 20, 30, NaN];
	const predicted = [12, 15, 30, 99];

	test('known values; the gap (NaN actual) is skipped, not counted as zero', () => {
		expect(smape(actual, predicted)).toBeCloseTo(((200 * 2) / 22 + (200 * 5) / 35 + 0) / 3, 10);
		expect(mape(actual, predicted)).toBeCloseTo(((2 / 10 + 5 / 20) / 3) * 100, 10);
		expect(wape(actual, predicted)).toBeCloseTo((7 / 60) * 100, 10);
		expect(underForecastRate(actual, predicted)).toBeCloseTo(1 / 3, 10);
		expect(coverage(actual, [11, 25, 29, 0])).toBeCloseTo(2 / 3, 10);
		expect(asymmetricAbsoluteError(actual, predicted, 3)).toBeCloseTo((2 + 3 * 5) / 3, 10);
	});

	test('MASE uses the in-sample seasonal naive error as its scale (M4 definition)', () => {
		const history = [1, 2, 3, 5, 2, 4];
		expect(seasonalNaiveScale(history, 3)).toBeCloseTo((4 + 0 + 1) / 3, 10);
		expect(mase([4, 4], [2, 6], seasonalNaiveScale(history, 3))).toBeCloseTo(2 / (5 / 3), 10);
	});
});
