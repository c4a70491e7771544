import { minimize } from '../optimize';
import { linearFit, variance } from '../stats';

/**
 * Non-seasonal exponential smoothing for seasonally adjusted series: simple
 * (level only) and damped-trend Holt, parameters fitted by least squares and
 * the form picked by AICc, in the spirit of AutoETS restricted to additive
 * errors and no season (the seasons are handled by the decomposition).
 */

export interface TrendFit {
	readonly form: string;
	/** Corrected Akaike information criterion, for choosing between forms. */
	readonly aicc: number;
	predict(horizon: number): Float64Array;
	/** Same parameters, states re-run over a longer history with the same start. */
	update(y: ArrayLike<number>): TrendFit;
}

export function simpleExponentialSmoothingSse(
	y: ArrayLike<number>,
	alpha: number,
	level0: number,
): { sse: number; level: number } {
	let level = level0;
	let sse = 0;
	for (let t = 0; t < y.length; t++) {
		const error = y[t] - level;
		sse += error * error;
		level += alpha * error;
	}
	return { sse, level };
}

function aicc(sse: number, n: number, parameters: number): number {
	const k = parameters + 1;
	const logLik = n * Math.log(Math.max(sse, 1e-300) / n);
	return logLik + 2 * k + (n - k - 1 > 0 ? (2 * k * (k + 1)) / (n - k - 1) : Infinity);
}

export interface SimpleExponentialSmoothingFit extends TrendFit {
	alpha: number;
	level0: number;
	/** Level after the last observation. */
	level: number;
}

export function simpleExponentialSmoothing(y: ArrayLike<number>, alpha: number, level0: number): SimpleExponentialSmoothingFit {
	const { sse, level } = simpleExponentialSmoothingSse(y, alpha, level0);
	return {
		form: 'ses',
		alpha,
		level0,
		level,
		aicc: aicc(sse, y.length, 2),
		predict: (horizon) => new Float64Array(horizon).fill(level),
		update: (longer) => simpleExponentialSmoothing(longer, alpha, level0),
	};
}

export function fitSimpleExponentialSmoothing(y: ArrayLike<number>): SimpleExponentialSmoothingFit {
	const scale = Math.sqrt(variance(y)) || Math.abs(y[0]) || 1;
	const result = minimize((x) => simpleExponentialSmoothingSse(y, x[0], x[1]).sse, [0.3, y[0]], {
		lower: [1e-4, -Infinity],
		upper: [0.9999, Infinity],
		step: [0.2, 0.2 * scale],
		maxEvaluations: 120,
		tolerance: 1e-7,
	});
	return simpleExponentialSmoothing(y, result.x[0], result.x[1]);
}

interface DampedParameters {
	alpha: number;
	beta: number;
	phi: number;
	level0: number;
	trend0: number;
}

function dampedHoltSse(y: ArrayLike<number>, p: DampedParameters): { sse: number; level: number; trend: number } {
	let level = p.level0;
	let trend = p.trend0;
	let sse = 0;
	for (let t = 0; t < y.length; t++) {
		const damped = p.phi * trend;
		const error = y[t] - level - damped;
		sse += error * error;
		const previous = level;
		level = level + damped + p.alpha * error;
		trend = p.beta * (level - previous) + (1 - p.beta) * damped;
	}
	return { sse, level, trend };
}

function dampedHolt(y: ArrayLike<number>, p: DampedParameters): TrendFit {
	const state = dampedHoltSse(y, p);
	return {
		form: 'damped-holt',
		aicc: aicc(state.sse, y.length, 5),
		predict(horizon) {
			const out = new Float64Array(horizon);
			let damping = 1;
			let sum = 0;
			for (let h = 0; h < horizon; h++) {
				damping *= p.phi;
				sum += damping;
				out[h] = state.level + sum * state.trend;
			}
			return out;
		},
		update: (longer) => dampedHolt(longer, p),
	};
}

export function fitDampedHolt(y: ArrayLike<number>): TrendFit {
	const head = Array.prototype.slice.call(y, 0, Math.min(y.length, 10)) as number[];
	const line = linearFit(head);
	const level0 = line.intercept - line.slope;
	const trend0 = line.slope;
	const toParameters = (x: number[]): DampedParameters => ({ alpha: x[0], beta: x[1] * x[0], phi: x[2], level0, trend0 });
	const result = minimize((x) => dampedHoltSse(y, toParameters(x)).sse, [0.3, 0.1, 0.95], {
		lower: [1e-4, 0, 0.8],
		upper: [0.9999, 1, 0.98],
		step: 0.1,
		maxEvaluations: 180,
		tolerance: 1e-7,
	});
	return dampedHolt(y, toParameters(result.x));
}

/** Picks simple or damped-trend smoothing by AICc. */
export function fitAutoEts(y: ArrayLike<number>): TrendFit {
	const simple = fitSimpleExponentialSmoothing(y);
	if (y.length < 10) return simple;
	const damped = fitDampedHolt(y);
	return damped.aicc < simple.aicc ? damped : simple;
}
