import { cycleBackOrigins } from '../../../src/forecast/backtest';
import { forecast } from '../../../src/forecast/forecast';

const HALF_HOUR = 1800;

/** Four weeks of half-hourly demand: a daily profile, weekends at 40 % of weekdays, a little noise. Ends Friday 22:00. */
function weekdayTraffic(): { t: number[]; v: number[] } {
	const friday = Date.UTC(2015, 0, 30, 22) / 1000;
	const length = 28 * 48;
	const t: number[] = [];
	const v: number[] = [];
	for (let i = 0; i < length; i++) {
		const time = friday - (length - i) * HALF_HOUR;
		const date = new Date(time * 1000);
		const hour = date.getUTCHours() + date.getUTCMinutes() / 60;
		const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
		const daily = 600 + 400 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
		t.push(time);
		v.push(daily * (weekend ? 0.4 : 1) + 15 * Math.sin(i * 12.9898));
	}
	return { t, v };
}

test('the backtest also ranks on the same hours one and two weeks back', () => {
	expect(cycleBackOrigins(2000, 8, 336, 96)).toEqual([2000 - 672, 2000 - 336]);
	// Not enough training history before two weeks back: one window only.
	expect(cycleBackOrigins(800, 8, 336, 200)).toEqual([464]);
	expect(cycleBackOrigins(400, 8, 336, 96)).toEqual([]);
});

test('a forecast that crosses into the weekend follows last weekend, not Friday', () => {
	const { t, v } = weekdayTraffic();
	const outcome = forecast({ t, v }, { horizon: 8 });
	if (outcome.kind !== 'forecast') throw new Error(outcome.reason);
	expect(outcome.seasons).toEqual([48, 336]);
	const saturday = outcome.points.slice(4);
	for (const point of saturday) {
		const hour = new Date(point.t * 1000).getUTCHours() + new Date(point.t * 1000).getUTCMinutes() / 60;
		const weekday = 600 + 400 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
		// Within a fifth of the way from Saturday's level towards Friday's (a daily model carries Friday over: half way).
		expect(Math.abs(point.mean - 0.4 * weekday)).toBeLessThan(0.2 * (weekday - 0.4 * weekday));
	}
});
