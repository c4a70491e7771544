import { linearFit } from '../stats';
import { fitSimpleExponentialSmoothing, simpleExponentialSmoothing, type TrendFit } from './exponentialSmoothing';

export interface ThetaFit extends TrendFit {
	alpha: number;
	level: number;
	drift: number;
}

/**
 * Standard Theta method (Assimakopoulos & Nikolopoulos, 2000) on a
 * non-seasonal series, in its SES-with-drift form (Hyndman & Billah, 2003):
 * simple exponential smoothing plus half the slope of the least-squares line.
 */
export function fitTheta(y: ArrayLike<number>): ThetaFit {
	const ses = fitSimpleExponentialSmoothing(y);
	return theta(y, ses.alpha, ses.level0);
}

function theta(y: ArrayLike<number>, alpha: number, level0: number): ThetaFit {
	const ses = simpleExponentialSmoothing(y, alpha, level0);
	const drift = linearFit(y).slope / 2;
	const level = ses.level;
	// The drift starts small after the last level update and grows to its full size, as the theta lines imply.
	const offset = 1 / alpha - (1 - alpha) ** y.length / alpha;
	return {
		form: 'theta',
		alpha,
		level,
		drift,
		aicc: ses.aicc,
		predict(horizon) {
			const out = new Float64Array(horizon);
			for (let h = 1; h <= horizon; h++) out[h - 1] = level + drift * (h - 1 + offset);
			return out;
		},
		update: (longer) => theta(longer, alpha, level0),
	};
}
