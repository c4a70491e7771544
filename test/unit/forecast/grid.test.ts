import { inferIntervalSeconds, toRegularGrid } from '../../../src/forecast/grid';

describe('regular grid', () => {
	test('the interval is the median spacing, robust to a missing sample and jitter', () => {
		expect(inferIntervalSeconds([0, 300, 600, 1200, 1501, 1799, 2100])).toBe(300);
	});

	test('missing timestamps and null or NaN values become gaps, never zeros', () => {
		const grid = toRegularGrid({ t: [0, 60, 180, 240, 300], v: [1, null, 3, NaN, 5] })!;
		expect(grid.intervalSeconds).toBe(60);
		expect(grid.start).toBe(0);
		expect(Array.from(grid.values)).toEqual([1, NaN, NaN, 3, NaN, 5]);
	});

	test('unsorted input is placed by time; samples in one slot are averaged', () => {
		const grid = toRegularGrid({ t: [120, 0, 60, 62], v: [3, 1, 2, 4] }, 60)!;
		expect(Array.from(grid.values)).toEqual([1, 3, 3]);
	});

	test('no timestamps or one timestamp gives no grid', () => {
		expect(toRegularGrid({ t: [], v: [] })).toBeNull();
		expect(toRegularGrid({ t: [5], v: [1] })).toBeNull();
	});

	test('mismatched lengths are an error', () => {
		expect(() => toRegularGrid({ t: [0, 1], v: [1] })).toThrow(/2 timestamps but 1 values/);
	});
});
