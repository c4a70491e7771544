import { HorizontalPodAutoscaler, replicasForMetric, type MetricReading } from '../../../src/simulate';

/**
 * Worked examples from the Kubernetes documentation, "Horizontal Pod Autoscaling"
 * (Algorithm details; Configurable scaling behavior; Default behavior). Expected
 * values are worked out by hand from the documented formula, never by the code.
 */

const steady = (averageValue: number, targetAverageValue: number, readyPods: number, unreadyPods = 0): MetricReading => ({
	averageValue,
	targetAverageValue,
	readyPods,
	unreadyPods,
});

describe('replica calculator: desiredReplicas = ceil[currentReplicas * (currentMetricValue / desiredMetricValue)]', () => {
	test('"current metric value is 200m, and the desired value is 100m, the number of replicas will be doubled": 1 -> 2', () => {
		expect(replicasForMetric(1, steady(200, 100, 1))).toBe(2);
		expect(replicasForMetric(3, steady(200, 100, 3))).toBe(6);
	});

	test('"if the current value is instead 50m, you\'ll halve the number of replicas": 4 -> 2', () => {
		expect(replicasForMetric(4, steady(50, 100, 4))).toBe(2);
	});

	test('ceil: 3 pods at 130 against 100 -> ceil(3.9) = 4; 5 pods at 72 against 100 -> ceil(3.6) = 4', () => {
		expect(replicasForMetric(3, steady(130, 100, 3))).toBe(4);
		expect(replicasForMetric(5, steady(72, 100, 5))).toBe(4);
	});

	test('tolerance 0.1: a ratio within 0.9..1.1 changes nothing, just outside it does', () => {
		expect(replicasForMetric(10, steady(109, 100, 10))).toBe(10); // ratio 1.09
		expect(replicasForMetric(10, steady(91, 100, 10))).toBe(10); // ratio 0.91
		expect(replicasForMetric(10, steady(105, 100, 10))).toBe(10);
		expect(replicasForMetric(10, steady(111, 100, 10))).toBe(12); // ceil(11.1)
		expect(replicasForMetric(10, steady(89, 100, 10))).toBe(9); // ceil(8.9)
	});

	test('pods not yet ready count as 0 % when they would change a scale-up', () => {
		// 4 ready at 150 against 100 would ask for ceil(6) = 6; with 2 starting pods at 0:
		// new ratio = 4 * 150 / (6 * 100) = 1.0, within tolerance -> keep current (6).
		expect(replicasForMetric(6, steady(150, 100, 4, 2))).toBe(6);
		// 4 ready at 200: new ratio = 800 / 600 = 1.33 -> ceil(1.333 * 6) = 8.
		expect(replicasForMetric(6, steady(200, 100, 4, 2))).toBe(8);
		// 4 ready at 120 (would scale up), with 4 starting: new ratio 480 / 800 = 0.6 reverses the direction -> no change.
		expect(replicasForMetric(8, steady(120, 100, 4, 4))).toBe(8);
	});
});

describe('the controller: bounds, default behaviour, stabilisation', () => {
	test('minReplicas and maxReplicas clamp the result', () => {
		const hpa = new HorizontalPodAutoscaler({ minReplicas: 2, maxReplicas: 5 });
		// 4 pods at 400 against 100 ask for 16; the scale-up policy allows max(4 + 4, 2 * 4) = 8; max is 5.
		expect(hpa.sync(0, 4, steady(400, 100, 4))).toBe(5);
		const low = new HorizontalPodAutoscaler({ minReplicas: 2, maxReplicas: 5, behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }, scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } } });
		// 4 pods at 10 against 100 ask for ceil(0.4) = 1; minReplicas 2.
		expect(low.sync(0, 4, steady(10, 100, 4))).toBe(2);
	});

	test('replicas outside the bounds go to the bound without reading the metric (a raised floor acts at once)', () => {
		const hpa = new HorizontalPodAutoscaler({ minReplicas: 2, maxReplicas: 10 });
		hpa.minReplicas = 9;
		expect(hpa.sync(0, 3, null)).toBe(9); // +6 in one sync: no rate limit applies to the minimum
		expect(hpa.sync(15, 12, steady(100, 100, 12))).toBe(10);
	});

	test('scale-up: "4 pods or a 100% of the currently running replicas may at most be added every 15 seconds", the larger', () => {
		const small = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 100 });
		// 1 pod at 1000 against 100 asks for 10: 100 % allows 2, 4 pods allows 5 -> 5.
		expect(small.sync(0, 1, steady(1000, 100, 1))).toBe(5);
		const large = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 100 });
		// 10 pods at 500 against 100 ask for 50: 100 % allows 20, 4 pods allows 14 -> 20.
		expect(large.sync(0, 10, steady(500, 100, 10))).toBe(20);
	});

	test('the scale-up limit counts from the replicas at the start of the 15 s period', () => {
		const hpa = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 100 });
		expect(hpa.sync(0, 1, steady(1000, 100, 1))).toBe(5);
		// 10 s later, still inside the period that started with 1 pod: nothing more may be added.
		expect(hpa.sync(10, 5, steady(1000, 100, 1, 4))).toBe(5);
		// 15 s after the first change the period has rolled: from 5, 100 % allows 10, +4 allows 9 -> 10.
		// (1 ready at 1000 with 4 starting: ratio 1000 / 500 = 2 -> ceil(2 * 5) = 10.)
		expect(hpa.sync(15, 5, steady(1000, 100, 1, 4))).toBe(10);
	});

	test('scale-down stabilisation: the highest recommendation of the last 300 s wins', () => {
		const hpa = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 100 });
		expect(hpa.sync(0, 10, steady(100, 100, 10))).toBe(10); // recommendation 10
		expect(hpa.sync(15, 10, steady(50, 100, 10))).toBe(10); // recommends 5; window max 10
		expect(hpa.sync(30, 10, steady(70, 100, 10))).toBe(10); // recommends 7
		// At 300 the first recommendation (10 at t=0) has left the window: max(5, 7, 4, ...) = 7.
		for (let t = 45; t < 300; t += 15) expect(hpa.sync(t, 10, steady(40, 100, 10))).toBe(10);
		expect(hpa.sync(300, 10, steady(40, 100, 10))).toBe(7);
		// At 315 the 7 recommended at t=30 is still inside the window.
		expect(hpa.sync(315, 7, steady(400 / 7, 100, 7))).toBe(7);
		// At 330 it has gone too: every recommendation left is 4 -> 4, all at once (100 % per 15 s allows it).
		expect(hpa.sync(330, 7, steady(400 / 7, 100, 7))).toBe(4);
	});

	test('a new HPA does not scale down on its first sync (its window starts at the current count)', () => {
		const hpa = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 100 });
		expect(hpa.sync(0, 8, steady(10, 100, 8))).toBe(8);
	});

	test('a missing metric keeps the count', () => {
		const hpa = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 100 });
		expect(hpa.sync(0, 6, null)).toBe(6);
	});
});
