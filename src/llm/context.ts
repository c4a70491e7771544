import type { ResolvedLimits } from './limits';
import { quoteForReason } from './text';
import type { AdviceLoop, Target } from './types';
import { isRecord } from '../shared/records';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../shared/kubernetesNames';

// The fields of a context that bind a proposal. They come from our own
// deterministic code, but a context built from an n8n item is still JSON of
// unknown shape, so each is checked here with the rules the Policy Gate applies.

export const MAX_INT32 = 2_147_483_647;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const CLUSTER = /^[A-Za-z0-9]([-A-Za-z0-9_.:]{0,251}[A-Za-z0-9])?$/;
const API_VERSION = /^([a-z0-9.-]+\/)?v[0-9]+[a-z0-9]*$/;
export const REGION_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const MAX_REGIONS = 100;

export interface ScalingFacts {
	loop: 'scaling';
	target: Target;
	current: number;
	deterministic: number | null;
	minReplicas: number | null;
	maxReplicas: number | null;
	/** Smallest replica count the advisor accepts from a model. */
	lower: number;
	/** Largest replica count the advisor accepts from a model, and why. */
	upper: number;
	upperBasis: string;
}

export interface FailoverFacts {
	loop: 'failover';
	target: Target;
	regions: string[];
	activeRegions: string[] | null;
	deterministic: { action: string; from?: string; to?: string } | null;
}

export interface CanaryFacts {
	loop: 'canary';
	target: Target;
	deterministic: { action: string } | null;
}

export type Facts = ScalingFacts | FailoverFacts | CanaryFacts;

export type FactsResult = { ok: true; facts: Facts } | { ok: false; problem: string };

type Dict = Record<string, unknown>;

class ContextProblem extends Error {}

function own(object: Dict, key: string): unknown {
	return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function problem(path: string, message: string): never {
	throw new ContextProblem(`context.${path} ${message}`);
}

function dict(parent: Dict, key: string, path: string, required: boolean): Dict | undefined {
	const value = own(parent, key);
	if (value === undefined || value === null) return required ? problem(path, 'is missing') : undefined;
	return isRecord(value) ? value : problem(path, `must be an object, got ${quoteForReason(value)}`);
}

function text(parent: Dict, key: string, path: string, pattern: RegExp, what: string, required: boolean): string | undefined {
	const value = own(parent, key);
	if (value === undefined || value === null) return required ? problem(path, 'is missing') : undefined;
	if (typeof value !== 'string' || !pattern.test(value)) return problem(path, `${quoteForReason(value)} is not ${what}`);
	return value;
}

function count(parent: Dict | undefined, key: string, path: string, required: boolean): number | null {
	const value = parent === undefined ? undefined : own(parent, key);
	if (value === undefined || value === null) return required ? problem(path, 'is missing') : null;
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_INT32) {
		return problem(path, `must be a whole number between 0 and ${MAX_INT32}, got ${quoteForReason(value)}`);
	}
	return value;
}

function readTarget(context: Dict): Target {
	const target = dict(context, 'target', 'target', true) as Dict;
	const bound: Target = {
		cluster: text(target, 'cluster', 'target.cluster', CLUSTER, 'a cluster name', true) as string,
		namespace: text(target, 'namespace', 'target.namespace', DNS_LABEL, 'a Kubernetes namespace name', true) as string,
		kind: text(target, 'kind', 'target.kind', KIND, 'a Kubernetes kind such as Deployment', true) as string,
		name: text(target, 'name', 'target.name', DNS_SUBDOMAIN, 'a Kubernetes object name', true) as string,
	};
	const apiVersion = text(target, 'apiVersion', 'target.apiVersion', API_VERSION, 'an apiVersion such as apps/v1', false);
	if (apiVersion !== undefined) bound.apiVersion = apiVersion;
	return bound;
}

function readScaling(context: Dict, limits: ResolvedLimits): ScalingFacts {
	const target = readTarget(context);
	const current = count(dict(context, 'current', 'current', true), 'replicas', 'current.replicas', true) as number;
	const deterministic = count(dict(context, 'deterministic', 'deterministic', false), 'replicas', 'deterministic.replicas', false);
	const policy = dict(context, 'policy', 'policy', false);
	const minReplicas = count(policy, 'minReplicas', 'policy.minReplicas', false);
	const maxReplicas = count(policy, 'maxReplicas', 'policy.maxReplicas', false);
	const { upper, upperBasis } = upperBound(current, deterministic, maxReplicas, limits.replicaHardCap);
	// Zero replicas is an outage; the gate never lets an automated source do it, and
	// a model asking for it is far more likely confused or manipulated than right.
	const lower = current > 0 ? 1 : 0;
	return { loop: 'scaling', target, current, deterministic, minReplicas, maxReplicas, lower, upper, upperBasis };
}

// "Absurd" is judged against what this workload could plausibly need, not against
// the policy (the gate clamps to the policy): twice its ceiling, or ten times what
// it runs or was recommended, never above the hard cap. Keeping the current count
// or following the deterministic recommendation is always within bounds.
function upperBound(current: number, deterministic: number | null, maxReplicas: number | null, hardCap: number): { upper: number; upperBasis: string } {
	let upper: number;
	let upperBasis: string;
	if (maxReplicas !== null && maxReplicas > 0) {
		upper = maxReplicas * 2;
		upperBasis = `2 × policy maxReplicas ${maxReplicas}`;
	} else {
		const base = Math.max(current, deterministic ?? 0, 1);
		upper = base * 10;
		upperBasis = `10 × ${deterministic !== null && deterministic > current ? `deterministic ${deterministic}` : `current ${current}`}`;
	}
	if (upper > hardCap) {
		upper = hardCap;
		upperBasis = `hard cap ${hardCap}`;
	}
	const floor = Math.max(current, deterministic ?? 0);
	if (upper < floor) {
		upper = floor;
		upperBasis = floor === current ? `current ${current}` : `deterministic ${floor}`;
	}
	return { upper, upperBasis };
}

function regionList(value: unknown, path: string): string[] {
	if (!Array.isArray(value)) return problem(path, `must be a list of region names, got ${quoteForReason(value)}`);
	if (value.length > MAX_REGIONS) return problem(path, `lists ${value.length} regions, more than ${MAX_REGIONS}`);
	value.forEach((region, index) => {
		if (typeof region !== 'string' || !REGION_NAME.test(region)) problem(`${path}[${index}]`, `${quoteForReason(region)} is not a region name`);
	});
	return [...new Set(value as string[])];
}

function readFailover(context: Dict): FailoverFacts {
	const target = readTarget(context);
	let regions: string[];
	if (own(context, 'regions') !== undefined) regions = regionList(own(context, 'regions'), 'regions');
	else {
		const evidenceRegions = dict(dict(context, 'evidence', 'evidence', false) ?? {}, 'regions', 'evidence.regions', false);
		regions = regionList(Object.keys(evidenceRegions ?? {}), 'evidence.regions');
	}
	const policy = dict(context, 'policy', 'policy', false);
	const allowed = policy && own(policy, 'allowedRegions') !== undefined ? regionList(own(policy, 'allowedRegions'), 'policy.allowedRegions') : null;
	if (allowed !== null) regions = regions.filter((region) => allowed.includes(region));
	const active = own(context, 'activeRegions');
	const activeRegions = active === undefined || active === null ? null : regionList(active, 'activeRegions');
	const deterministic = dict(context, 'deterministic', 'deterministic', false);
	return {
		loop: 'failover',
		target,
		regions,
		activeRegions,
		deterministic: deterministic === undefined ? null : readDeterministicMove(deterministic),
	};
}

function readDeterministicMove(deterministic: Dict): { action: string; from?: string; to?: string } {
	const action = text(deterministic, 'action', 'deterministic.action', /^[a-z][a-z-]{0,31}$/, 'an action name', true) as string;
	const move: { action: string; from?: string; to?: string } = { action };
	const from = text(deterministic, 'from', 'deterministic.from', REGION_NAME, 'a region name', false);
	const to = text(deterministic, 'to', 'deterministic.to', REGION_NAME, 'a region name', false);
	if (from !== undefined) move.from = from;
	if (to !== undefined) move.to = to;
	return move;
}

function readCanary(context: Dict): CanaryFacts {
	const target = readTarget(context);
	const deterministic = dict(context, 'deterministic', 'deterministic', false);
	const action = deterministic === undefined ? undefined : text(deterministic, 'action', 'deterministic.action', /^[a-z][a-z-]{0,31}$/, 'an action name', true);
	return { loop: 'canary', target, deterministic: action === undefined ? null : { action } };
}

/** The trusted facts of a context, or the first problem that stops a proposal from being bound. */
export function readFacts(loop: AdviceLoop, context: unknown, limits: ResolvedLimits): FactsResult {
	if (!isRecord(context)) return { ok: false, problem: `context must be an object, got ${quoteForReason(context)}` };
	try {
		if (loop === 'scaling') return { ok: true, facts: readScaling(context, limits) };
		if (loop === 'failover') return { ok: true, facts: readFailover(context) };
		return { ok: true, facts: readCanary(context) };
	} catch (error) {
		if (error instanceof ContextProblem) return { ok: false, problem: error.message };
		throw error;
	}
}
