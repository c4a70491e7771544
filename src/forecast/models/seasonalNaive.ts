import type { ForecastModel } from './model';

/** Repeats the last observed cycle of the first season given; with no season, the last value (naive). */
export function seasonalNaive(): ForecastModel {
	return {
		name: 'seasonal-naive',
		fit(history, seasons) {
			const period = seasons.length > 0 ? seasons[0] : 1;
			if (history.length < period) return null;
			const lastCycle = history.slice(history.length - period);
			return {
				name: period > 1 ? 'seasonal-naive' : 'naive',
				predict(horizon) {
					const out = new Float64Array(horizon);
					for (let h = 0; h < horizon; h++) out[h] = lastCycle[h % period];
					return out;
				},
			};
		},
	};
}
