import { describeAdmin } from '../shared/adminState';
import { check, formatNumber, plural, runRules, type Rule } from './checks';
import { INVALID_INPUTS, stateCheck, type FamilyArgs, type FamilyResult } from './family';
import type { FailoverInput } from './proposal';
import { baseContext, circuitBreakerRule, freezeRule, namespaceRule, sourceRule, type BaseContext } from './sharedRules';
import { validateFailoverState, type ParsedFailoverState } from './state';
import { isoString, parseTimestamp, secondsBetween } from '../shared/time';
import type { Check, FailoverPolicy, RegionEvidence, TrafficAdmin, TrafficTarget, VerdictScope } from './types';

export type RegionHealth = 'healthy' | 'unhealthy' | 'unknown';

// Health is judged by the gate from raw evidence with the policy's thresholds,
// never taken from a "healthy: true" flag a proposer could simply assert.
export function regionHealth(region: RegionEvidence | null, policy: Pick<FailoverPolicy, 'minReadyFraction' | 'maxErrorRate'>): RegionHealth {
	if (region === null) return 'unknown';
	const { readyFraction, errorRate, healthyPools } = region;
	if (readyFraction !== undefined && readyFraction < policy.minReadyFraction) return 'unhealthy';
	if (errorRate !== undefined && errorRate > policy.maxErrorRate) return 'unhealthy';
	if (healthyPools === 0) return 'unhealthy';
	return readyFraction === undefined || errorRate === undefined ? 'unknown' : 'healthy';
}

interface FailoverContext extends BaseContext {
	input: FailoverInput;
	state: ParsedFailoverState;
	failover: FailoverPolicy;
	from: string;
	to: string;
	fromRegion: RegionEvidence | null;
	toRegion: RegionEvidence | null;
}

function region(input: FailoverInput, name: string): RegionEvidence | null {
	return Object.hasOwn(input.regions, name) ? (input.regions[name] ?? null) : null;
}

const HOUR_MS = 3_600_000;

function flipInstants(state: ParsedFailoverState): number[] {
	const all = state.lastFlipAt === null ? state.flipTimes : [...state.flipTimes, state.lastFlipAt];
	return [...new Set(all)];
}

const regionsAllowedRule: Rule<FailoverContext> = {
	rule: 'regions.allowed',
	onFail: 'reject',
	evaluate({ failover, from, to }) {
		const allowed = failover.allowedRegions;
		if (allowed === undefined) return check('regions.allowed', true, [from, to], null, 'policy sets no failover.allowedRegions', 'reject');
		const outside = [from, to].filter((name) => !allowed.includes(name));
		const detail = outside.length === 0 ? `${from} and ${to} are allowed regions` : `${outside.join(', ')} not in failover.allowedRegions`;
		return check('regions.allowed', outside.length === 0, [from, to], allowed, detail, 'reject');
	},
};

const dwellRule: Rule<FailoverContext> = {
	rule: 'dwell',
	onFail: 'hold',
	evaluate({ state, failover, nowMs }) {
		const flips = flipInstants(state);
		const limit = failover.minDwellSeconds;
		if (flips.length === 0) return check('dwell', true, null, limit, 'no previous flip recorded', 'hold');
		const last = Math.max(...flips);
		const elapsed = secondsBetween(last, nowMs);
		const passed = elapsed >= limit;
		const detail = passed
			? `${formatNumber(elapsed)}s since the last flip at ${isoString(last)}`
			: `last flip at ${isoString(last)} was ${formatNumber(elapsed)}s ago; traffic stays put for ${limit}s between flips`;
		return check('dwell', passed, elapsed, limit, detail, 'hold');
	},
};

const flipRateRule: Rule<FailoverContext> = {
	rule: 'flipRate',
	onFail: 'hold',
	evaluate({ state, failover, nowMs }) {
		// Future timestamps count as recent: clock skew must not buy extra flips.
		const recent = flipInstants(state).filter((time) => time > nowMs - HOUR_MS).length;
		const limit = failover.maxFlipsPerHour;
		const passed = recent < limit;
		const detail = passed
			? `${plural(recent, 'flip')} in the last hour; this one is within ${limit}`
			: `${plural(recent, 'flip')} in the last hour already (limit ${limit}); flapping traffic between regions is held`;
		return check('flipRate', passed, recent, limit, detail, 'hold');
	},
};

const activeRegionRule: Rule<FailoverContext> = {
	rule: 'activeRegion',
	onFail: 'hold',
	evaluate({ state, from }) {
		if (state.activeRegions === null) return check('activeRegion', true, from, null, 'state has no activeRegions; assuming the proposal is current', 'hold');
		const passed = state.activeRegions.includes(from);
		const detail = passed ? `${from} is serving traffic` : `${from} is not serving traffic (active: ${state.activeRegions.join(', ') || 'none'}); nothing to move`;
		return check('activeRegion', passed, from, state.activeRegions, detail, 'hold');
	},
};

// Alertmanager sends endsAt 0001-01-01T00:00:00Z for alerts that have not
// ended; read naively that is "resolved two thousand years ago".
function resolvedAt(input: FailoverInput): number | null {
	const alert = input.alert;
	if (alert === null) return null;
	const candidates = [alert.resolvedSince, alert.endsAt].map((text) => (text === undefined ? null : parseTimestamp(text)));
	const valid = candidates.filter((time): time is number => time !== null && time > 0);
	return valid.length === 0 ? null : Math.max(...valid);
}

const resolvedRule: Rule<FailoverContext> = {
	rule: 'failback.resolved',
	onFail: 'hold',
	evaluate({ action, input, failover, nowMs }) {
		const limit = failover.resolveDwellSeconds;
		if (action === 'failover') return check('failback.resolved', true, null, limit, 'not a failback', 'hold');
		const status = input.alert?.status;
		if (status !== 'resolved') {
			const detail = status === undefined ? 'no evidence.alert; failback waits for a resolved alert' : 'the alert is still firing';
			return check('failback.resolved', false, null, limit, detail, 'hold');
		}
		const since = resolvedAt(input);
		if (since === null) return check('failback.resolved', false, null, limit, 'alert is resolved but evidence.alert.resolvedSince/endsAt is missing', 'hold');
		const elapsed = secondsBetween(since, nowMs);
		const passed = elapsed >= limit;
		const detail = passed
			? `alert resolved for ${formatNumber(elapsed)}s since ${isoString(since)}`
			: `alert resolved only ${formatNumber(elapsed)}s ago; failback waits ${limit}s so a flapping alert does not bounce traffic`;
		return check('failback.resolved', passed, elapsed, limit, detail, 'hold');
	},
};

const fromHealthyRule: Rule<FailoverContext> = {
	rule: 'failover.fromUnhealthy',
	onFail: 'approve',
	evaluate({ action, from, fromRegion, failover }) {
		if (action === 'failback') return check('failover.fromUnhealthy', true, null, null, 'not a failover', 'approve');
		const health = regionHealth(fromRegion, failover);
		const passed = health !== 'healthy';
		const detail = passed
			? `${from} is ${health === 'unknown' ? 'not reporting healthy evidence' : 'unhealthy'}`
			: `${from} looks healthy by its own ready fraction and error rate; draining a healthy region needs a human`;
		return check('failover.fromUnhealthy', passed, health, 'unhealthy', detail, 'approve');
	},
};

const lastHealthyRule: Rule<FailoverContext> = {
	rule: 'lastHealthyRegion',
	onFail: 'reject',
	evaluate({ input, state, from, to, fromRegion, failover }) {
		const fromHealth = regionHealth(fromRegion, failover);
		const serving = state.activeRegions === null ? Object.keys(input.regions) : [...state.activeRegions, to];
		const others = [...new Set(serving)].filter((name) => name !== from && regionHealth(region(input, name), failover) === 'healthy');
		const passed = fromHealth !== 'healthy' || others.length > 0;
		const detail =
			fromHealth !== 'healthy'
				? `${from} is not a healthy region, draining it removes no healthy capacity`
				: passed
					? `${others.join(', ')} stay healthy after draining ${from}`
					: `${from} is the last region with healthy evidence; draining it would leave nothing healthy serving`;
		return check('lastHealthyRegion', passed, others.length, 1, detail, 'reject');
	},
};

function targetRule(
	rule: string,
	read: (toRegion: RegionEvidence) => number | undefined,
	limit: (failover: FailoverPolicy) => number,
	ok: (value: number, limit: number) => boolean,
	what: string,
): Rule<FailoverContext> {
	return {
		rule,
		onFail: 'hold',
		evaluate({ to, toRegion, failover }): Check {
			const bound = limit(failover);
			const value = toRegion === null ? undefined : read(toRegion);
			// Missing evidence is not proof of danger; a human decides instead of the loop.
			if (value === undefined) return check(rule, false, null, bound, `no ${what} for ${to}; cannot verify the target`, 'approve');
			const passed = ok(value, bound);
			return check(rule, passed, value, bound, `${to} ${what} ${formatNumber(value)} (limit ${bound})`, 'hold');
		},
	};
}

const targetReadyRule = targetRule('target.readyFraction', (r) => r.readyFraction, (f) => f.minReadyFraction, (v, l) => v >= l, 'ready fraction');
const targetErrorRule = targetRule('target.errorRate', (r) => r.errorRate, (f) => f.maxErrorRate, (v, l) => v <= l, 'error rate');

const targetPoolsRule: Rule<FailoverContext> = {
	rule: 'target.healthyPools',
	onFail: 'hold',
	evaluate({ to, toRegion }) {
		const pools = toRegion?.healthyPools;
		if (pools === undefined) return check('target.healthyPools', true, null, 1, `${to} reports no pool count; judged by ready fraction and error rate`, 'hold');
		const passed = pools >= 1;
		return check('target.healthyPools', passed, pools, 1, `${to} has ${plural(pools, 'healthy pool')}`, 'hold');
	},
};

/** Replicas the receiving region needs for its own and the moved load, with the policy's headroom. */
export function neededReplicas(own: number, moved: number, failover: Pick<FailoverPolicy, 'capacityHeadroomPercent'>): number {
	return Math.ceil((own + moved) * (1 + failover.capacityHeadroomPercent / 100));
}

// What a verdict lets the mutating nodes do: the receiving region sized to the
// capacity check's need, and the exact load-balancer server to move. Derived
// here, where it was judged, so no node parameter can widen it.
function scopeOf(context: FailoverContext): VerdictScope {
	const own = context.toRegion?.requiredReplicas;
	const moved = context.fromRegion?.requiredReplicas;
	const scope: VerdictScope = {};
	if (own !== undefined && moved !== undefined) scope.scaleTo = Math.max(1, neededReplicas(own, moved, context.failover));
	if (context.action === 'failover') scope.drain = trafficTarget(context, context.from);
	else scope.restore = trafficTarget(context, context.to);
	const stated = context.input.proposal.current?.traffic;
	if (stated !== undefined) scope.traffic = { ...(stated.backend === undefined ? {} : { backend: stated.backend }), servers: { ...stated.servers } };
	return scope;
}

// Own keys only: a region named "constructor" (a valid DNS label) must not find Object.prototype's.
function trafficTarget({ failover }: FailoverContext, region: string): TrafficTarget {
	return regionTrafficTarget(failover, region);
}

/** The load-balancer server a region is: failover.trafficTargets, else the region's own name. */
export function regionTrafficTarget(failover: Pick<FailoverPolicy, 'trafficTargets'>, region: string): TrafficTarget {
	const map = failover.trafficTargets;
	return map && Object.hasOwn(map, region) ? (map[region] as TrafficTarget) : { server: region };
}

// The load balancer as the proposal read it. A move that makes no sense on it
// (draining a region that takes no traffic, failing over to one the load
// balancer keeps out) is held here; the same state travels in the verdict's
// scope, and Load Balancer Drain compares it with a live read before it moves.
const trafficStateRule: Rule<FailoverContext> = {
	rule: 'traffic.state',
	onFail: 'hold',
	evaluate(context) {
		const { action, from, to, input } = context;
		const stated = input.proposal.current?.traffic;
		if (stated === undefined) {
			return check('traffic.state', true, null, null, 'the proposal states no load-balancer state (current.traffic); Load Balancer Drain refuses to move traffic under this verdict', 'hold');
		}
		const fromTarget = trafficTarget(context, from);
		const toTarget = trafficTarget(context, to);
		const wrongBackend = [fromTarget, toTarget].find((target) => target.backend !== undefined && stated.backend !== undefined && target.backend !== stated.backend);
		if (wrongBackend) {
			return check('traffic.state', false, stated.backend ?? null, wrongBackend.backend ?? null, `the proposal states backend ${stated.backend}, but failover.trafficTargets puts ${wrongBackend.server} in backend ${wrongBackend.backend}`, 'reject');
		}
		const admin = (server: string): TrafficAdmin | undefined => (Object.hasOwn(stated.servers, server) ? stated.servers[server] : undefined);
		const fromAdmin = admin(fromTarget.server);
		const toAdmin = admin(toTarget.server);
		const measured = [`${fromTarget.server}=${fromAdmin ?? 'missing'}`, `${toTarget.server}=${toAdmin ?? 'missing'}`];
		const problems: string[] = [];
		if (fromAdmin === undefined || toAdmin === undefined) {
			const missing = [fromAdmin === undefined ? `${fromTarget.server} (${from})` : null, toAdmin === undefined ? `${toTarget.server} (${to})` : null].filter((item) => item !== null);
			return check('traffic.state', false, measured, null, `the load balancer has no server ${missing.join(' or ')}; map each region to its server in failover.trafficTargets`, 'reject');
		}
		// The region handing its traffic over must be taking traffic now, in both directions.
		if (fromAdmin !== 'ready') problems.push(`${fromTarget.server} (${from}) is ${describeAdmin(fromAdmin)} already: there is no traffic of it to move`);
		if (action === 'failover' && toAdmin !== 'ready') problems.push(`${toTarget.server} (${to}) is ${describeAdmin(toAdmin)} at the load balancer: failing over to it would send the traffic nowhere; restore it first`);
		if (action === 'failback' && toAdmin === 'ready') problems.push(`${toTarget.server} (${to}) takes traffic already: nothing to restore`);
		const detail = problems.length === 0 ? `load balancer as read: ${fromTarget.server} (${from}) ${describeAdmin(fromAdmin)}, ${toTarget.server} (${to}) ${describeAdmin(toAdmin)}` : problems.join('; ');
		return check('traffic.state', problems.length === 0, measured, action === 'failover' ? ['ready', 'ready'] : ['ready', 'not ready'], detail, 'hold');
	},
};

const capacityRule: Rule<FailoverContext> = {
	rule: 'target.capacity',
	onFail: 'hold',
	evaluate({ from, to, fromRegion, toRegion, failover }) {
		const capacity = toRegion?.capacityReplicas;
		const own = toRegion?.requiredReplicas;
		const moved = fromRegion?.requiredReplicas;
		if (capacity === undefined || own === undefined || moved === undefined) {
			const missing = [
				capacity === undefined ? `regions.${to}.capacityReplicas` : null,
				own === undefined ? `regions.${to}.requiredReplicas` : null,
				moved === undefined ? `regions.${from}.requiredReplicas (last known load)` : null,
			].filter((item) => item !== null);
			return check('target.capacity', false, capacity ?? null, null, `cannot verify capacity, missing ${missing.join(', ')}`, 'approve');
		}
		const needed = neededReplicas(own, moved, failover);
		const passed = capacity >= needed;
		const detail = passed
			? `${to} can run ${capacity} replicas; needs ${needed} (${formatNumber(own)} own + ${formatNumber(moved)} moved + ${failover.capacityHeadroomPercent}% headroom)`
			: `${to} can run ${capacity} replicas but needs ${needed} for its own and the moved load; scale ${to} first`;
		return check('target.capacity', passed, capacity, needed, detail, 'hold');
	},
};

const llmRule: Rule<FailoverContext> = {
	rule: 'approval.llm',
	onFail: 'approve',
	evaluate({ source }) {
		const passed = source !== 'llm';
		return check('approval.llm', passed, source, null, passed ? `${source} proposal` : 'llm-proposed traffic moves always need a human', 'approve');
	},
};

export const FAILOVER_RULES: readonly Rule<FailoverContext>[] = [
	namespaceRule,
	sourceRule(['alert', 'manual', 'llm']),
	regionsAllowedRule,
	freezeRule,
	dwellRule,
	flipRateRule,
	circuitBreakerRule,
	activeRegionRule,
	trafficStateRule,
	resolvedRule,
	fromHealthyRule,
	lastHealthyRule,
	targetReadyRule,
	targetErrorRule,
	targetPoolsRule,
	capacityRule,
	llmRule,
];

export function runFailover({ input, policy, state, nowMs }: FamilyArgs<FailoverInput>, action: 'failover' | 'failback'): FamilyResult {
	const parsed = validateFailoverState(state, action);
	const context: FailoverContext | null =
		parsed.ok && input !== null && policy !== null && nowMs !== null
			? {
					...baseContext(input.action, input.proposal, policy, nowMs, parsed.state),
					input,
					state: parsed.state,
					failover: policy.failover,
					from: input.proposal.from,
					to: input.proposal.to,
					fromRegion: region(input, input.proposal.from),
					toRegion: region(input, input.proposal.to),
				}
			: null;
	return {
		stateCheck: stateCheck(parsed.ok ? null : parsed.issues),
		checks: runRules(FAILOVER_RULES, context, INVALID_INPUTS),
		baseline: 'apply',
		value: (decision) => (context !== null && (decision === 'apply' || decision === 'approve') ? context.to : null),
		scope: (decision) => (context !== null && (decision === 'apply' || decision === 'approve') ? scopeOf(context) : undefined),
		summary: () => (context === null ? action : `all checks passed: ${action} ${context.target.name} from ${context.from} to ${context.to}`),
	};
}
