import { PROMETHEUS_MAX_POINTS, alignToStep, autoStep, planChunks, pointsIn } from '../../../src/prometheus/rangePlan';

describe('planChunks', () => {
	test('a range within the cap is one request', () => {
		expect(planChunks({ start: 0, end: 600 }, 60)).toEqual([{ start: 0, end: 600 }]);
	});

	test('14 days at 1m split at the 11,000-point cap, on the same timestamps as one query', () => {
		const window = { start: 1_000_020, end: 1_000_020 + 14 * 86400 };
		const chunks = planChunks(window, 60);
		expect(chunks).toEqual([
			{ start: window.start, end: window.start + (PROMETHEUS_MAX_POINTS - 1) * 60 },
			{ start: window.start + PROMETHEUS_MAX_POINTS * 60, end: window.end },
		]);
		const total = chunks.reduce((n, c) => n + pointsIn(c, 60), 0);
		expect(total).toBe(pointsIn(window, 60));
		expect(total).toBe(20_161);
	});

	test('every chunk respects the cap, none overlap, all timestamps covered, for many shapes', () => {
		for (const [span, step, cap] of [
			[86_400, 15, 1000],
			[7 * 86_400, 60, 11_000],
			[1000, 7, 3],
			[59, 60, 5],
			[0, 60, 5],
		]) {
			const window = { start: 500, end: 500 + span };
			const chunks = planChunks(window, step, cap);
			const stamps: number[] = [];
			for (const c of chunks) {
				expect(pointsIn(c, step)).toBeLessThanOrEqual(cap);
				for (let t = c.start; t <= c.end; t += step) stamps.push(t);
			}
			const expected: number[] = [];
			for (let t = window.start; t <= window.end; t += step) expected.push(t);
			expect(stamps).toEqual(expected);
		}
	});

	test('bad input is refused', () => {
		expect(() => planChunks({ start: 10, end: 0 }, 60)).toThrow(/before it starts \(.*\); swap start and end/);
		expect(() => planChunks({ start: 0, end: 10 }, 0)).toThrow(/step must be positive/);
	});
});

describe('autoStep', () => {
	test.each([
		[3600, 5000, 15],
		[86_400, 5000, 30],
		[14 * 86_400, 5000, 300],
		[14 * 86_400, 11_000, 120],
		[365 * 86_400, 5000, 7200],
		[10 * 365 * 86_400, 100, 37 * 86_400],
	])('%ds within %d points -> %ds', (span, points, step) => {
		const chosen = autoStep({ start: 0, end: span }, points);
		expect(chosen).toBe(step);
		expect(pointsIn({ start: 0, end: span }, chosen)).toBeLessThanOrEqual(points);
	});
});

test('alignToStep snaps both ends down to the step grid', () => {
	expect(alignToStep({ start: 1001, end: 4999 }, 300)).toEqual({ start: 900, end: 4800 });
	expect(alignToStep({ start: 1000, end: 1001 }, 300)).toEqual({ start: 900, end: 900 });
});
