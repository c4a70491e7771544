import { minimize } from '../optimize';
import { estimationWindow } from './estimationWindow';
import { mean } from '../stats';
import type { FittedModel, ForecastModel } from './model';

export interface HoltWintersParameters {
	alpha: number;
	/** Trend smoothing; ignored when the model has no trend. */
	beta: number;
	gamma: number;
	/** Trend damping, 1 for an undamped trend. */
	phi: number;
	trend: boolean;
}

export interface HoltWintersState {
	level: number;
	trend: number;
	/** seasonal[k] is the seasonal term of time `start + k` for k < period. */
	seasonal: Float64Array;
}

export interface HoltWintersFilterResult {
	sse: number;
	/** State after the last observation; its seasonal[k] belongs to time n + k. */
	final: HoltWintersState;
}

/**
 * Additive Holt-Winters recursion (error-correction form with optional damped
 * trend) from time `start` to the end of the series.
 */
export function holtWintersFilter(
	y: ArrayLike<number>,
	period: number,
	params: HoltWintersParameters,
	initial: HoltWintersState,
	start = 0,
): HoltWintersFilterResult {
	const { alpha, beta, gamma, phi, trend: hasTrend } = params;
	const seasonal = Float64Array.from(initial.seasonal);
	let level = initial.level;
	let trend = hasTrend ? initial.trend : 0;
	let sse = 0;
	let slot = 0;
	for (let t = start; t < y.length; t++) {
		const season = seasonal[slot];
		const damped = phi * trend;
		const fitted = level + damped + season;
		const error = y[t] - fitted;
		sse += error * error;
		const previousLevel = level;
		level = alpha * (y[t] - season) + (1 - alpha) * (level + damped);
		if (hasTrend) trend = beta * (level - previousLevel) + (1 - beta) * damped;
		seasonal[slot] = gamma * (y[t] - level) + (1 - gamma) * season;
		slot = slot + 1 === period ? 0 : slot + 1;
	}
	const rotated = new Float64Array(period);
	for (let k = 0; k < period; k++) rotated[k] = seasonal[(slot + k) % period];
	return { sse, final: { level, trend, seasonal: rotated } };
}

export function holtWintersForecast(
	state: HoltWintersState,
	params: HoltWintersParameters,
	horizon: number,
): Float64Array {
	const period = state.seasonal.length;
	const out = new Float64Array(horizon);
	let trendSum = 0;
	let damping = 1;
	for (let h = 0; h < horizon; h++) {
		if (params.trend) {
			damping *= params.phi;
			trendSum += damping;
		}
		out[h] = state.level + trendSum * state.trend + state.seasonal[h % period];
	}
	return out;
}

/**
 * Starting states from the first cycles: the seasonal profile is the mean
 * deviation of each slot from its cycle's mean, the trend the average change
 * between consecutive cycle means.
 */
export function holtWintersInitialState(y: ArrayLike<number>, period: number): HoltWintersState {
	const cycles = Math.max(1, Math.min(4, Math.floor(y.length / period)));
	const cycleMeans: number[] = [];
	const seasonal = new Float64Array(period);
	for (let c = 0; c < cycles; c++) {
		const cycleMean = mean(Array.prototype.slice.call(y, c * period, (c + 1) * period) as number[]);
		cycleMeans.push(cycleMean);
		for (let k = 0; k < period; k++) seasonal[k] += (y[c * period + k] - cycleMean) / cycles;
	}
	const trend = cycles > 1 ? (cycleMeans[cycles - 1] - cycleMeans[0]) / ((cycles - 1) * period) : 0;
	const level = cycleMeans[0] - (trend * (period - 1)) / 2 - trend;
	return { level, trend, seasonal };
}

export interface HoltWintersOptions {
	damped?: boolean;
	/** Without a trend the model is ETS(A,N,A); with one, ETS(A,Ad,A). */
	trend?: boolean;
}

/**
 * Smoothing parameters minimising the one-step-ahead squared error from the
 * given starting state. All three smoothing weights range over [0, 1] in this
 * (classic Holt-Winters) form, damping over [0.8, 0.98] as in ETS.
 */
export function fitHoltWintersParameters(
	y: ArrayLike<number>,
	period: number,
	options: HoltWintersOptions,
	initial: HoltWintersState,
	start = 0,
	from?: HoltWintersParameters,
): HoltWintersParameters {
	const withTrend = options.trend ?? true;
	const damped = withTrend && (options.damped ?? true);
	const toParams = (x: number[]): HoltWintersParameters => ({
		alpha: x[0],
		gamma: x[1],
		beta: withTrend ? x[2] : 0,
		phi: damped ? x[3] : 1,
		trend: withTrend,
	});
	const dims = withTrend ? (damped ? 4 : 3) : 2;
	const guess = (from ? [from.alpha, from.gamma, from.beta, from.phi] : [0.2, 0.1, 0.05, 0.95]).slice(0, dims);
	const lower = [1e-4, 0, 0, 0.8].slice(0, guess.length);
	const upper = [1, 1, 1, 0.98].slice(0, guess.length);
	const result = minimize((x) => holtWintersFilter(y, period, toParams(x), initial, start).sse, guess, {
		lower,
		upper,
		step: from ? 0.03 : 0.1,
		maxEvaluations: (from ? 20 : 60) * guess.length,
		tolerance: 1e-6,
	});
	return toParams(result.x);
}

/**
 * Seasonal exponential smoothing with parameters chosen by minimising the
 * one-step-ahead squared error; nothing is hand-tuned. Fits the first
 * (shortest) season only: a second season is the decomposition model's job.
 */
export function holtWinters(options: HoltWintersOptions = {}): ForecastModel {
	const withTrend = options.trend ?? true;
	const damped = options.damped ?? true;
	const name = withTrend ? (damped ? 'holt-winters-damped' : 'holt-winters') : 'holt-winters-level';
	return {
		name,
		fit(history, seasons) {
			const period = seasons.length > 0 ? seasons[0] : 1;
			if (history.length < 2 * period + 2) return null;
			const recent = estimationWindow(history, period);
			const initial = holtWintersInitialState(recent, period);
			return fitted(name, period, fitHoltWintersParameters(recent, period, options, initial), history, options);
		},
	};
}

function fitted(
	name: string,
	period: number,
	params: HoltWintersParameters,
	history: Float64Array,
	options: HoltWintersOptions,
): FittedModel {
	const { final } = holtWintersFilter(history, period, params, holtWintersInitialState(history, period));
	return {
		name,
		predict: (horizon) => holtWintersForecast(final, params, horizon),
		update: (longer) => fitted(name, period, params, longer, options),
		refit(longer) {
			if (longer.length < 2 * period + 2) return null;
			const recent = estimationWindow(longer, period);
			const initial = holtWintersInitialState(recent, period);
			return fitted(name, period, fitHoltWintersParameters(recent, period, options, initial, 0, params), longer, options);
		},
	};
}
