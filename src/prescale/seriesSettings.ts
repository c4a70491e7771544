import { parseHorizon, parseQuantiles } from '../forecast';
import { durationSeconds } from '../shared/duration';

/** A parameter that cannot be used as given; the message names the parameter. */
export class SettingsError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SettingsError';
	}
}

export type Seasonality = 'auto' | 'custom' | 'none';

/** Horizon in steps of the series: `12` or a duration such as `1h`. */
export function horizonSteps(text: string, intervalSeconds: number | null): number {
	const value = String(text ?? '').trim();
	if (/^\d+$/.test(value)) {
		if (Number(value) < 1) throw new SettingsError('Horizon: must be at least 1 step');
	} else validDuration(value, 'Horizon');
	// Without an interval (empty or one-point history) a duration cannot be converted; the engine then reports the data problem.
	return parseHorizon(value, intervalSeconds ?? Number.MAX_SAFE_INTEGER);
}

/** Season lengths in steps: `auto`, none, or a list of durations (`1d, 1w`) or step counts (`288`). */
export function seasonSteps(mode: Seasonality, text: string, intervalSeconds: number | null): 'auto' | number[] {
	if (mode === 'auto') return 'auto';
	if (mode === 'none') return [];
	const parts = String(text ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
	if (parts.length === 0) throw new SettingsError('Seasons: list at least one season, e.g. "1d" or "1d, 1w" (or choose Detect)');
	if (intervalSeconds === null) return 'auto';
	return parts.map((part) => {
		const steps = /^\d+$/.test(part) ? Number(part) : Math.round(validDuration(part, 'Seasons') / intervalSeconds);
		if (!(steps >= 2)) {
			throw new SettingsError(`Seasons: "${part}" is ${steps} step(s) of ${intervalSeconds} s; a season needs at least 2 steps`);
		}
		return steps;
	});
}

export function quantileList(text: string): number[] {
	for (const part of String(text ?? '').split(',')) {
		const level = Number(part.trim());
		if (part.trim() === '' || !(level > 0 && level < 1)) {
			throw new SettingsError(`Quantiles: "${part.trim()}" is not a level strictly between 0 and 1 (e.g. 0.5,0.9,0.99)`);
		}
	}
	return [...new Set(parseQuantiles(String(text)))].sort((a, b) => a - b);
}

/** Seconds of a duration parameter such as `90s` or `15m`. */
export function validDuration(text: string, parameter: string): number {
	const seconds = durationSeconds(String(text ?? ''));
	if (seconds === null || !(seconds > 0)) throw new SettingsError(`${parameter}: "${text}" is not a duration like 90s, 15m, 1h or 1d`);
	return seconds;
}

/** A switch set by an expression must still be true or false: the string "true" is not quietly read as off. */
export function booleanSetting(value: unknown, parameter: string): boolean {
	if (typeof value === 'boolean') return value;
	throw new SettingsError(`${parameter} must be true or false, got ${JSON.stringify(value)} (fix: a boolean, or an expression such as {{ true }})`);
}

export function numberSetting(value: unknown, parameter: string, check: (n: number) => boolean, expected: string): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || !check(number)) {
		throw new SettingsError(`${parameter}: ${JSON.stringify(value)} is not ${expected}`);
	}
	return number;
}
