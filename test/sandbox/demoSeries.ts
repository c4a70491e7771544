import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The bundled real traffic series (see test/fixtures/ATTRIBUTION.md), turned
 * into Prometheus history that ends "now": the demo and the integration tests
 * query real numbers, not invented ones.
 */

export interface CsvPoint {
	t: number; // unix seconds
	v: number | null;
}

export function fixturePath(name: string): string {
	// Works from test/sandbox (ts-jest) and from dist-dev/test/sandbox (the demo's development build).
	for (const base of [path.join(__dirname, '..', 'fixtures'), path.join(__dirname, '..', '..', '..', 'test', 'fixtures')]) {
		const candidate = path.join(base, name);
		if (fs.existsSync(candidate)) return candidate;
	}
	throw new Error(`Fixture ${name} not found next to ${__dirname}`);
}

/** NAB-style `timestamp,value` CSV; timestamps without zone are read as UTC, empty values are gaps. */
export function readTimestampValueCsv(file: string): CsvPoint[] {
	const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).slice(1);
	const points: CsvPoint[] = [];
	for (const line of lines) {
		if (!line.trim()) continue;
		const [stamp, raw] = line.split(',');
		const t = Date.parse(stamp.trim().replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(stamp) ? '' : 'Z')) / 1000;
		if (!Number.isFinite(t)) throw new Error(`${file}: bad timestamp "${stamp}"`);
		const trimmed = (raw ?? '').trim();
		points.push({ t, v: trimmed === '' ? null : Number(trimmed) });
	}
	return points;
}

export interface BackfillSeries {
	name: string;
	labels: Record<string, string>;
	/** Source points, each holding its value until the next one (sample-and-hold). */
	points: CsvPoint[];
	/** Added to every source timestamp. */
	shiftSeconds: number;
}

/**
 * Sample-and-hold resampling to a scrape-like interval: a 30-minute series
 * queried at a finer step would otherwise fall outside Prometheus's 5-minute
 * lookback and look empty. Each emitted sample carries the real value of its slot.
 */
export function* resampled(series: BackfillSeries, scrapeSeconds: number): Generator<[number, number]> {
	const { points, shiftSeconds } = series;
	for (let i = 0; i < points.length; i++) {
		const { t, v } = points[i];
		if (v === null) continue;
		const slotEnd = i + 1 < points.length ? points[i + 1].t : t + slotSeconds(points);
		for (let s = t; s < slotEnd; s += scrapeSeconds) yield [s + shiftSeconds, v];
	}
}

export function slotSeconds(points: CsvPoint[]): number {
	return points.length > 1 ? points[1].t - points[0].t : 60;
}

/** Prometheus's default lookback: an instant sees the newest sample up to 5 minutes old. */
const LOOKBACK_SECONDS = 300;

/**
 * What Prometheus answers for the resampled series at time `at` (shifted
 * clock): the slot's value, or, just past the end of the history, the last
 * sample while it is within the lookback; undefined when there is none.
 */
export function valueAt(series: BackfillSeries, at: number, scrapeSeconds = 60): number | null | undefined {
	const sourceTime = at - series.shiftSeconds;
	const { points } = series;
	let lo = 0;
	let hi = points.length - 1;
	if (hi < 0 || sourceTime < points[0].t) return undefined;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (points[mid].t <= sourceTime) lo = mid;
		else hi = mid - 1;
	}
	const slotEnd = points[lo].t + slotSeconds(points);
	if (sourceTime >= slotEnd) return sourceTime - (slotEnd - scrapeSeconds) <= LOOKBACK_SECONDS ? points[lo].v : undefined;
	return points[lo].v;
}

function escapeLabel(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`. */
export function writeOpenMetrics(file: string, series: BackfillSeries[], scrapeSeconds: number): number {
	const fd = fs.openSync(file, 'w');
	let count = 0;
	try {
		const byName = new Map<string, BackfillSeries[]>();
		for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
		for (const [name, group] of byName) {
			fs.writeSync(fd, `# TYPE ${name} gauge\n`);
			for (const s of group) {
				const labels = Object.entries(s.labels)
					.map(([k, v]) => `${k}="${escapeLabel(v)}"`)
					.join(',');
				let buffer = '';
				for (const [t, v] of resampled(s, scrapeSeconds)) {
					buffer += `${name}{${labels}} ${v} ${t}\n`;
					count++;
					if (buffer.length > 1 << 20) {
						fs.writeSync(fd, buffer);
						buffer = '';
					}
				}
				fs.writeSync(fd, buffer);
			}
		}
		fs.writeSync(fd, '# EOF\n');
	} finally {
		fs.closeSync(fd);
	}
	return count;
}

/**
 * The NYC taxi series as two "regions": us-east is the real series, us-west
 * the same real series three hours later (another time zone's day), both
 * ending at `endAt`.
 */
const WEST_LAG_SECONDS = 3 * 3600;

export function nycTaxiRegions(endAt: number, scrapeSeconds = 60): BackfillSeries[] {
	const points = readTimestampValueCsv(fixturePath('nyc_taxi.csv'));
	const lastSlotEnd = points[points.length - 1].t + slotSeconds(points) - scrapeSeconds;
	const end = Math.floor(endAt / scrapeSeconds) * scrapeSeconds;
	const shift = end - lastSlotEnd;
	return [
		{ name: 'taxi_passengers', labels: { region: 'us-east', source: 'nab_nyc_taxi' }, points, shiftSeconds: shift },
		{
			name: 'taxi_passengers',
			labels: { region: 'us-west', source: 'nab_nyc_taxi' },
			points: points.slice(0, -Math.round(WEST_LAG_SECONDS / slotSeconds(points))),
			shiftSeconds: shift + WEST_LAG_SECONDS,
		},
	];
}
