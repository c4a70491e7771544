/** Parsers for the command-line spellings of forecast options. */
import { durationSeconds } from '../shared/duration';

/** `--horizon`: a number of steps, or a duration rounded up to whole steps of the interval. */
export function parseHorizon(text: string, intervalSeconds: number): number {
	const value = text.trim();
	if (/^\d+$/.test(value)) {
		const steps = Number(value);
		if (steps < 1) throw new Error('horizon must be at least 1 step');
		return steps;
	}
	const seconds = durationSeconds(value);
	if (seconds === null || seconds <= 0) throw new Error(`horizon "${text}" is neither a number of steps nor a duration like 4h`);
	return Math.max(1, Math.ceil(seconds / intervalSeconds - 1e-9));
}

/** `--season`: `auto`, or periods in steps separated by commas. */
export function parseSeasons(text: string): 'auto' | number[] {
	const value = text.trim().toLowerCase();
	if (value === 'auto') return 'auto';
	if (value === 'none') return [];
	return value.split(',').map((part) => {
		const period = Number(part.trim());
		if (!Number.isInteger(period) || period < 2) throw new Error(`season "${part}" must be a whole number of steps >= 2`);
		return period;
	});
}

/** `--quantiles`: levels strictly between 0 and 1, separated by commas. */
export function parseQuantiles(text: string): number[] {
	return text.split(',').map((part) => {
		const level = Number(part.trim());
		if (!(level > 0 && level < 1)) throw new Error(`quantile "${part}" must lie strictly between 0 and 1`);
		return level;
	});
}
