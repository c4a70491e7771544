import { minimize } from '../optimize';
import { estimationWindow } from './estimationWindow';
import type { FittedModel, ForecastModel } from './model';

export interface SarimaOrder {
	p: number;
	d: number;
	q: number;
	P: number;
	D: number;
	Q: number;
}

export interface SarimaCoefficients {
	ar: number[];
	ma: number[];
	seasonalAr: number[];
	seasonalMa: number[];
}

export interface SarimaFit {
	coefficients: SarimaCoefficients;
	/** Conditional sum of squares of the innovations. */
	css: number;
	/** Innovation variance, css over the number of innovations. */
	sigma2: number;
	/** Innovations counted in css. */
	count: number;
}

/**
 * Product of a non-seasonal and a seasonal lag polynomial, as sparse (lag,
 * coefficient) pairs sorted by lag. It runs at every step of the CSS search,
 * so it writes the few products directly instead of through a dense array.
 */
function expand(regular: number[], seasonal: number[], period: number): { lags: Int32Array; coefs: Float64Array } {
	const size = (regular.length + 1) * (seasonal.length + 1) - 1;
	const lags = new Int32Array(size);
	const coefs = new Float64Array(size);
	if (regular.length >= period) return expandDense(regular, seasonal, period);
	let k = 0;
	for (let j = 0; j <= seasonal.length; j++) {
		const outer = j === 0 ? 1 : seasonal[j - 1];
		for (let i = 0; i <= regular.length; i++) {
			if (i === 0 && j === 0) continue;
			lags[k] = i + j * period;
			coefs[k++] = outer * (i === 0 ? 1 : regular[i - 1]);
		}
	}
	return { lags, coefs };
}

/** The general case, where a regular lag can reach the seasonal one and terms must be summed. */
function expandDense(regular: number[], seasonal: number[], period: number): { lags: Int32Array; coefs: Float64Array } {
	const dense = new Float64Array(regular.length + seasonal.length * period + 1);
	const regularPoly = [1, ...regular];
	const seasonalPoly = [1, ...seasonal];
	for (let i = 0; i < regularPoly.length; i++) {
		for (let j = 0; j < seasonalPoly.length; j++) dense[i + j * period] += regularPoly[i] * seasonalPoly[j];
	}
	const lags: number[] = [];
	const coefs: number[] = [];
	for (let lag = 1; lag < dense.length; lag++) {
		if (dense[lag] !== 0) {
			lags.push(lag);
			coefs.push(dense[lag]);
		}
	}
	return { lags: Int32Array.from(lags), coefs: Float64Array.from(coefs) };
}

/** Applies (1 - B)^d (1 - B^s)^D. */
export function difference(y: ArrayLike<number>, d: number, seasonalD: number, period: number): Float64Array {
	let current = Float64Array.from(y);
	for (let k = 0; k < seasonalD; k++) {
		const next = new Float64Array(Math.max(0, current.length - period));
		for (let t = period; t < current.length; t++) next[t - period] = current[t] - current[t - period];
		current = next;
	}
	for (let k = 0; k < d; k++) {
		const next = new Float64Array(Math.max(0, current.length - 1));
		for (let t = 1; t < current.length; t++) next[t - 1] = current[t] - current[t - 1];
		current = next;
	}
	return current;
}

/**
 * Innovations of an ARMA model on an already differenced series, conditioning
 * on zero innovations before the start (the CSS approach of Box & Jenkins).
 * Sign convention as R: w_t = sum ar_i w_{t-i} + e_t + sum ma_j e_{t-j}.
 */
function innovations(
	w: Float64Array,
	coefficients: SarimaCoefficients,
	period: number,
	residuals: Float64Array,
): { css: number; count: number } {
	const arPoly = expand(coefficients.ar, coefficients.seasonalAr, period);
	const maPoly = expand(coefficients.ma, coefficients.seasonalMa, period);
	const arLags = arPoly.lags;
	const arCoefs = arPoly.coefs;
	const maLags = maPoly.lags;
	const maCoefs = maPoly.coefs;
	const arStart = arLags.length > 0 ? arLags[arLags.length - 1] : 0;
	const maReach = maLags.length > 0 ? maLags[maLags.length - 1] : 0;
	let css = 0;
	let count = 0;
	residuals.fill(0, 0, Math.min(arStart, residuals.length));
	for (let t = arStart; t < w.length; t++) {
		let e = w[t];
		// AR polynomial is 1 - sum ar B^i, its expansion carries the signs.
		for (let k = 0; k < arLags.length; k++) e += arCoefs[k] * w[t - arLags[k]];
		if (t >= maReach) {
			for (let k = 0; k < maLags.length; k++) e -= maCoefs[k] * residuals[t - maLags[k]];
		} else {
			for (let k = 0; k < maLags.length; k++) {
				const lag = maLags[k];
				if (t - lag >= 0) e -= maCoefs[k] * residuals[t - lag];
			}
		}
		residuals[t] = e;
		css += e * e;
		count++;
	}
	return { css, count };
}

function unpack(x: number[], order: SarimaOrder): SarimaCoefficients {
	let i = 0;
	const take = (k: number): number[] => x.slice(i, (i += k));
	return { ar: take(order.p), ma: take(order.q), seasonalAr: take(order.P), seasonalMa: take(order.Q) };
}

/** The AR parts enter expand() as 1 - sum ar B^i, so their signs flip there. */
function forExpansion(c: SarimaCoefficients): SarimaCoefficients {
	return { ar: c.ar.map((v) => -v), ma: c.ma, seasonalAr: c.seasonalAr.map((v) => -v), seasonalMa: c.seasonalMa };
}

/** Fits SARIMA coefficients by conditional sum of squares; `from` (earlier coefficients) starts a shorter, narrower search. */
export function fitSarimaCss(
	y: ArrayLike<number>,
	order: SarimaOrder,
	period: number,
	from?: SarimaCoefficients,
): SarimaFit | null {
	const w = difference(y, order.d, order.D, period);
	const dims = order.p + order.q + order.P + order.Q;
	const maxLag = order.p + order.q + (order.P + order.Q) * period;
	if (w.length < maxLag + 10) return null;
	const residuals = new Float64Array(w.length);
	const objective = (x: number[]): number =>
		innovations(w, forExpansion(unpack(x, order)), period, residuals).css;
	let x: number[] = [];
	if (dims > 0) {
		const bound = 0.99;
		const start = from
			? [...from.ar, ...from.ma, ...from.seasonalAr, ...from.seasonalMa]
			: new Array<number>(dims).fill(0.1).map((v, i) => (i < order.p ? v : -v));
		x = minimize(objective, start, {
			lower: new Array<number>(dims).fill(-bound),
			upper: new Array<number>(dims).fill(bound),
			step: from ? 0.03 : 0.2,
			maxEvaluations: (from ? 12 : 80) * dims,
			tolerance: 1e-7,
		}).x;
	}
	const coefficients = unpack(x, order);
	const { css, count } = innovations(w, forExpansion(coefficients), period, residuals);
	return { coefficients, css, sigma2: css / Math.max(1, count), count };
}

/** Point forecasts: future innovations at zero, then undo the differencing. */
export function sarimaForecast(
	y: ArrayLike<number>,
	order: SarimaOrder,
	period: number,
	coefficients: SarimaCoefficients,
	horizon: number,
): Float64Array {
	const w = difference(y, order.d, order.D, period);
	const residuals = new Float64Array(w.length);
	const expanded = forExpansion(coefficients);
	innovations(w, expanded, period, residuals);
	const arPoly = expand(expanded.ar, expanded.seasonalAr, period);
	const maPoly = expand(expanded.ma, expanded.seasonalMa, period);
	const wExt = new Float64Array(w.length + horizon);
	wExt.set(w);
	for (let h = 0; h < horizon; h++) {
		const t = w.length + h;
		let value = 0;
		for (let k = 0; k < arPoly.lags.length; k++) {
			const lag = arPoly.lags[k];
			if (t - lag >= 0) value -= arPoly.coefs[k] * wExt[t - lag];
		}
		for (let k = 0; k < maPoly.lags.length; k++) {
			const lag = maPoly.lags[k];
			if (t - lag >= 0 && t - lag < w.length) value += maPoly.coefs[k] * residuals[t - lag];
		}
		wExt[t] = value;
	}
	return integrate(y, order, period, wExt.subarray(w.length));
}

/** Inverts the differencing of `difference` for future values. */
function integrate(y: ArrayLike<number>, order: SarimaOrder, period: number, future: Float64Array): Float64Array {
	// Rebuild the chain of partially differenced histories so each level can be undone in turn.
	const levels: Float64Array[] = [Float64Array.from(y)];
	for (let k = 0; k < order.D; k++) levels.push(difference(levels[levels.length - 1], 0, 1, period));
	for (let k = 0; k < order.d; k++) levels.push(difference(levels[levels.length - 1], 1, 0, period));
	let current = future;
	for (let level = levels.length - 2; level >= 0; level--) {
		const base = levels[level];
		const lag = level >= order.D ? 1 : period;
		const extended = new Float64Array(base.length + current.length);
		extended.set(base);
		for (let h = 0; h < current.length; h++) {
			const t = base.length + h;
			extended[t] = current[h] + extended[t - lag];
		}
		current = extended.subarray(base.length);
	}
	return Float64Array.from(current);
}

export interface SarimaOptions {
	order?: SarimaOrder;
}

/** Box-Jenkins airline model by default: SARIMA(0,1,1)(0,1,1) on the shortest season. */
export function sarima(options: SarimaOptions = {}): ForecastModel {
	const order = options.order ?? { p: 0, d: 1, q: 1, P: 0, D: 1, Q: 1 };
	const name = `sarima(${order.p},${order.d},${order.q})(${order.P},${order.D},${order.Q})`;
	return {
		name,
		fit(history, seasons) {
			const period = seasons.length > 0 ? seasons[0] : 1;
			const effective = period > 1 ? order : { ...order, P: 0, D: 0, Q: 0 };
			if (history.length < 3 * period) return null;
			const fit = fitSarimaCss(estimationWindow(history, period), effective, period);
			return fit ? fitted(name, effective, period, fit.coefficients, history) : null;
		},
	};
}

function fitted(
	name: string,
	order: SarimaOrder,
	period: number,
	coefficients: SarimaCoefficients,
	history: Float64Array,
): FittedModel {
	return {
		name,
		predict: (horizon) => sarimaForecast(history, order, period, coefficients, horizon),
		update: (longer) => fitted(name, order, period, coefficients, longer),
		refit(longer) {
			const fit = fitSarimaCss(estimationWindow(longer, period), order, period, coefficients);
			return fit ? fitted(name, order, period, fit.coefficients, longer) : null;
		},
	};
}
