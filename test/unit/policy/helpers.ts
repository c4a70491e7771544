import type { Check, Verdict } from '../../../src/policy';

export const NOW = '2025-03-10T12:00:00Z';
export const NOW_MS = Date.parse(NOW);

export function at(offsetSeconds: number): string {
	return new Date(NOW_MS + offsetSeconds * 1000).toISOString();
}

export const TARGET = { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Deployment', name: 'checkout' };

type Json = Record<string, unknown>;

export function scalePolicy(overrides: Json = {}): Json {
	return { minReplicas: 2, maxReplicas: 50, ...overrides };
}

export function scaleProposal(current: number, proposed: number, overrides: Json = {}): Json {
	return {
		action: 'scale',
		source: 'forecast',
		target: { ...TARGET },
		current: { replicas: current },
		proposed: { replicas: proposed },
		evidence: { backtest: { mape: 0.05, wape: 0.05 } },
		...overrides,
	};
}

export function failoverProposal(overrides: Json = {}, regions: Json = {}): Json {
	return {
		action: 'failover',
		source: 'alert',
		target: { cluster: 'global', namespace: 'shop', kind: 'Service', name: 'checkout' },
		from: 'eu-west-1',
		to: 'eu-central-1',
		evidence: {
			alert: { name: 'RegionDown', status: 'firing', startsAt: at(-300) },
			regions: {
				'eu-west-1': { readyFraction: 0.2, errorRate: 0.3, capacityReplicas: 20, requiredReplicas: 10 },
				'eu-central-1': { readyFraction: 0.99, errorRate: 0.001, capacityReplicas: 40, requiredReplicas: 10 },
				...regions,
			},
		},
		...overrides,
	};
}

export function canaryProposal(canary: Json | null, stable: Json | null = { requests: 10_000, errorRate: 0.001, p99LatencyMs: 120 }, extra: Json = {}, overrides: Json = {}): Json {
	const evidence: Json = { window: '5m', ...extra };
	if (canary !== null) evidence.canary = canary;
	if (stable !== null) evidence.stable = stable;
	return {
		action: 'rollback',
		source: 'alert',
		target: { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Rollout', name: 'checkout' },
		evidence,
		...overrides,
	};
}

export function failed(verdict: Verdict): string[] {
	return verdict.checks.filter((item) => !item.passed).map((item) => item.rule);
}

export function checkOf(verdict: Verdict, rule: string): Check {
	const found = verdict.checks.find((item) => item.rule === rule);
	if (found === undefined) throw new Error(`no check ${rule} in ${verdict.checks.map((item) => item.rule).join(', ')}`);
	return found;
}
