import { alignedOffset, cooldownNote, paretoFrontier, policyYaml, scheduleCron, tunedPolicy, type Scores, type TunePoint } from '../../../src/simulate';
import { validatePolicy } from '../../../src/policy';

function point(under: number, hours: number, quantile = 0.5): TunePoint {
	const scores: Scores = { underProvisionedMinutes: under, underProvisionedShare: under / 1000, unservedDemand: 0, replicaHours: hours, peakReplicas: 1, scaleEvents: 0 };
	return {
		settings: { quantile, headroom: 0, extraLeadSeconds: 0, maxStepDownPercent: 100, scaleDownStabilizationSeconds: 300, refitSeconds: 3600, runIntervalSeconds: 900, alignToStep: false, runOffsetSeconds: 0 },
		tune: scores,
		score: scores,
	};
}

describe('the tuner frontier', () => {
	it('keeps the settings no other beats on both short minutes and replica-hours, cheapest first', () => {
		const points = [point(50, 100), point(40, 110), point(45, 120), point(10, 150), point(10, 160), point(60, 100)];
		expect(paretoFrontier(points).map((p) => [p.tune.underProvisionedMinutes, p.tune.replicaHours])).toEqual([
			[50, 100],
			[40, 110],
			[10, 150],
		]);
	});
});

describe('the tuned policy', () => {
	it('is the base policy with the tuned scale-in step, valid as it prints', () => {
		const base = validatePolicy({ minReplicas: 2, maxReplicas: 40, cooldownSeconds: 600 });
		if (!base.ok) throw new Error('base policy invalid');
		const tuned = tunedPolicy(base.policy, { maxStepDownPercent: 25 });
		expect(tuned).toMatchObject({ minReplicas: 2, maxReplicas: 40, cooldownSeconds: 600, allowScaleIn: true, maxStepDownPercent: 25, accuracyGate: { maxWape: 0.25 } });
		expect(validatePolicy(tuned).ok).toBe(true);
		expect(policyYaml(tuned)).toContain('allowScaleIn: true\nmaxStepDownPercent: 25\ncooldownSeconds: 600\napprovalFactor: 10\naccuracyGate:\n  maxWape: 0.25\n');
		expect(tunedPolicy(base.policy, { maxStepDownPercent: 0 }).allowScaleIn).toBe(false);
	});
});

describe('the aligned schedule', () => {
	it('runs one lead before a multiple of the run interval, on a sync, and prints as a cron with seconds', () => {
		expect(alignedOffset(300, 90)).toBe(210);
		expect(alignedOffset(900, 90)).toBe(810);
		// 100 s of lead: 200 s past, rounded down to the 15 s sync (5 s early is within the grace).
		expect(alignedOffset(300, 100)).toBe(195);
		expect(alignedOffset(300, 300)).toBe(0);
		expect(scheduleCron(300, 210)).toBe('30 3-59/5 * * * *');
		expect(scheduleCron(900, 810)).toBe('30 13-59/15 * * * *');
		expect(scheduleCron(60, 30)).toBe('30 * * * * *');
		// Not expressible as one cron line: said, not guessed.
		expect(scheduleCron(420, 0)).toBeNull();
		expect(scheduleCron(300, 300)).toBeNull();
	});
});

describe('the cooldown note', () => {
	it('warns when the cooldown is one run interval (jitter would hold every early run), and changes nothing itself', () => {
		const base = validatePolicy({ minReplicas: 2, maxReplicas: 40, cooldownSeconds: 300 });
		if (!base.ok) throw new Error('base policy invalid');
		const settings = point(0, 0).settings;
		expect(cooldownNote(base.policy, { ...settings, runIntervalSeconds: 300 }).join(' ')).toMatch(/cooldownSeconds \(300\) is within 30 s of the run interval \(300 s\).*e\.g\. 270/);
		expect(cooldownNote(base.policy, { ...settings, runIntervalSeconds: 900 })).toEqual([]);
		expect(base.policy.cooldownSeconds).toBe(300);
	});
});
