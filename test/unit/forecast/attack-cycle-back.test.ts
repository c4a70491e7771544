import { forecast } from '../../../src/forecast/forecast';
import type { ForecastOutcome } from '../../../src/forecast/types';

// Attack review 8 (fresh eyes): the backtest windows one and two weeks back
// (cycleBackOrigins) against histories Prometheus hands over: short, gappy, huge.
const HOUR = 3600;
const END = Date.UTC(2015, 0, 30, 18) / 1000; // a Friday, 18:00: the next 24 hours cross into Saturday

const weekday = (time: number) => 600 + 400 * Math.sin((2 * Math.PI * (new Date(time * 1000).getUTCHours() - 9)) / 24);
const isWeekend = (time: number) => [0, 6].includes(new Date(time * 1000).getUTCDay());

/** Hourly demand over `days` days: a daily profile, weekends at 40 % of weekdays, a little noise. */
function traffic(days: number, scale = 1): { t: number[]; v: number[] } {
	const n = days * 24;
	const t: number[] = [];
	const v: number[] = [];
	for (let i = 0; i < n; i++) {
		const time = END - (n - i) * HOUR;
		t.push(time);
		v.push(scale * (weekday(time) * (isWeekend(time) ? 0.4 : 1) + 15 * Math.sin(i * 12.9898)));
	}
	return { t, v };
}

function forecastOf(outcome: ForecastOutcome) {
	if (outcome.kind !== 'forecast') throw new Error(outcome.reason);
	return outcome;
}

function everyNumberFinite(outcome: ForecastOutcome): boolean {
	const numbers: number[] = [];
	if (outcome.kind === 'forecast') for (const p of outcome.points) numbers.push(p.mean, ...Object.values(p.q));
	const report = outcome.backtest;
	if (report) numbers.push(report.mase, report.smape, report.wape, report.p90Coverage, report.underForecastRate, ...report.candidates.map((c) => c.loss));
	return numbers.every(Number.isFinite);
}

const withGap = (series: { t: number[]; v: number[] }, hoursBack: number[], length = 24) => {
	const v = [...series.v];
	for (const back of hoursBack) for (let i = v.length - back; i < v.length - back + length; i++) v[i] = Number.NaN;
	return { t: series.t, v };
};

describe('windows one and two weeks back on a history of a few weeks', () => {
	it.each([16, 18, 21, 22])('keep the weekly models in the ranking (%i days): a window with under two weeks before it would drop them', (days) => {
		const outcome = forecastOf(forecast(traffic(days), { horizon: 24 }));
		expect(outcome.seasons).toEqual([24, 168]);
		const ranked = outcome.backtest.candidates.map((c) => c.model);
		expect(ranked).toContain('seasonal-naive[168]');
		if (days >= 21) expect(ranked).toContain('mstl-ets[24,168]');
	});

	it('with three weeks of history the Saturday hours follow last Saturday', () => {
		const outcome = forecastOf(forecast(traffic(21), { horizon: 24 }));
		for (const point of outcome.points.filter((p) => isWeekend(p.t))) {
			const week = weekday(point.t);
			// Within a quarter of the way from Saturday's level towards Friday's.
			expect(Math.abs(point.mean - 0.4 * week)).toBeLessThan(0.25 * 0.6 * week);
		}
	});
});

describe('gaps where a backtest window falls', () => {
	it.each([
		['the same hours a week back', [168]],
		['the same hours one and two weeks back', [168, 336]],
		['yesterday, under a recent window', [48]],
	])('a scrape outage over %s leaves that window out, not every model', (_label, back) => {
		const clean = forecastOf(forecast(traffic(29), { horizon: 24 }));
		const outcome = forecast(withGap(traffic(29), back), { horizon: 24 });
		const gappy = forecastOf(outcome);
		expect(everyNumberFinite(outcome)).toBe(true);
		expect(gappy.backtest.origins).toBeLessThan(clean.backtest.origins);
		expect(gappy.backtest.origins).toBeGreaterThanOrEqual(clean.backtest.origins - back.length);
	});
});

describe('no number rather than a NaN or an infinite one', () => {
	it('backtestOrigins 0 leaves no recent window to calibrate on: no forecast (was a NaN p90 coverage)', () => {
		const outcome = forecast(traffic(29), { horizon: 24, backtestOrigins: 0 });
		expect(outcome.kind).toBe('no-forecast');
		expect(everyNumberFinite(outcome)).toBe(true);
	});

	it.each([1e150, 1e200, 1e300])('values around %d either forecast in finite numbers or not at all', (scale) => {
		const outcome = forecast(traffic(29, scale), { horizon: 24 });
		expect(everyNumberFinite(outcome)).toBe(true);
	});
});
