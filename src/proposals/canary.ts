import { groupSignals, type SignalValues } from './signals';
import { requireRecord, text } from '../shared/settings';

const SETTINGS_NODE = 'the canary settings (node "Canaries to watch")';

export interface CanarySignalsInput {
	/** The canary this run watches (cluster, namespace, canaryDeployment, ...), usually the item the Lease was taken for. */
	canary: unknown;
	/** Prometheus instant series labelled track (canary | stable) and signal (requests, errorRate, p99LatencyMs). */
	signals: unknown;
	/** The Prometheus Query node's error for this item, when the query failed (continue on fail). */
	queryError?: unknown;
}

/**
 * The rollback proposal ("roll this canary back?") from the last minutes of
 * canary and stable traffic. No canary series is "no data" and a failed query
 * is a provider error: the gate holds on both, it never rolls back on them.
 */
export function buildCanaryProposal(input: CanarySignalsInput): Record<string, unknown> {
	const canary = requireRecord(input.canary, 'Canary', 'point Canary at the item the Lease was taken for, e.g. {{ $(\'Lock canary\').item.json }}');
	const target = {
		cluster: text(canary, 'cluster', SETTINGS_NODE, 'set the Cluster Name of the Kubernetes credential, e.g. "us-east"'),
		namespace: text(canary, 'namespace', SETTINGS_NODE, 'set the canary\'s namespace, e.g. "shop"'),
		kind: 'Deployment',
		name: text(canary, 'canaryDeployment', SETTINGS_NODE, 'set the canary Deployment, e.g. "checkout-canary"'),
	};
	const { groups } = groupSignals(input.signals, 'track', (track) => track === 'canary' || track === 'stable');
	const canaryMetrics = trackMetrics(groups.canary);
	const stableMetrics = trackMetrics(groups.stable);
	return {
		action: 'rollback',
		source: 'alert',
		target,
		evidence: {
			...(canaryMetrics ? { canary: canaryMetrics } : {}),
			...(stableMetrics ? { stable: stableMetrics } : {}),
			noData: !canaryMetrics,
			providerError: errorText(input.queryError),
		},
	};
}

// A NaN the query returned stays null (unknown), never 0: the gate holds on unknowns.
function trackMetrics(values: SignalValues | undefined): Record<string, number | null> | undefined {
	const requests = values?.requests;
	if (values === undefined || typeof requests !== 'number') return undefined;
	// Requests but no 5xx series yet: the error counter was never incremented.
	const errorRate = Object.hasOwn(values, 'errorRate') ? values.errorRate : requests > 0 ? 0 : null;
	return { requests: Math.round(requests), errorRate, p99LatencyMs: Object.hasOwn(values, 'p99LatencyMs') ? values.p99LatencyMs : null };
}

function errorText(error: unknown): string | null {
	if (error === undefined || error === null || error === '' || error === false) return null;
	if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
	return typeof error === 'string' ? error : JSON.stringify(error) ?? 'query failed';
}
