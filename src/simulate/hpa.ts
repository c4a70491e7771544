/**
 * The Kubernetes HorizontalPodAutoscaler (autoscaling/v2) as documented in
 * "Horizontal Pod Autoscaling" (kubernetes.io/docs/tasks/run-application/
 * horizontal-pod-autoscale/), reduced to one Pods-type average metric:
 *
 * - desiredReplicas = ceil(currentReplicas * currentMetricValue / desiredMetricValue), skipped when the ratio is
 *   within the tolerance (0.1);
 * - pods not yet ready are set aside; when they would change a scale-up, they count as using 0 % of the target,
 *   and a recomputed ratio that is within the tolerance or reverses the direction means no scaling;
 * - current replicas outside [min, max] are brought to the bound without looking at the metric;
 * - behaviour: stabilisation windows (scale-down: the highest recommendation of the last 300 s) and rate
 *   policies (scale-up: 100 % or 4 pods per 15 s, whichever is larger).
 *
 * Pure apart from its own memory of recommendations and scale events, which the
 * controller keeps too; time is passed in.
 */

export interface ScalingPolicy {
	type: 'Pods' | 'Percent';
	value: number;
	periodSeconds: number;
}

export interface ScalingRules {
	stabilizationWindowSeconds: number;
	/** Max: the policy allowing the largest change wins (the default); Min: the smallest; Disabled: no scaling this way. */
	selectPolicy: 'Max' | 'Min' | 'Disabled';
	policies: ScalingPolicy[];
}

export interface HpaBehavior {
	scaleUp: ScalingRules;
	scaleDown: ScalingRules;
}

/** The defaults Kubernetes applies when an HPA has no `behavior`. */
export const DEFAULT_HPA_BEHAVIOR: HpaBehavior = {
	scaleUp: {
		stabilizationWindowSeconds: 0,
		selectPolicy: 'Max',
		policies: [
			{ type: 'Percent', value: 100, periodSeconds: 15 },
			{ type: 'Pods', value: 4, periodSeconds: 15 },
		],
	},
	scaleDown: {
		stabilizationWindowSeconds: 300,
		selectPolicy: 'Max',
		policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
	},
};

/** --horizontal-pod-autoscaler-tolerance and --horizontal-pod-autoscaler-sync-period defaults. */
export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_SYNC_SECONDS = 15;

export interface MetricReading {
	/** Average of the metric over the pods that report it (the ready ones). */
	averageValue: number;
	/** The HPA's target average value per pod. */
	targetAverageValue: number;
	readyPods: number;
	/** Pods that exist but are not ready yet (starting). */
	unreadyPods: number;
}

/**
 * The replica calculator for an average-value metric: the count the metric
 * asks for, before behaviour and bounds.
 */
export function replicasForMetric(currentReplicas: number, reading: MetricReading, tolerance = DEFAULT_TOLERANCE): number {
	const { averageValue, targetAverageValue, readyPods, unreadyPods } = reading;
	if (!(targetAverageValue > 0)) throw new Error(`the target average value must be positive, got ${targetAverageValue}`);
	if (readyPods === 0) return currentReplicas; // no pod reports the metric: nothing to scale on
	const ratio = averageValue / targetAverageValue;
	const scaleUpWithUnready = unreadyPods > 0 && ratio > 1;
	if (!scaleUpWithUnready) {
		if (Math.abs(1 - ratio) <= tolerance) return currentReplicas;
		return Math.ceil(ratio * readyPods - 1e-9);
	}
	// Starting pods are assumed to use nothing, which dampens a scale-up while capacity is already on its way.
	const pods = readyPods + unreadyPods;
	const newRatio = (averageValue * readyPods) / (targetAverageValue * pods);
	if (Math.abs(1 - newRatio) <= tolerance || newRatio < 1) return currentReplicas;
	const replicas = Math.ceil(newRatio * pods - 1e-9);
	return replicas < currentReplicas ? currentReplicas : replicas;
}

interface Recommendation {
	at: number;
	replicas: number;
}

interface ScaleEvent {
	at: number;
	change: number;
}

export interface HpaOptions {
	minReplicas: number;
	maxReplicas: number;
	behavior?: HpaBehavior;
	tolerance?: number;
}

/** One HPA: call `sync` every sync period with the scale target's replicas and the metric (null = unavailable). */
export class HorizontalPodAutoscaler {
	minReplicas: number;
	readonly maxReplicas: number;
	private readonly behavior: HpaBehavior;
	private readonly tolerance: number;
	private recommendations: Recommendation[] | null = null;
	private upEvents: ScaleEvent[] = [];
	private downEvents: ScaleEvent[] = [];
	private readonly longestPeriod: number;

	constructor(options: HpaOptions) {
		if (!Number.isInteger(options.minReplicas) || options.minReplicas < 1) throw new Error(`minReplicas must be a whole number >= 1, got ${options.minReplicas}`);
		if (!Number.isInteger(options.maxReplicas) || options.maxReplicas < options.minReplicas) {
			throw new Error(`maxReplicas must be a whole number >= minReplicas (${options.minReplicas}), got ${options.maxReplicas}`);
		}
		this.minReplicas = options.minReplicas;
		this.maxReplicas = options.maxReplicas;
		this.behavior = options.behavior ?? DEFAULT_HPA_BEHAVIOR;
		this.tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
		const periods = [...this.behavior.scaleUp.policies, ...this.behavior.scaleDown.policies].map((p) => p.periodSeconds);
		this.longestPeriod = Math.max(0, ...periods);
	}

	/** The replicas the HPA writes to the scale target at `now` (seconds). */
	sync(now: number, currentReplicas: number, reading: MetricReading | null): number {
		let desired: number;
		if (currentReplicas > this.maxReplicas) desired = this.maxReplicas;
		else if (currentReplicas < this.minReplicas) desired = this.minReplicas;
		else if (reading === null) desired = currentReplicas;
		else {
			// A new HPA starts its scale-down window at the current count, so it does not drop pods on its first sync.
			this.recommendations ??= [{ at: now, replicas: currentReplicas }];
			const proposed = replicasForMetric(currentReplicas, reading, this.tolerance);
			const stabilized = this.stabilize(now, currentReplicas, proposed);
			desired = this.limitRate(now, currentReplicas, stabilized);
		}
		if (desired > currentReplicas) this.upEvents.push({ at: now, change: desired - currentReplicas });
		else if (desired < currentReplicas) this.downEvents.push({ at: now, change: currentReplicas - desired });
		// Events older than every policy period no longer count; dropping them keeps long replays fast.
		const recent = (e: ScaleEvent) => e.at + this.longestPeriod > now;
		if (this.upEvents.length > 32) this.upEvents = this.upEvents.filter(recent);
		if (this.downEvents.length > 32) this.downEvents = this.downEvents.filter(recent);
		return desired;
	}

	/** Up: the lowest recommendation of the up window; down: the highest of the down window. */
	private stabilize(now: number, currentReplicas: number, proposed: number): number {
		const upCutoff = now - this.behavior.scaleUp.stabilizationWindowSeconds;
		const downCutoff = now - this.behavior.scaleDown.stabilizationWindowSeconds;
		let up = proposed;
		let down = proposed;
		for (const r of this.recommendations!) {
			if (r.at > upCutoff) up = Math.min(up, r.replicas);
			if (r.at > downCutoff) down = Math.max(down, r.replicas);
		}
		// Recommendations arrive in time order, so the expired ones are a prefix (dropped in place: a month has 170,000 syncs).
		const oldest = Math.min(upCutoff, downCutoff);
		const kept = this.recommendations!;
		let expired = 0;
		while (expired < kept.length && kept[expired].at < oldest) expired++;
		if (expired > 0) kept.splice(0, expired);
		kept.push({ at: now, replicas: proposed });
		return Math.min(Math.max(currentReplicas, up), down);
	}

	private limitRate(now: number, currentReplicas: number, desired: number): number {
		if (desired > currentReplicas) {
			const limit = Math.max(currentReplicas, this.ruleLimit(now, currentReplicas, this.behavior.scaleUp, 'up'));
			return Math.min(desired, limit, this.maxReplicas);
		}
		if (desired < currentReplicas) {
			const limit = Math.min(currentReplicas, this.ruleLimit(now, currentReplicas, this.behavior.scaleDown, 'down'));
			return Math.max(desired, limit, this.minReplicas);
		}
		return desired;
	}

	/** Replica count a direction's policies allow now, counted from the count at the start of each policy's period. */
	private ruleLimit(now: number, currentReplicas: number, rules: ScalingRules, direction: 'up' | 'down'): number {
		if (rules.selectPolicy === 'Disabled') return currentReplicas;
		// Max picks the policy allowing the largest change: the highest limit up, the lowest down.
		const widest = (rules.selectPolicy === 'Max') === (direction === 'up');
		let chosen = widest ? -Infinity : Infinity;
		for (const policy of rules.policies) {
			const start = currentReplicas - this.changeWithin(this.upEvents, now, policy.periodSeconds) + this.changeWithin(this.downEvents, now, policy.periodSeconds);
			const limit =
				direction === 'up'
					? policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100) - 1e-9)
					: policy.type === 'Pods' ? start - policy.value : Math.floor(start * (1 - policy.value / 100) + 1e-9);
			chosen = widest ? Math.max(chosen, limit) : Math.min(chosen, limit);
		}
		return chosen;
	}

	private changeWithin(events: ScaleEvent[], now: number, periodSeconds: number): number {
		let sum = 0;
		for (const e of events) if (e.at + periodSeconds > now) sum += e.change;
		return sum;
	}
}
