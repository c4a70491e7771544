import { minuteDemand, simulate } from '../../../src/simulate';
import { perfectForecaster } from '../../../src/simulate/perfect';

const T0 = Date.UTC(2024, 0, 1) / 1000;
const STEP = 300;

/** Five-minute demand: 100 for two hours, then 200 for one hour, over and over (a pod serves 50). */
function squareWave(days: number): { t: number[]; v: Array<number | null> } {
	const t: number[] = [];
	const v: Array<number | null> = [];
	for (let k = 0; k < (days * 86_400) / STEP; k++) {
		t.push(T0 + k * STEP);
		v.push(k % 36 < 24 ? 100 : 200);
	}
	return { t, v };
}

describe('the perfect forecast (benchmark bound)', () => {
	it('forecasts each future step as its highest minute of demand, every level alike', () => {
		const series = { t: [T0, T0 + 300, T0 + 600, T0 + 900], v: [10, 40, null, 30] };
		const forecaster = perfectForecaster(minuteDemand(series), STEP);
		const outcome = forecaster({ t: series.t.slice(0, 1), v: series.v.slice(0, 1) }, { horizon: 4, quantiles: [0.5, 0.9] });
		expect(outcome.points.map((p) => [p.t - T0, p.q['0.5'], p.q['0.9']])).toEqual([
			[300, 40, 40],
			// The gap has no demand to forecast; the step after the end of the data neither.
			[600, 0, 0],
			[900, 30, 30],
			[1200, 0, 0],
		]);
		expect(outcome.backtest.wape).toBe(0);
	});

	it('refuses a step that is not whole minutes', () => {
		expect(() => perfectForecaster(minuteDemand({ t: [T0, T0 + 300], v: [1, 2] }), 90)).toThrow('whole minutes');
	});

	it('through the same loop, gate and HPA leaves no minute short on a pattern it knows, where the reactive HPA is short at every rise', () => {
		const result = simulate(squareWave(3), {
			capacityPerPod: 50,
			minReplicas: 1,
			maxReplicas: 20,
			warmupSeconds: 86_400,
			historySeconds: 86_400,
			cronSeconds: 300,
			refitSeconds: 3600,
			scaleDownStabilizationSeconds: 0,
			perfectForecast: true,
		});
		const reactive = result.runs.reactive!.scores;
		const predictive = result.runs.predictive!.scores;
		// 16 rises over the two scored days, each short while the HPA notices and the pods start.
		expect(reactive.underProvisionedMinutes).toBeGreaterThanOrEqual(32);
		expect(predictive.underProvisionedMinutes).toBe(0);
		// Every floor went through the Policy Gate: only its apply verdicts moved the floor.
		expect(result.runs.predictive!.decisions.some((d) => d.decision === 'apply')).toBe(true);
	});

	it('aligned to steps and run one start-up before each boundary, the same protection costs fewer replica-hours; on a schedule not set up for it, nothing changes', () => {
		// A step pattern whose rises and falls alternate every step: a window of two steps pays for the higher one each time.
		const t: number[] = [];
		const v: Array<number | null> = [];
		for (let k = 0; k < (2 * 86_400) / STEP; k++) {
			t.push(T0 + k * STEP);
			v.push([100, 180, 60, 140, 220, 90][k % 6]);
		}
		const base = { capacityPerPod: 50, minReplicas: 1, maxReplicas: 20, warmupSeconds: 86_400, historySeconds: 86_400, cronSeconds: 300, refitSeconds: 3600, scaleDownStabilizationSeconds: 0, perfectForecast: true, policies: ['predictive' as const] };
		const ordinary = simulate({ t, v }, base).runs.predictive!;
		const aligned = simulate({ t, v }, { ...base, alignToStep: true, runOffsetSeconds: 210 }).runs.predictive!;
		const misconfigured = simulate({ t, v }, { ...base, alignToStep: true, runOffsetSeconds: 0 }).runs.predictive!;
		expect(ordinary.scores.underProvisionedMinutes).toBe(0);
		expect(aligned.scores.underProvisionedMinutes).toBe(0);
		expect(aligned.scores.replicaHours).toBeLessThan(0.9 * ordinary.scores.replicaHours);
		expect(aligned.decisions.every((d) => d.at % STEP === 210)).toBe(true);
		// Off the boundary every run falls back to the ordinary window: the same floors, the same scores.
		expect(misconfigured.decisions.map((d) => d.floor)).toEqual(ordinary.decisions.map((d) => d.floor));
		expect(misconfigured.scores).toEqual(ordinary.scores);
	});

	it('a replay that reads only the floors skips the gate where it could not apply, and lands on the same floors and scores', () => {
		const series = squareWave(3);
		// The policy's minimum (3) is above the HPA's (1): an unchanged proposal at 1 or 2 must still reach the gate, which raises it.
		const policy = { minReplicas: 3, maxReplicas: 20, maxStepUpPercent: 50, maxStepUpPods: 1, allowScaleIn: true, maxStepDownPercent: 25, cooldownSeconds: 600, approvalFactor: 10 };
		for (const extra of [{ policy }, { headroom: 0.3 }, { alignToStep: true, runOffsetSeconds: 210 }]) {
			const base = { capacityPerPod: 50, minReplicas: 1, maxReplicas: 20, warmupSeconds: 86_400, historySeconds: 86_400, cronSeconds: 300, perfectForecast: true, policies: ['predictive' as const], ...extra };
			const full = simulate(series, base).runs.predictive!;
			const floors = simulate(series, { ...base, floorsOnly: true }).runs.predictive!;
			expect(floors.decisions.map((d) => d.floor)).toEqual(full.decisions.map((d) => d.floor));
			expect(floors.scores).toEqual(full.scores);
			// Skipped ticks are holds; the gate still decided every change.
			expect(floors.decisions.filter((d) => d.decision === 'apply')).toEqual(full.decisions.filter((d) => d.decision === 'apply'));
			expect(floors.decisions.some((d) => d.gate.startsWith('change: not asked'))).toBe(true);
		}
	});

	it('refuses a run offset outside the interval or off the sync period', () => {
		const series = squareWave(2);
		for (const runOffsetSeconds of [-15, 300, 7]) {
			expect(() => simulate(series, { capacityPerPod: 50, warmupSeconds: 86_400, cronSeconds: 300, runOffsetSeconds })).toThrow(/run offset must be whole sync periods/);
		}
	});
});
