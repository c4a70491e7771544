import type { FittedModel, ForecastModel } from './model';

/** Log values by history array, so the log variants of several models share one transform (and its decomposition). */
const logs = new WeakMap<Float64Array, Float64Array | null>();

function logOf(history: Float64Array): Float64Array | null {
	let result = logs.get(history);
	if (result === undefined) {
		result = history.every((v) => v > 0) ? history.map(Math.log) : null;
		logs.set(history, result);
	}
	return result;
}

/**
 * Fits the wrapped model on log values, turning additive seasonality into
 * multiplicative: daily peaks that scale with the level stay proportional.
 * Only for strictly positive histories.
 */
export function logTransformed(model: ForecastModel): ForecastModel {
	const name = `log-${model.name}`;
	const wrap = (inner: FittedModel | null): FittedModel | null =>
		inner && {
			name,
			predict: (horizon) => inner.predict(horizon).map(Math.exp),
			update(history, seasons) {
				const logged = logOf(history);
				if (!logged) return null;
				return wrap(inner.update ? inner.update(logged, seasons) : model.fit(logged, seasons));
			},
			refit(history, seasons) {
				const logged = logOf(history);
				if (!logged) return null;
				return wrap(inner.refit ? inner.refit(logged, seasons) : model.fit(logged, seasons));
			},
		};
	return {
		name,
		fit(history, seasons) {
			const logged = logOf(history);
			return logged ? wrap(model.fit(logged, seasons)) : null;
		},
	};
}
