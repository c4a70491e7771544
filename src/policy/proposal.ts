import { REGION_NAME } from './policy';
import { getOwn, isPlainObject, type Plain } from '../shared/snapshot';
import {
	PROPOSAL_ACTIONS,
	PROPOSAL_SOURCES,
	type AlertEvidence,
	type CanaryMetrics,
	type Evidence,
	type FailoverProposal,
	type Issue,
	type ProposalAction,
	type ProposalSource,
	type RegionEvidence,
	type RollbackProposal,
	type ScaleProposal,
	type Target,
	type TrafficAdmin,
	type TrafficState,
} from './types';
import { DNS_LABEL, DNS_SUBDOMAIN, Fields, MAX_INT32, describe } from './validate';

// Proposals are strict about their top level: an LLM that adds "force": true or
// "skipPolicy": true gets a reject that names the field, not a silent ignore.
// Free-form context belongs under evidence, which is only read where named.
const ENVELOPE_KEYS = ['action', 'source', 'target', 'evidence', 'id', 'createdAt', 'rationale'] as const;
const EXTRA_HINT = '; put extra context under evidence';

export interface ScaleInput {
	action: 'scale';
	proposal: ScaleProposal;
	/** The backtest scores the accuracy gate reads (fractions; MASE a ratio); null when the proposal has none. */
	mape: number | null;
	wape: number | null;
	mase: number | null;
	deterministicReplicas: number | null;
}

export interface FailoverInput {
	action: 'failover' | 'failback';
	proposal: FailoverProposal;
	regions: Record<string, RegionEvidence>;
	alert: AlertEvidence | null;
}

export interface RollbackInput {
	action: 'rollback';
	proposal: RollbackProposal;
	canary: CanaryMetrics | null;
	stable: CanaryMetrics | null;
	noData: boolean;
	providerError: string | null;
}

export type ProposalInput = ScaleInput | FailoverInput | RollbackInput;

export type ProposalResult = { ok: true; input: ProposalInput } | { ok: false; issues: Issue[]; action: ProposalAction | null };

export function readAction(value: Plain | undefined): ProposalAction | null {
	if (!isPlainObject(value)) return null;
	const action = getOwn(value, 'action');
	return typeof action === 'string' && (PROPOSAL_ACTIONS as readonly string[]).includes(action) ? (action as ProposalAction) : null;
}

export function validateProposal(value: Plain | undefined): ProposalResult {
	if (!isPlainObject(value)) {
		return fail([{ path: 'proposal', message: `must be an object, got ${describe(value)}`, fix: 'send the proposal as a JSON object' }], null);
	}
	const issues: Issue[] = [];
	const fields = new Fields(value, 'proposal', issues);
	const action = readAction(value);
	if (action === null) {
		if (!fields.has('action')) fields.missing('action', `set action to one of ${PROPOSAL_ACTIONS.join(', ')}`);
		else fields.string('action', { oneOf: PROPOSAL_ACTIONS });
		return fail(issues, null);
	}
	const envelope = readEnvelope(fields);
	let input: ProposalInput | undefined;
	if (action === 'scale') input = readScale(fields, envelope);
	else if (action === 'rollback') input = readRollback(fields, envelope);
	else input = readFailover(fields, envelope, action);
	if (issues.length > 0 || input === undefined) return fail(issues, action);
	return { ok: true, input };
}

function fail(issues: Issue[], action: ProposalAction | null): ProposalResult {
	return { ok: false, issues, action };
}

interface Envelope {
	source: ProposalSource | undefined;
	target: Target | undefined;
	evidence: Fields | undefined;
	optional: { id?: string; createdAt?: string; rationale?: string; evidence?: Evidence };
}

function readEnvelope(fields: Fields): Envelope {
	const source = fields.has('source')
		? (fields.string('source', { oneOf: PROPOSAL_SOURCES }) as ProposalSource | undefined)
		: fields.missing('source', `set source to one of ${PROPOSAL_SOURCES.join(', ')}`);
	const target = fields.has('target') ? readTarget(fields) : fields.missing('target', 'add target: { cluster, namespace, kind, name }');
	const evidence = fields.object('evidence');
	const optional: Envelope['optional'] = {};
	const id = fields.string('id', { maxLength: 253 });
	if (id !== undefined) optional.id = id;
	const createdAt = fields.timestamp('createdAt');
	if (typeof createdAt === 'string') optional.createdAt = createdAt;
	const rationale = fields.string('rationale', { maxLength: 16_384 });
	if (rationale !== undefined) optional.rationale = rationale;
	if (evidence !== undefined) optional.evidence = evidence.data as Evidence;
	return { source, target, evidence, optional };
}

function readTarget(parent: Fields): Target | undefined {
	const fields = parent.object('target');
	if (fields === undefined) return undefined;
	fields.onlyKeys(['cluster', 'namespace', 'kind', 'name', 'apiVersion']);
	const required = (key: string, read: () => string | undefined, example: string): string | undefined =>
		fields.has(key) ? read() : fields.missing(key, `add target.${key}, e.g. ${example}`);
	const cluster = required('cluster', () => fields.string('cluster'), 'prod-eu-1');
	const namespace = required(
		'namespace',
		() => fields.string('namespace', { pattern: DNS_LABEL, patternText: 'a Kubernetes namespace name', maxLength: 63 }),
		'shop',
	);
	const kind = required('kind', () => fields.string('kind', { pattern: /^[A-Z][A-Za-z0-9]*$/, patternText: 'a Kubernetes kind such as Deployment', maxLength: 63 }), 'Deployment');
	const name = required('name', () => fields.string('name', { pattern: DNS_SUBDOMAIN, patternText: 'a Kubernetes object name' }), 'checkout');
	const apiVersion = fields.string('apiVersion', { pattern: /^([a-z0-9.-]+\/)?v[0-9]+[a-z0-9]*$/, patternText: 'an apiVersion such as apps/v1' });
	if (cluster === undefined || namespace === undefined || kind === undefined || name === undefined) return undefined;
	const target: Target = { cluster, namespace, kind, name };
	if (apiVersion !== undefined) target.apiVersion = apiVersion;
	return target;
}

function replicas(parent: Fields, key: 'current' | 'proposed'): number | undefined {
	if (!parent.has(key)) return parent.missing(key, `add ${key}: { replicas: <integer> }`);
	const fields = parent.object(key);
	if (fields === undefined) return undefined;
	fields.onlyKeys(['replicas'], EXTRA_HINT);
	if (!fields.has('replicas')) return fields.missing('replicas', `add ${key}.replicas as a whole number`);
	return fields.number('replicas', { integer: true, min: 0, max: MAX_INT32, fix: `set ${key}.replicas to a whole number between 0 and ${MAX_INT32}` });
}

function readScale(fields: Fields, envelope: Envelope): ScaleInput | undefined {
	fields.onlyKeys([...ENVELOPE_KEYS, 'current', 'proposed'], EXTRA_HINT);
	const current = replicas(fields, 'current');
	const proposed = replicas(fields, 'proposed');
	const backtest = envelope.evidence?.object('backtest');
	const mape = backtest?.number('mape', { min: 0, fix: 'report evidence.backtest.mape as a non-negative fraction, e.g. 0.08' });
	const wape = backtest?.number('wape', { min: 0, fix: 'report evidence.backtest.wape as a non-negative fraction, e.g. 0.08' });
	const mase = backtest?.number('mase', { min: 0, fix: 'report evidence.backtest.mase as a non-negative ratio, e.g. 0.9' });
	const deterministic = envelope.evidence?.object('deterministic');
	const recommended = deterministic?.number('replicas', { integer: true, min: 0, max: MAX_INT32 });
	const { source, target } = envelope;
	if (source === undefined || target === undefined || current === undefined || proposed === undefined) return undefined;
	const proposal: ScaleProposal = { action: 'scale', source, target, current: { replicas: current }, proposed: { replicas: proposed }, ...envelope.optional };
	return { action: 'scale', proposal, mape: mape ?? null, wape: wape ?? null, mase: mase ?? null, deterministicReplicas: recommended ?? null };
}

function readFailover(fields: Fields, envelope: Envelope, action: 'failover' | 'failback'): FailoverInput | undefined {
	fields.onlyKeys([...ENVELOPE_KEYS, 'from', 'to', 'current'], EXTRA_HINT);
	const region = (key: 'from' | 'to'): string | undefined =>
		fields.has(key) ? fields.string(key, { pattern: REGION_NAME, patternText: 'a region name', maxLength: 63 }) : fields.missing(key, `add ${key}: <region>`);
	const from = region('from');
	const to = region('to');
	if (from !== undefined && from === to) fields.problem('to', `is the same region as from (${from})`, 'fail over to a different region');
	const regions = readRegions(envelope.evidence);
	const alert = readAlert(envelope.evidence);
	const traffic = readStatedTraffic(fields);
	const { source, target } = envelope;
	if (source === undefined || target === undefined || from === undefined || to === undefined) return undefined;
	const proposal: FailoverProposal = { action, source, target, from, to, ...(traffic ? { current: { traffic } } : {}), ...envelope.optional };
	return { action, proposal, regions, alert };
}

const TRAFFIC_ADMIN: readonly TrafficAdmin[] = ['ready', 'drain', 'maint'];

// current.traffic: { backend: be_app, servers: { us-east: ready, us-west: ready } }, as Load Balancer Drain's Status reports it.
function readStatedTraffic(fields: Fields): TrafficState | undefined {
	const current = fields.object('current');
	if (current === undefined) return undefined;
	current.onlyKeys(['traffic']);
	const traffic = current.has('traffic') ? current.object('traffic') : current.missing('traffic', 'state the load balancer as read (Load Balancer Drain, Status: its traffic field), or leave current out');
	if (traffic === undefined) return undefined;
	traffic.onlyKeys(['backend', 'servers']);
	const backend = traffic.string('backend', { maxLength: 253 });
	const map = traffic.has('servers') ? traffic.object('servers') : traffic.missing('servers', 'list each server of the backend with ready, drain or maint');
	if (map === undefined) return undefined;
	const names = map.keys();
	if (names.length === 0 || names.length > 100) return map.issues.push({ path: map.path, message: `lists ${names.length} servers`, fix: 'state between 1 and 100 servers: the backend the move happens in' }), undefined;
	const before = map.issues.length;
	// Null prototype: a server called "constructor" must not find Object.prototype's member.
	const servers = Object.create(null) as Record<string, TrafficAdmin>;
	for (const name of names) {
		if (name.length === 0 || name.length > 253 || /[\u0000-\u001f\u007f]/.test(name)) {
			map.problem(name, 'is not a server name', 'use the server names Load Balancer Drain reports');
			continue;
		}
		const admin = map.string(name, { oneOf: TRAFFIC_ADMIN });
		if (admin !== undefined) servers[name] = admin as TrafficAdmin;
	}
	if (map.issues.length !== before) return undefined;
	return backend === undefined ? { servers } : { backend, servers };
}

function readRegions(evidence: Fields | undefined): Record<string, RegionEvidence> {
	const map = evidence?.object('regions');
	// Null prototype: a region called "constructor" must not resolve to Object.prototype's.
	const regions = Object.create(null) as Record<string, RegionEvidence>;
	if (map === undefined) return regions;
	const names = Object.keys(map.data);
	if (names.length > 100) {
		map.issues.push({ path: map.path, message: `lists ${names.length} regions, more than 100`, fix: 'send only the regions involved' });
		return regions;
	}
	for (const name of names) {
		if (!REGION_NAME.test(name)) {
			map.problem(name, 'is not a valid region name', 'use letters, digits, - _ . (max 63)');
			continue;
		}
		const entry = map.object(name);
		if (entry === undefined) continue;
		const region: RegionEvidence = {};
		const fraction = { min: 0, max: 1, fix: 'report a fraction between 0 and 1' };
		assign(region, 'readyFraction', entry.number('readyFraction', fraction));
		assign(region, 'errorRate', entry.number('errorRate', fraction));
		assign(region, 'capacityReplicas', entry.number('capacityReplicas', { integer: true, min: 0, max: MAX_INT32 }));
		assign(region, 'requiredReplicas', entry.number('requiredReplicas', { min: 0, max: MAX_INT32 }));
		assign(region, 'healthyPools', entry.number('healthyPools', { integer: true, min: 0, max: 10_000 }));
		regions[name] = region;
	}
	return regions;
}

function assign<K extends keyof RegionEvidence>(region: RegionEvidence, key: K, value: RegionEvidence[K] | undefined): void {
	if (value !== undefined) region[key] = value;
}

function readAlert(evidence: Fields | undefined): AlertEvidence | null {
	const fields = evidence?.object('alert');
	if (fields === undefined) return null;
	const status = fields.has('status')
		? (fields.string('status', { oneOf: ['firing', 'resolved'] }) as AlertEvidence['status'] | undefined)
		: fields.missing('status', 'set evidence.alert.status to firing or resolved');
	const alert: AlertEvidence = { status: status ?? 'firing' };
	const name = fields.string('name');
	if (name !== undefined) alert.name = name;
	for (const key of ['startsAt', 'endsAt', 'resolvedSince'] as const) {
		const value = fields.timestamp(key, { nullable: true });
		if (typeof value === 'string') alert[key] = value;
	}
	return alert;
}

function readRollback(fields: Fields, envelope: Envelope): RollbackInput | undefined {
	fields.onlyKeys(ENVELOPE_KEYS, EXTRA_HINT);
	const canary = readMetrics(envelope.evidence, 'canary');
	const stable = readMetrics(envelope.evidence, 'stable');
	const noData = envelope.evidence?.boolean('noData') ?? false;
	const providerError = readProviderError(envelope.evidence);
	const { source, target } = envelope;
	if (source === undefined || target === undefined) return undefined;
	const proposal: RollbackProposal = { action: 'rollback', source, target, ...envelope.optional };
	return { action: 'rollback', proposal, canary, stable, noData, providerError };
}

function readProviderError(evidence: Fields | undefined): string | null {
	const value = evidence?.raw('providerError');
	if (value === undefined || value === null || value === false) return null;
	return evidence?.string('providerError', { maxLength: 4096 }) ?? null;
}

// NaN and null are what a Prometheus ratio returns with no traffic (0/0); they
// mean "no data" for that metric, not a malformed proposal.
function readMetrics(evidence: Fields | undefined, key: 'canary' | 'stable'): CanaryMetrics | null {
	const fields = evidence?.object(key);
	if (fields === undefined) return null;
	const metrics: CanaryMetrics = {};
	const requests = fields.number('requests', { min: 0, max: 1e15, fix: `report evidence.${key}.requests as a non-negative count` });
	if (requests !== undefined) metrics.requests = requests;
	const errorRate = noDataOr(fields, 'errorRate', { min: 0, max: 1, fix: 'report a fraction between 0 and 1, or null when unknown' });
	if (errorRate !== undefined) metrics.errorRate = errorRate;
	const p99 = noDataOr(fields, 'p99LatencyMs', { min: 0, max: 3.6e9, fix: 'report milliseconds, or null when unknown' });
	if (p99 !== undefined) metrics.p99LatencyMs = p99;
	return metrics;
}

function noDataOr(fields: Fields, key: string, rule: { min: number; max: number; fix: string }): number | null | undefined {
	const value: Plain | undefined = fields.raw(key);
	if (value === null || (typeof value === 'number' && Number.isNaN(value))) return null;
	return fields.number(key, rule);
}
