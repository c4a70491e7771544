import type { ForecastResult } from '../../../src/forecast';
import { floorProposal, floorRecommendation, resolvePreScaleSettings, PreScaleSettingsError } from '../../../src/prescale';

const T0 = 1_700_000_000;

/** A forecast of 12 five-minute steps after T0 whose 0.9 quantile rises by 10 per step. */
function outcome(): ForecastResult {
	return {
		kind: 'forecast',
		model: 'test',
		seasons: [],
		intervalSeconds: 300,
		points: Array.from({ length: 12 }, (_, h) => ({ t: T0 + (h + 1) * 300, mean: 100 + 10 * h, q: { '0.5': 100 + 10 * h, '0.9': 110 + 10 * h } })),
		backtest: { mase: 0.5, smape: 5, mape: 6, wape: 5, underForecastRate: 0.4, origins: 3, calibrationWindows: 8, horizon: 12, p90Coverage: 0.9, baseline: { model: 'naive', mase: 1, smape: 9, mape: 9, wape: 9, underForecastRate: 0.5 }, candidates: [] },
		history: { points: 600, gaps: 0, outliers: 0 },
	};
}

const settings = resolvePreScaleSettings({ perPodCapacity: 10, headroom: 0, quantile: 0.9, podStartupSeconds: 90, runIntervalSeconds: 900 });

describe('the one pre-scaling pipeline', () => {
	it('covers [now + start-up + extra lead, + run interval] at the replica quantile', () => {
		const now = T0 + 300;
		const plain = floorRecommendation(outcome(), settings, { now, lastObserved: T0 });
		// The window [T0+390, T0+1290] meets the steps at T0+300 (held until T0+600) to T0+1200: the highest q0.9 is 140.
		expect(plain).toMatchObject({ kind: 'replicas', replicas: 14, demand: 140, from: now + 90, to: now + 990 });
		const later = floorRecommendation(outcome(), { ...settings, extraLeadSeconds: 900 }, { now, lastObserved: T0 });
		expect(later).toMatchObject({ kind: 'replicas', replicas: 17, demand: 170, from: now + 990, to: now + 1890 });
	});

	it('gives no floor when the newest point is stale at the decision time, whoever calls it', () => {
		const stale = floorRecommendation(outcome(), settings, { now: T0 + 3600, lastObserved: T0 });
		expect(stale).toMatchObject({ kind: 'no-recommendation' });
		expect((stale as { reason: string }).reason).toMatch(/^stale data: the newest point is from .*60 min before the decision time/);
	});

	it('proposes with the backtest the accuracy gate reads, as fractions', () => {
		const recommendation = floorRecommendation(outcome(), settings, { now: T0 + 300, lastObserved: T0 });
		const proposal = floorProposal({ cluster: 'c', namespace: 'shop', kind: 'Deployment', name: 'web' }, 12, outcome(), recommendation, settings);
		expect(proposal).toMatchObject({ proposed: { replicas: 14 }, evidence: { backtest: { mape: 0.06, wape: 0.05, mase: 0.5 }, forecast: { leadSeconds: 90, windowSeconds: 900, quantile: 0.9 } } });
	});

	it('names every bad setting', () => {
		expect(() => resolvePreScaleSettings({ perPodCapacity: 0, quantile: 1, extraLeadSeconds: -1 })).toThrow(PreScaleSettingsError);
		expect(() => resolvePreScaleSettings({ perPodCapacity: 0, quantile: 1, extraLeadSeconds: -1 })).toThrow(/per-pod capacity .*; the replica quantile .*; the extra lead/);
	});

	it('aligned to steps, the node, the replay and the tuner read the same window; a non-boolean is refused by name', () => {
		const aligned = resolvePreScaleSettings({ perPodCapacity: 10, headroom: 0, quantile: 0.9, podStartupSeconds: 90, runIntervalSeconds: 300, alignToStep: true });
		// now + start-up = T0 + 300, a step boundary: only the step at T0 + 300 (q0.9 110), not the one at T0 + 600 (120).
		expect(floorRecommendation(outcome(), aligned, { now: T0 + 210, lastObserved: T0 })).toMatchObject({ replicas: 11, demand: 110, from: T0 + 300, to: T0 + 600, aligned: true });
		expect(resolvePreScaleSettings({ perPodCapacity: 10 }).alignToStep).toBe(false);
		for (const alignToStep of ['true', 1, null]) {
			expect(() => resolvePreScaleSettings({ perPodCapacity: 10, alignToStep: alignToStep as unknown as boolean })).toThrow(/align to step must be true or false/);
		}
	});
});
