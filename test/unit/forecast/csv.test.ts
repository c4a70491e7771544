import { parseTimestamp, readSeriesCsv } from '../../../src/forecast/csv';
import { forecast } from '../../../src/forecast/forecast';
import { nycTaxi } from './fixtures';

describe('readSeriesCsv', () => {
	const text = [
		'timestamp,cpu,"req, per s"',
		'2024-05-01 00:00:00,1.5,10',
		'2024-05-01T00:05:00Z,,11',
		'2024-05-01T02:10:00+02:00,NaN,12',
		'2024-05-01 00:15:00,2,',
		'',
	].join('\r\n');

	test('first value column by default; empty and NaN cells are gaps (null), never zero', () => {
		const { series, column } = readSeriesCsv(text);
		expect(column).toBe('cpu');
		expect(series.t).toEqual([1714521600, 1714521900, 1714522200, 1714522500]);
		expect(series.v).toEqual([1.5, null, null, 2]);
	});

	test('column by name (quoted header with a comma) or by position', () => {
		expect(readSeriesCsv(text, 'req, per s').series.v).toEqual([10, 11, 12, null]);
		expect(readSeriesCsv(text, 2).series.v).toEqual([10, 11, 12, null]);
		expect(readSeriesCsv(text, '2').column).toBe('req, per s');
	});

	test('clear errors for a wrong column or a bad cell', () => {
		expect(() => readSeriesCsv(text, 'mem')).toThrow(/no column "mem"; the header has: timestamp, cpu, req, per s/);
		expect(() => readSeriesCsv(text, 0)).toThrow(/column 0 is the timestamp/);
		expect(() => readSeriesCsv('t,v\n2024-01-01,abc\n')).toThrow(/line 2: "abc" in column "v" is not a number/);
		expect(() => readSeriesCsv('t,v\nyesterday,1\n')).toThrow(/line 2: "yesterday" is not a timestamp/);
	});

	test('timestamps: ISO 8601, "YYYY-MM-DD HH:MM:SS" as UTC, unix seconds and milliseconds', () => {
		expect(parseTimestamp('2024-05-01 00:00:00')).toBe(1714521600);
		expect(parseTimestamp('2024-05-01T00:00:00Z')).toBe(1714521600);
		expect(parseTimestamp('2024-05-01T02:00:00+0200')).toBe(1714521600);
		expect(parseTimestamp('2024-05-01')).toBe(1714521600);
		expect(parseTimestamp('1714521600')).toBe(1714521600);
		expect(parseTimestamp('1714521600000')).toBe(1714521600);
	});

	test('--until drops everything after that time', () => {
		const { series } = readSeriesCsv(text, 1, '2024-05-01 00:05:00');
		expect(series.t).toEqual([1714521600, 1714521900]);
	});
});

describe('no look-ahead with --until', () => {
	const taxi = nycTaxi();
	const header = 'timestamp,value\n';
	const toCsv = (t: number[], v: Array<number | null>): string =>
		header + t.map((time, i) => `${new Date(time * 1000).toISOString()},${v[i] ?? ''}`).join('\n');
	const t = taxi.t.slice(0, 48 * 21);
	const v = taxi.v.slice(0, 48 * 21);
	const until = t[48 * 17 - 1];

	test('the forecast as of --until is the one made from the data up to then, whatever comes after', () => {
		const full = readSeriesCsv(toCsv(t, v), 'value', until).series;
		const changedFuture = v.map((x, i) => (t[i] > until ? (x as number) * 5 + 1000 : x));
		const tampered = readSeriesCsv(toCsv(t, changedFuture), 'value', until).series;
		const truncated = { t: t.filter((x) => x <= until), v: v.filter((_, i) => t[i] <= until) };
		const a = forecast(full, { horizon: 8 });
		const b = forecast(tampered, { horizon: 8 });
		const c = forecast(truncated, { horizon: 8 });
		expect(a.kind).toBe('forecast');
		expect(b).toEqual(a);
		expect(c).toEqual(a);
		if (a.kind === 'forecast') expect(a.points[0].t).toBe(until + 1800);
	});
});
