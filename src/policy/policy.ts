import { hashPlain } from '../shared/hash';
import { isPlainObject, snapshot, type Plain } from '../shared/snapshot';
import { isoString, parseTimestamp } from '../shared/time';
import {
	PROPOSAL_ACTIONS,
	type CanaryPolicy,
	type AccuracyGate,
	type ChangeFreeze,
	type FailoverPolicy,
	type GatedAction,
	type Issue,
	type PolicyResult,
	type ResolvedPolicy,
	type TrafficTarget,
} from './types';
import { DNS_LABEL, Fields, MAX_INT32, describe } from './validate';

export const SCALING_DEFAULTS = {
	maxStepUpPercent: 100,
	maxStepUpPods: 4,
	allowScaleIn: false,
	maxStepDownPercent: 10,
	cooldownSeconds: 300,
	approvalFactor: 10,
	approvalTimeoutSeconds: 3600,
	// Picked from the replay benchmark (bench/results/simulate.md, "Accuracy gate"): series pre-scaling
	// clearly helps on forecast within it, those it does not help on miss it.
	maxWape: 0.25,
	llmMaxDeviationPercent: 25,
	maxConsecutiveErrors: 3,
} as const;

export const FAILOVER_DEFAULTS: FailoverPolicy = {
	minDwellSeconds: 600,
	maxFlipsPerHour: 2,
	resolveDwellSeconds: 900,
	minReadyFraction: 0.9,
	maxErrorRate: 0.01,
	capacityHeadroomPercent: 10,
};

export const CANARY_DEFAULTS: CanaryPolicy = {
	maxErrorRate: 0.005,
	maxP99LatencyMs: 200,
	maxErrorRateRatio: 1.5,
	maxP99LatencyRatio: 1.5,
	minRequests: 100,
	consecutiveFailures: 3,
	cumulativeFailures: 5,
	noDataTimeoutSeconds: 600,
};

// Failover away from a broken region and rolling back a bad canary are
// remediations; a freeze that blocked them would prolong the incident it exists
// to prevent. Teams that want them frozen list them in the window's actions.
export const DEFAULT_FREEZE_ACTIONS: readonly GatedAction[] = ['scale', 'failback'];

const MAX_SECONDS = 31_536_000;
export const REGION_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const TOP_LEVEL_KEYS = [
	'name',
	'description',
	'minReplicas',
	'maxReplicas',
	'maxStepUpPercent',
	'maxStepUpPods',
	'allowScaleIn',
	'maxStepDownPercent',
	'cooldownSeconds',
	'approvalFactor',
	'approvalTimeoutSeconds',
	'accuracyGate',
	'allowedNamespaces',
	'changeFreezes',
	'llmMaxDeviationPercent',
	'maxConsecutiveErrors',
	'failover',
	'canary',
] as const;

export function validatePolicy(input: unknown): PolicyResult {
	const copy = snapshot(input);
	if (!copy.ok) {
		return { ok: false, issues: [{ path: `policy${copy.path.slice(1)}`, message: copy.problem, fix: 'pass the policy as plain JSON data' }] };
	}
	return validatePlainPolicy(copy.value);
}

export function validatePlainPolicy(value: Plain | undefined): PolicyResult {
	if (!isPlainObject(value)) {
		const fix = 'write the policy as a mapping, e.g. minReplicas: 2 and maxReplicas: 20';
		return { ok: false, issues: [{ path: 'policy', message: `must be an object, got ${describe(value)}`, fix }] };
	}
	const issues: Issue[] = [];
	const root = new Fields(value, '', issues);
	root.onlyKeys(TOP_LEVEL_KEYS);
	const policy = resolve(root);
	if (issues.length > 0) return { ok: false, issues };
	return { ok: true, policy, policyHash: hashPlain(policy as unknown as Plain) };
}

function resolve(root: Fields): ResolvedPolicy {
	const d = SCALING_DEFAULTS;
	const policy: ResolvedPolicy = {
		maxStepUpPercent: root.number('maxStepUpPercent', { min: 0, max: 10_000 }) ?? d.maxStepUpPercent,
		maxStepUpPods: root.number('maxStepUpPods', { integer: true, min: 0, max: MAX_INT32 }) ?? d.maxStepUpPods,
		allowScaleIn: root.boolean('allowScaleIn') ?? d.allowScaleIn,
		maxStepDownPercent: root.number('maxStepDownPercent', { min: 0, max: 100 }) ?? d.maxStepDownPercent,
		cooldownSeconds: root.number('cooldownSeconds', { min: 0, max: MAX_SECONDS }) ?? d.cooldownSeconds,
		approvalFactor:
			root.number('approvalFactor', { min: 1, max: 1_000_000, fix: 'set approvalFactor to at least 1 (10 means "a 10x jump needs a human")' }) ??
			d.approvalFactor,
		approvalTimeoutSeconds: root.number('approvalTimeoutSeconds', { min: 60, max: 7 * 86_400, fix: 'set approvalTimeoutSeconds between 60 and 604800 (one week)' }) ?? d.approvalTimeoutSeconds,
		accuracyGate: readAccuracyGate(root),
		changeFreezes: readFreezes(root),
		llmMaxDeviationPercent: root.number('llmMaxDeviationPercent', { min: 0, max: 10_000 }) ?? d.llmMaxDeviationPercent,
		maxConsecutiveErrors: root.number('maxConsecutiveErrors', { integer: true, min: 1, max: 1000 }) ?? d.maxConsecutiveErrors,
		failover: readFailover(root),
		canary: readCanary(root),
	};
	const name = root.string('name');
	if (name !== undefined) policy.name = name;
	const description = root.string('description', { maxLength: 4096 });
	if (description !== undefined) policy.description = description;
	const namespaces = root.stringList('allowedNamespaces', {
		maxItems: 1000,
		nonEmpty: true,
		pattern: DNS_LABEL,
		patternText: 'a Kubernetes namespace name (lowercase letters, digits, -)',
		maxLength: 63,
	});
	if (namespaces !== undefined) policy.allowedNamespaces = namespaces;
	readReplicaBounds(root, policy);
	return policy;
}

function readReplicaBounds(root: Fields, policy: ResolvedPolicy): void {
	const min = root.number('minReplicas', { integer: true, min: 0, max: MAX_INT32 });
	const max = root.number('maxReplicas', {
		integer: true,
		min: 1,
		max: MAX_INT32,
		fix: 'set maxReplicas to a positive integer; a ceiling of 0 would scale the workload away',
	});
	if (root.has('minReplicas') !== root.has('maxReplicas')) {
		const absent = root.has('minReplicas') ? 'maxReplicas' : 'minReplicas';
		root.missing(absent, 'scaling needs both minReplicas and maxReplicas; add the missing one');
		return;
	}
	if (min === undefined || max === undefined) return;
	if (max < min) {
		root.problem('maxReplicas', `(${max}) is below minReplicas (${min})`, `raise maxReplicas to at least ${min} or lower minReplicas to at most ${max}`);
		return;
	}
	policy.minReplicas = min;
	policy.maxReplicas = max;
}

const GATE_METRICS = [
	['maxWape', 'write 0.25 for a 25% weighted absolute percentage error'],
	['maxMape', 'write 0.15 for 15% mean absolute percentage error'],
	['maxMase', 'a ratio to the seasonal naive error, e.g. 1.0'],
] as const;

function readAccuracyGate(root: Fields): AccuracyGate {
	const gate = root.object('accuracyGate');
	if (gate === undefined) return { maxWape: SCALING_DEFAULTS.maxWape };
	gate.onlyKeys(GATE_METRICS.map(([key]) => key));
	const resolved: AccuracyGate = {};
	for (const [key, fix] of GATE_METRICS) {
		const value = gate.number(key, { min: 0, max: key === 'maxMase' ? 100 : 1, fix: key === 'maxMase' ? `maxMase is ${fix}` : `${key} is a fraction: ${fix}` });
		if (value !== undefined) resolved[key] = value;
	}
	if (GATE_METRICS.every(([key]) => !gate.has(key))) {
		root.problem('accuracyGate', 'names no limit', `give at least one of maxWape, maxMape, maxMase (or leave accuracyGate out for maxWape ${SCALING_DEFAULTS.maxWape})`);
	}
	return resolved;
}

function readFreezes(root: Fields): ChangeFreeze[] {
	const items = root.list('changeFreezes', 1000);
	if (items === undefined) return [];
	const freezes: ChangeFreeze[] = [];
	items.forEach((item, index) => {
		const path = `changeFreezes[${index}]`;
		if (!isPlainObject(item)) {
			root.issues.push({ path, message: `must be an object, got ${describe(item)}`, fix: `write ${path} as { start, end, reason }` });
			return;
		}
		const window = new Fields(item, path, root.issues);
		window.onlyKeys(['start', 'end', 'reason', 'actions']);
		const start = window.has('start') ? window.timestamp('start') : window.missing('start', `add ${path}.start, e.g. 2025-11-28T00:00:00Z`);
		const end = window.has('end') ? window.timestamp('end') : window.missing('end', `add ${path}.end, e.g. 2025-12-01T00:00:00Z`);
		const reason = window.string('reason', { maxLength: 1024 });
		const actions =
			window.stringList('actions', { maxItems: PROPOSAL_ACTIONS.length, nonEmpty: true, oneOf: PROPOSAL_ACTIONS }) ?? DEFAULT_FREEZE_ACTIONS;
		if (typeof start !== 'string' || typeof end !== 'string') return;
		const startMs = parseTimestamp(start) ?? 0;
		const endMs = parseTimestamp(end) ?? 0;
		if (endMs <= startMs) {
			window.problem('end', `(${end}) is not after start (${start})`, `set ${path}.end later than ${path}.start`);
			return;
		}
		// Canonical UTC text, so a YAML date and a JSON string give the same policy hash.
		const freeze: ChangeFreeze = { start: isoString(startMs), end: isoString(endMs), actions: [...actions] as GatedAction[] };
		if (reason !== undefined) freeze.reason = reason;
		freezes.push(freeze);
	});
	return freezes;
}

function readFailover(root: Fields): FailoverPolicy {
	const d = FAILOVER_DEFAULTS;
	const section = root.object('failover');
	if (section === undefined) return { ...d };
	section.onlyKeys([...Object.keys(d), 'allowedRegions', 'trafficTargets']);
	const policy: FailoverPolicy = {
		minDwellSeconds: section.number('minDwellSeconds', { min: 0, max: MAX_SECONDS }) ?? d.minDwellSeconds,
		maxFlipsPerHour: section.number('maxFlipsPerHour', { integer: true, min: 0, max: 3600 }) ?? d.maxFlipsPerHour,
		resolveDwellSeconds: section.number('resolveDwellSeconds', { min: 0, max: MAX_SECONDS }) ?? d.resolveDwellSeconds,
		minReadyFraction: section.number('minReadyFraction', { min: 0, max: 1, fix: 'write a fraction, e.g. 0.9 for 90% ready' }) ?? d.minReadyFraction,
		maxErrorRate: section.number('maxErrorRate', { min: 0, max: 1, fix: 'write a fraction, e.g. 0.01 for 1% errors' }) ?? d.maxErrorRate,
		capacityHeadroomPercent: section.number('capacityHeadroomPercent', { min: 0, max: 1000 }) ?? d.capacityHeadroomPercent,
	};
	const regions = section.stringList('allowedRegions', { maxItems: 1000, nonEmpty: true, pattern: REGION_NAME, patternText: 'a region name', maxLength: 63 });
	if (regions !== undefined) policy.allowedRegions = regions;
	const traffic = readTrafficTargets(section);
	if (traffic !== undefined) policy.trafficTargets = traffic;
	return policy;
}

// failover.trafficTargets: { us-east: { backend: be_app, server: us-east } }
function readTrafficTargets(section: Fields): Record<string, TrafficTarget> | undefined {
	const map = section.object('trafficTargets');
	if (map === undefined) return undefined;
	const out: Record<string, TrafficTarget> = {};
	for (const region of map.keys()) {
		const path = `failover.trafficTargets.${region}`;
		if (!REGION_NAME.test(region)) {
			map.problem(region, 'is not a region name', 'use the region names of the failover proposals (letters, digits, -, _ and .)');
			continue;
		}
		const entry = map.object(region);
		if (entry === undefined) continue;
		entry.onlyKeys(['backend', 'server']);
		const server = entry.has('server') ? entry.string('server', { maxLength: 253 }) : entry.missing('server', `add ${path}.server: the load-balancer server (HAProxy server, Cloudflare origin or pool, Kubernetes Service, Route 53 set identifier) of ${region}`);
		const backend = entry.string('backend', { maxLength: 253 });
		if (server === undefined) continue;
		out[region] = backend === undefined ? { server } : { backend, server };
	}
	return out;
}

function readCanary(root: Fields): CanaryPolicy {
	const d = CANARY_DEFAULTS;
	const section = root.object('canary');
	if (section === undefined) return { ...d };
	section.onlyKeys(Object.keys(d));
	return {
		maxErrorRate: section.number('maxErrorRate', { min: 0, max: 1, fix: 'write a fraction, e.g. 0.005 for 0.5% errors' }) ?? d.maxErrorRate,
		maxP99LatencyMs: section.number('maxP99LatencyMs', { above: 0, max: 3_600_000 }) ?? d.maxP99LatencyMs,
		maxErrorRateRatio: section.number('maxErrorRateRatio', { min: 1, max: 1000 }) ?? d.maxErrorRateRatio,
		maxP99LatencyRatio: section.number('maxP99LatencyRatio', { min: 1, max: 1000 }) ?? d.maxP99LatencyRatio,
		minRequests: section.number('minRequests', { min: 0, max: 1e12 }) ?? d.minRequests,
		consecutiveFailures: section.number('consecutiveFailures', { integer: true, min: 1, max: 1000 }) ?? d.consecutiveFailures,
		cumulativeFailures: section.number('cumulativeFailures', { integer: true, min: 1, max: 1000 }) ?? d.cumulativeFailures,
		noDataTimeoutSeconds: section.number('noDataTimeoutSeconds', { min: 0, max: MAX_SECONDS }) ?? d.noDataTimeoutSeconds,
	};
}
