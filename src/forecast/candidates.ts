import { ets, mstlEts, mstlTheta, theta } from './models/decompositionModel';
import { holtWinters } from './models/holtWinters';
import { logTransformed } from './models/logTransformed';
import type { ForecastModel } from './models/model';
import { sarima } from './models/sarima';
import { seasonalAr } from './models/seasonalAr';
import { seasonalNaive } from './models/seasonalNaive';

const MEAN_REVERTING_ORDERS = [
	{ p: 1, d: 0, q: 1, P: 0, D: 1, Q: 1 },
	{ p: 2, d: 0, q: 0, P: 0, D: 1, Q: 1 },
	{ p: 3, d: 0, q: 0, P: 0, D: 1, Q: 1 },
];

/** A model together with the seasons it is given; the name says both, e.g. `mstl-ets[24,168]`. */
export interface Candidate {
	name: string;
	model: ForecastModel;
	seasons: number[];
}

function candidate(model: ForecastModel, seasons: number[]): Candidate {
	return { name: seasons.length > 0 ? `${model.name}[${seasons.join(',')}]` : model.name, model, seasons };
}

/**
 * The pool the backtest chooses from. Each family appears on raw and on log
 * values (log turns proportional daily swings into additive ones); the
 * decomposition models get every season and, when there are several, the
 * shortest alone, so a weekly cycle that does not help can be dropped.
 */
export function candidateModels(seasons: readonly number[], positive: boolean): Candidate[] {
	const all = [...seasons].sort((a, b) => a - b);
	const out: Candidate[] = [];
	const both = (model: ForecastModel, s: number[]): void => {
		out.push(candidate(model, s));
		if (positive) out.push(candidate(logTransformed(model), s));
	};
	if (all.length === 0) {
		out.push({ name: 'naive', model: seasonalNaive(), seasons: [] });
		both(ets(), []);
		both(theta(), []);
		both(sarima({ order: { p: 0, d: 1, q: 1, P: 0, D: 0, Q: 0 } }), []);
		return out;
	}
	const shortest = [all[0]];
	out.push(candidate(seasonalNaive(), shortest));
	if (all.length > 1) out.push(candidate(seasonalNaive(), [all[1]]));
	both(holtWinters({ trend: false }), shortest);
	both(holtWinters({ trend: true, damped: true }), shortest);
	both(sarima(), shortest);
	// Stationary short-term dynamics on top of the seasonal difference: after a disturbance these revert to
	// the recent cycle instead of carrying the disturbance forward as the airline model's d = 1 does.
	for (const order of MEAN_REVERTING_ORDERS) both(sarima({ order }), shortest);
	// Raw values only: on logs the step-by-step recursion compounds its errors (holdout MASE 2.3 alone, no gain in the pool).
	out.push(candidate(seasonalAr(), shortest));
	out.push(candidate(seasonalAr({ weekly: true }), shortest));
	both(mstlEts(), all);
	both(mstlTheta(), all);
	if (all.length > 1) {
		both(mstlEts(), shortest);
		both(mstlTheta(), shortest);
	}
	return out;
}
