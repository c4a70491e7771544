import type { ForecastOutcome } from './types';

/**
 * The `kube-ops forecast --json` document: timestamps as ISO 8601. A
 * NoForecast keeps the same keys (model null, no points) plus its reason, so
 * consumers never mistake it for a forecast of zero.
 */
export function forecastToJson(outcome: ForecastOutcome): Record<string, unknown> {
	if (outcome.kind === 'forecast') {
		return {
			model: outcome.model,
			seasons: outcome.seasons,
			intervalSeconds: outcome.intervalSeconds,
			points: outcome.points.map((p) => ({ t: new Date(p.t * 1000).toISOString(), mean: p.mean, q: p.q })),
			backtest: outcome.backtest,
			history: outcome.history,
		};
	}
	return {
		model: null,
		reason: outcome.reason,
		seasons: outcome.seasons,
		intervalSeconds: outcome.intervalSeconds,
		points: [],
		backtest: outcome.backtest ?? null,
		history: outcome.history,
	};
}
