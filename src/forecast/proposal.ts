import type { ScaleProposal, Target } from '../policy/types';
import type { ReplicaRecommendation } from './replicas';
import type { ForecastOutcome } from './types';

export interface ProposalContext {
	target: Target;
	currentReplicas: number;
	outcome: ForecastOutcome;
	recommendation: ReplicaRecommendation;
	replicas: { perPodCapacity: number; headroom: number; leadSeconds: number; windowSeconds: number; quantile: number };
}

/**
 * A scale proposal for the Policy Gate (src/policy/README.md). Without a
 * recommendation it proposes the current count with the reason: the gate
 * holds a no-change proposal, so "no forecast" is recorded as a decision and
 * can never turn into 0 replicas. Percentages are fractions here (the gate
 * reads evidence.backtest.mape as 0.07, not 7).
 */
export function scaleProposal(context: ProposalContext): ScaleProposal {
	const { target, currentReplicas, outcome, recommendation, replicas } = context;
	const backtest = outcome.backtest
		? dropNonFinite({
				mape: outcome.backtest.mape / 100,
				wape: outcome.backtest.wape / 100,
				mase: outcome.backtest.mase,
				underForecastRate: outcome.backtest.underForecastRate,
				p90Coverage: outcome.backtest.p90Coverage,
				origins: outcome.backtest.origins,
				horizonSteps: outcome.backtest.horizon,
				baselineMase: outcome.backtest.baseline.mase,
			})
		: undefined;
	const forecast =
		outcome.kind === 'forecast'
			? {
					model: outcome.model,
					seasons: outcome.seasons,
					intervalSeconds: outcome.intervalSeconds,
					horizonSteps: outcome.points.length,
					start: iso(outcome.points[0].t),
					historyPoints: outcome.history.points,
				}
			: { noForecast: outcome.reason };
	if (recommendation.kind !== 'replicas') {
		return {
			action: 'scale',
			source: 'forecast',
			target,
			current: { replicas: currentReplicas },
			proposed: { replicas: currentReplicas },
			rationale: `no recommendation, keep ${currentReplicas}: ${recommendation.reason}`,
			evidence: { ...(backtest ? { backtest } : {}), forecast, noRecommendation: recommendation.reason },
		};
	}
	const q = `p${Math.round(recommendation.quantile * 1000) / 10}`;
	return {
		action: 'scale',
		source: 'forecast',
		target,
		current: { replicas: currentReplicas },
		proposed: { replicas: recommendation.replicas },
		rationale:
			`${q} demand ${round(recommendation.demand)} between ${iso(recommendation.from)} and ${iso(recommendation.to)}` +
			` / ${replicas.perPodCapacity} per pod x ${1 + replicas.headroom} headroom -> ${recommendation.replicas} replicas` +
			(recommendation.clamped ? ' (clamped to the min/max replicas)' : '') +
			(outcome.kind === 'forecast' ? `; model ${outcome.model}` : '') +
			(backtest?.mape !== undefined ? `, backtest MAPE ${(100 * backtest.mape).toFixed(1)}%` : ''),
		evidence: {
			...(backtest ? { backtest } : {}),
			forecast: {
				...forecast,
				demand: recommendation.demand,
				from: iso(recommendation.from),
				to: iso(recommendation.to),
				clamped: recommendation.clamped,
				...replicas,
			},
		},
	};
}

function dropNonFinite(values: Record<string, number>): Record<string, number> {
	return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}

function round(value: number): number {
	return Number(value.toPrecision(4));
}

function iso(seconds: number): string {
	return new Date(seconds * 1000).toISOString();
}
