import { autocorrelationFft } from './fft';
import { mad, median } from './stats';

const DAY_SECONDS = 86_400;

export interface CalendarSeason {
	label: 'daily' | 'weekly';
	/** Period in steps of the sampling interval. */
	period: number;
}

export interface SeasonTest extends CalendarSeason {
	detected: boolean;
	/** Autocorrelation at the period after removing trend (and, for weekly, the daily cycle). */
	autocorrelation: number | null;
	/** Value the autocorrelation had to exceed (one-sided 95 % Bartlett bound). */
	threshold: number | null;
	note: string;
}

export interface SeasonalityReport {
	seasons: number[];
	tests: SeasonTest[];
}

/** Daily and weekly periods in steps; a cycle shorter than two steps cannot be seen and is left out. */
export function calendarSeasons(intervalSeconds: number): CalendarSeason[] {
	const out: CalendarSeason[] = [];
	const daily = Math.round(DAY_SECONDS / intervalSeconds);
	const weekly = Math.round((7 * DAY_SECONDS) / intervalSeconds);
	if (daily >= 2) out.push({ label: 'daily', period: daily });
	if (weekly >= 2) out.push({ label: 'weekly', period: weekly });
	return out;
}

/** Gaps filled by straight lines between neighbours: enough for autocorrelations, never used as data. */
function interpolateGaps(values: ArrayLike<number>): Float64Array {
	const n = values.length;
	const out = new Float64Array(n);
	let previous = -1;
	for (let i = 0; i < n; i++) {
		if (!Number.isFinite(values[i])) continue;
		out[i] = values[i];
		const from = previous < 0 ? values[i] : values[previous];
		for (let j = previous + 1; j < i; j++) out[j] = previous < 0 ? from : from + ((values[i] - from) * (j - previous)) / (i - previous);
		previous = i;
	}
	for (let j = previous + 1; j < n; j++) out[j] = previous >= 0 ? values[previous] : 0;
	return out;
}

/** Centred moving average with windows shrinking at the ends, so no cycle of history is lost. */
function centredMovingAverage(values: Float64Array, window: number): Float64Array {
	const n = values.length;
	const prefix = new Float64Array(n + 1);
	for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + values[i];
	const half = Math.floor(window / 2);
	const out = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		const from = Math.max(0, i - half);
		const to = Math.min(n, i + half + 1);
		out[i] = (prefix[to] - prefix[from]) / (to - from);
	}
	return out;
}

function seasonalProfile(values: Float64Array, period: number): Float64Array {
	const sums = new Float64Array(period);
	const counts = new Float64Array(period);
	for (let i = 0; i < values.length; i++) {
		sums[i % period] += values[i];
		counts[i % period]++;
	}
	const profile = new Float64Array(values.length);
	for (let i = 0; i < values.length; i++) profile[i] = sums[i % period] / counts[i % period];
	return profile;
}

/**
 * Bartlett's bound for the autocorrelation at `period`, with the variance
 * summed over the first quarter period only: beyond that a genuine cycle's own
 * autocorrelation would inflate the bound and hide the cycle it is testing,
 * which at fine sampling (288 lags a day) makes the test blind.
 */
/** Clips extreme values so a few spikes cannot dominate the autocorrelations; a cycle's own swing stays inside the bounds. */
function winsorize(values: Float64Array): Float64Array {
	const centre = median(values);
	const spread = 5 * mad(values);
	if (!(spread > 0)) return values;
	return values.map((v) => Math.min(centre + spread, Math.max(centre - spread, v)));
}

function testPeriod(residual: Float64Array, period: number): { acf: number; threshold: number } {
	const acf = autocorrelationFft(residual, period);
	let sum = 0;
	for (let k = 1; k < Math.max(2, Math.ceil(period / 4)); k++) sum += acf[k] * acf[k];
	const threshold = 1.645 * Math.sqrt((1 + 2 * sum) / residual.length);
	return { acf: acf[period], threshold };
}

/**
 * Tests the daily and then the weekly cycle with the autocorrelation at the
 * period, as the M4 benchmarks do, but on a detrended series (a trend alone
 * makes every lag look correlated) and, for the weekly cycle, after removing
 * the daily profile (otherwise a daily cycle passes as weekly: 7 days are 7
 * daily cycles). Each cycle needs two full periods of history.
 */
export function detectSeasons(values: ArrayLike<number>, intervalSeconds: number): SeasonalityReport {
	const filled = interpolateGaps(values);
	const n = filled.length;
	const tests: SeasonTest[] = [];
	let dailyProfile: Float64Array | null = null;
	for (const season of calendarSeasons(intervalSeconds)) {
		if (n < 2 * season.period) {
			tests.push({
				...season,
				detected: false,
				autocorrelation: null,
				threshold: null,
				note: `not tested: ${n} points, a ${season.label} cycle needs at least ${2 * season.period}`,
			});
			continue;
		}
		const base = dailyProfile ?? new Float64Array(n);
		const withoutShorter = new Float64Array(n);
		for (let i = 0; i < n; i++) withoutShorter[i] = filled[i] - base[i];
		const trend = centredMovingAverage(withoutShorter, season.period);
		const residual = new Float64Array(n);
		for (let i = 0; i < n; i++) residual[i] = withoutShorter[i] - trend[i];
		const { acf, threshold } = testPeriod(winsorize(residual), season.period);
		const detected = acf > threshold;
		tests.push({
			...season,
			detected,
			autocorrelation: acf,
			threshold,
			note: detected
				? `${season.label} cycle found (autocorrelation ${acf.toFixed(2)} > ${threshold.toFixed(2)})`
				: `no ${season.label} cycle (autocorrelation ${acf.toFixed(2)} <= ${threshold.toFixed(2)})`,
		});
		if (season.label === 'daily' && detected) dailyProfile = seasonalProfile(residual, season.period);
	}
	return { seasons: tests.filter((t) => t.detected).map((t) => t.period), tests };
}
