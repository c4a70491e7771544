import { neededReplicas, regionHealth, regionTrafficTarget, type RegionHealth } from '../policy/failover';
import type { FailoverPolicy } from '../policy/types';
import { isRecord } from '../shared/records';
import { groupSignals, type SignalValues } from './signals';
import { nameList, positiveNumber, requireRecord, text } from '../shared/settings';

const SETTINGS_NODE = 'the failover settings (Edit Fields node "Failover settings")';

/** What the editor sets once per workflow: which regions, what the service is called, how much one pod serves. */
export interface FailoverSettings {
	regions: string[];
	cluster: string;
	kind: string;
	service: string;
	namespace: string;
	/** Requests/s one pod serves: a region's required replicas are its recent peak load divided by this. */
	perPodCapacity: number;
}

export function readFailoverSettings(run: Record<string, unknown>): FailoverSettings {
	return {
		regions: nameList(run, 'regions', SETTINGS_NODE, 'list the Alertmanager region label values, e.g. "us-east, us-west"'),
		cluster: text(run, 'cluster', SETTINGS_NODE, 'name the multi-region service for decision records, e.g. "global"'),
		kind: text(run, 'kind', SETTINGS_NODE, 'set the workload kind, e.g. "Deployment"'),
		service: text(run, 'service', SETTINGS_NODE, 'take it from the alert, e.g. {{ $json.alert.labels.service }}'),
		namespace: text(run, 'namespace', SETTINGS_NODE, 'take it from the alert or set it, e.g. {{ $json.alert.labels.namespace || "shop" }}'),
		perPodCapacity: positiveNumber(run, 'perPodCapacity', SETTINGS_NODE, 'set the requests/s one pod serves, e.g. 50'),
	};
}

export interface FailoverSignalsInput {
	/** The item the run started from: the alert, the failover settings, the Lease (lock, state), and on the approved branch the approval. */
	run: unknown;
	/** Prometheus instant series labelled region and signal (readyFraction, errorRate, load, capacityReplicas, healthyPools). */
	signals: unknown;
	/** The load balancer as Load Balancer Drain's Status read it just now ({ backend, servers }). */
	traffic: unknown;
	/** The gate's limits for the region that takes the traffic (its failover policy); without them only the readings rank. */
	receiverLimits?: ReceiverLimits;
}

/**
 * The Policy Gate node's failover policy, as far as it judges the receiving
 * region. Thresholds are required; the other rules rank only when set.
 */
export type ReceiverLimits = Pick<FailoverPolicy, 'minReadyFraction' | 'maxErrorRate'> &
	Partial<Pick<FailoverPolicy, 'capacityHeadroomPercent' | 'allowedRegions' | 'trafficTargets'>>;

/** Without the gate's policy no reading is past a limit: only "no healthy pool" and unknowns rank a region down. */
const NO_LIMITS: ReceiverLimits = { minReadyFraction: -Infinity, maxErrorRate: Infinity };

/**
 * The failover (alert firing) or failback (alert resolved) proposal: from the
 * failing region to the healthiest other one, or back. It only describes;
 * the gate decides. Inputs it cannot make sense of (a region that is not
 * configured, a status that is neither) go into the proposal as they are, so
 * the gate rejects them with its reason instead of this step guessing.
 */
export function buildFailoverProposal(input: FailoverSignalsInput): Record<string, unknown> {
	const run = requireRecord(input.run, 'Run', 'point Run at the item the Lease was taken for, e.g. {{ $(\'Lock service\').item.json }}');
	const settings = readFailoverSettings(run);
	const alert = isRecord(run.alert) ? run.alert : {};
	const labels = isRecord(alert.labels) ? alert.labels : {};
	const configured = new Set(settings.regions);
	const { groups, readings } = groupSignals(input.signals, 'region', (region) => configured.has(region));
	const regions = Object.fromEntries(settings.regions.map((r) => [r, regionEvidence(groups[r], settings.perPodCapacity)]));

	const failing = labels.region;
	const firing = alert.status === 'firing';
	if (firing && typeof failing === 'string' && configured.has(failing)) healthiestReading(regions[failing], readings[failing]);
	// Every other region may take (or, failing back, get back) the traffic: pool counts that
	// disagree there read as the lowest, never as "no pool count", which the gate passes.
	for (const r of settings.regions) if (!(firing && r === failing)) unhealthiestPools(regions[r], groups[r], readings[r]);
	const best = chooseReceiver(
		settings.regions.filter((r) => r !== failing),
		regions,
		input.receiverLimits,
		{ firing, moved: typeof failing === 'string' && configured.has(failing) ? regions[failing].requiredReplicas : undefined, traffic: input.traffic },
	);
	const from = firing ? failing : best;
	const to = firing ? best : failing;
	return {
		action: firing ? 'failover' : 'failback',
		source: 'alert',
		target: { cluster: settings.cluster, namespace: settings.namespace, kind: settings.kind, name: settings.service },
		from,
		to,
		// The load balancer as read just now: the gate judges the move on it, and
		// the drain refuses if it has changed by the time the move happens.
		...(input.traffic === undefined ? {} : { current: { traffic: input.traffic } }),
		evidence: {
			alert: {
				name: alert.name,
				status: alert.status,
				startsAt: alert.startsAt,
				...(firing ? {} : { endsAt: alert.endsAt, resolvedSince: alert.endsAt }),
			},
			regions,
		},
	};
}

/**
 * The region to take the traffic: first one the gate would let through on its
 * own (every reading known and within the limits), then one it would hand to
 * a person (nothing known to be wrong, something unknown), and only then one
 * it would hold for (a reading past a limit, or no healthy pool), and with
 * the gate's policy its other receiver rules too (receiverRules). Within each,
 * the most requests served well (ready fraction x (1 - error rate)), then the
 * order the regions are listed in. Picking by ready fraction alone chose a
 * fully ready region failing half its requests over a healthy one.
 */
function chooseReceiver(
	candidates: string[],
	regions: Record<string, Record<string, number>>,
	limits: ReceiverLimits | undefined,
	move: ReceiverMove,
): string | undefined {
	const ranked = candidates.map((region, order) => {
		const { readyFraction: ready, errorRate: errors } = regions[region];
		const gate = limits === undefined ? 0 : receiverRules(region, regions[region], limits, move);
		const tier = Math.max(gate, HEALTH_TIER[regionHealth(regions[region], limits ?? NO_LIMITS)]);
		const served = ready === undefined ? -1 : ready * (1 - (errors ?? 0));
		return { region, order, tier, served };
	});
	ranked.sort((a, b) => a.tier - b.tier || b.served - a.served || a.order - b.order);
	return ranked[0]?.region;
}

// The gate acts on a healthy receiver, asks a person about an unknown one and holds for an unhealthy one.
const HEALTH_TIER: Record<RegionHealth, number> = { healthy: 0, unknown: 1, unhealthy: 2 };

interface ReceiverMove {
	firing: boolean;
	/** The required replicas of the region being drained: what the receiver takes on. */
	moved: number | undefined;
	traffic: unknown;
}

/**
 * The gate's other rules about the receiving region, as a tier: 3 it rejects
 * (not an allowed region, no server at the load balancer), 2 it holds (kept
 * out at the load balancer, too small for its own and the moved load), 1 a
 * person decides (capacity unknown), 0 none of these. Failing back, the region
 * chosen hands its traffic over, so it must be allowed and taking traffic too.
 */
function receiverRules(region: string, evidence: Record<string, number>, limits: ReceiverLimits, move: ReceiverMove): number {
	if (limits.allowedRegions !== undefined && !limits.allowedRegions.includes(region)) return 3;
	const servers = isRecord(move.traffic) && isRecord(move.traffic.servers) ? move.traffic.servers : undefined;
	if (servers !== undefined) {
		const { server } = regionTrafficTarget(limits, region);
		if (!Object.hasOwn(servers, server)) return 3;
		if (servers[server] !== 'ready') return 2;
	}
	// Failing back, the capacity judged is the returning region's, the same whichever region hands over.
	if (!move.firing || limits.capacityHeadroomPercent === undefined) return 0;
	const { capacityReplicas: capacity, requiredReplicas: own } = evidence;
	if (capacity === undefined || own === undefined || move.moved === undefined) return 1;
	return capacity >= neededReplicas(own, move.moved, { capacityHeadroomPercent: limits.capacityHeadroomPercent }) ? 0 : 2;
}

// The gate drains a failing region on its own unless its evidence looks
// healthy, and unknown evidence does not look healthy. Series that disagree
// about the region to be drained are doubt, so they are read the way that
// leaves the drain to a person: the healthiest value any of them reported.
// (reduce, not Math.max(...values): a hostile list of 10^6 series must not overflow the stack.)
const highest = (values: number[]) => values.reduce((a, b) => (b > a ? b : a));
const lowest = (values: number[]) => values.reduce((a, b) => (b < a ? b : a));
const HEALTHIEST: Record<string, (values: number[]) => number> = { readyFraction: highest, errorRate: lowest, healthyPools: highest };

function healthiestReading(evidence: Record<string, number>, reported: Record<string, number[]> | undefined): void {
	if (reported === undefined) return;
	for (const [signal, pick] of Object.entries(HEALTHIEST)) {
		const values = reported[signal];
		if (values !== undefined && values.length > 0 && evidence[signal] === undefined) evidence[signal] = pick(values);
	}
}

function unhealthiestPools(evidence: Record<string, number>, reported: SignalValues | undefined, readings: Record<string, number[]> | undefined): void {
	if (reported?.healthyPools !== null || evidence.healthyPools !== undefined) return;
	// A series added beside the real one cannot remove it: its finite reading is still here to pick.
	const values = readings?.healthyPools ?? [];
	if (values.length > 0) evidence.healthyPools = lowest(values);
}

// The signals the gate reads; anything else a series carries is not evidence it uses.
const REGION_SIGNALS = ['readyFraction', 'errorRate', 'capacityReplicas', 'healthyPools', 'requiredReplicas'] as const;

// Load in requests/s becomes the replicas it needs (at least 1, and it wins over
// a stated requiredReplicas); replica counts are whole.
function regionEvidence(values: SignalValues | undefined, perPodCapacity: number): Record<string, number> {
	const out: Record<string, number> = {};
	if (values === undefined) return out;
	for (const signal of REGION_SIGNALS) {
		const value = values[signal];
		if (typeof value === 'number') out[signal] = signal.endsWith('Replicas') ? Math.round(value) : value;
	}
	const load = values.load;
	if (typeof load === 'number') out.requiredReplicas = Math.max(1, Math.ceil(load / perPodCapacity));
	// A load reported but in doubt (NaN, disagreeing series) is an unknown need, not a stated requiredReplicas beside it.
	else if (load === null) delete out.requiredReplicas;
	return out;
}
