import { createHash } from 'node:crypto';
import type { Check } from '../policy/types';
import { redact } from '../shared/redact';
import type { ActionResult, DecisionRecord, EventOptions, KubernetesEvent, Outcome } from './types';

// kubectl and most dashboards show an Event's message in one line; the API
// server accepts more, but past 1 KiB messages are cut off by event recorders
// and unreadable in `kubectl describe`.
export const EVENT_MESSAGE_MAX_BYTES = 1024;

const COMPONENT = 'kube-ops';
// A decision is carried out in a few steps (weight, then scale; scale, then drain); more means a loop gone wrong.
const MAX_ACTIONS = 20;
const DEFAULT_PREFIX = 'kube-ops';
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

// Kinds the loops act on; a target may also name its apiVersion explicitly.
const API_VERSIONS: Record<string, string> = {
	Deployment: 'apps/v1',
	StatefulSet: 'apps/v1',
	ReplicaSet: 'apps/v1',
	DaemonSet: 'apps/v1',
	Service: 'v1',
	Ingress: 'networking.k8s.io/v1',
	HorizontalPodAutoscaler: 'autoscaling/v2',
	Rollout: 'argoproj.io/v1alpha1',
	Canary: 'flagger.app/v1beta1',
	HTTPRoute: 'gateway.networking.k8s.io/v1',
};

const OUTCOME_WORD: Record<Outcome, string> = {
	applied: 'Applied',
	failed: 'Failed',
	'awaiting-approval': 'AwaitingApproval',
	held: 'Held',
	rejected: 'Rejected',
	'dry-run': 'DryRun',
	pending: 'Pending',
	'no-proposal': 'NoProposal',
};

export function toKubernetesEvent(record: DecisionRecord, options: EventOptions = {}): KubernetesEvent {
	const prefix = options.keyPrefix ?? DEFAULT_PREFIX;
	const namespace = DNS_LABEL.test(record.target.namespace) ? record.target.namespace : 'default';
	const timestamp = record.time.replace(/\.\d+Z$/, 'Z');
	const verdict = record.verdict;
	const labels: Record<string, string> = { [`${prefix}/loop`]: record.loop, [`${prefix}/outcome`]: record.outcome };
	if (LABEL_VALUE.test(record.id) && record.id.length <= 63) labels[`${prefix}/decision-id`] = record.id;
	const annotations: Record<string, string> = {
		[`${prefix}/decision-id`]: record.id,
		[`${prefix}/loop`]: record.loop,
		[`${prefix}/outcome`]: record.outcome,
		[`${prefix}/cluster`]: record.target.cluster,
		// What was done so far, readable by the next writer of this decision's one Event (see actionsOf).
		[`${prefix}/actions`]: JSON.stringify(record.actions.slice(-MAX_ACTIONS).map(({ action, status, error, at }) => ({ action, status, ...(error === undefined ? {} : { error: truncateUtf8(redact(error), 300) }), ...(at === undefined ? {} : { at }) }))),
	};
	if (verdict !== null) {
		annotations[`${prefix}/decision`] = verdict.decision;
		annotations[`${prefix}/proposal-hash`] = verdict.proposalHash;
		annotations[`${prefix}/verdict-hash`] = verdict.verdictHash;
		if (verdict.policyHash !== null) annotations[`${prefix}/policy-hash`] = verdict.policyHash;
	}
	const involvedObject: KubernetesEvent['involvedObject'] = { kind: record.target.kind, name: record.target.name, namespace };
	const apiVersion = record.target.apiVersion ?? API_VERSIONS[record.target.kind];
	if (apiVersion !== undefined) involvedObject.apiVersion = apiVersion;
	return {
		apiVersion: 'v1',
		kind: 'Event',
		metadata: { name: eventName(record), namespace, labels, annotations },
		involvedObject,
		reason: eventReason(record),
		// Redacted before truncation, so a cut never leaves half a secret unmatched.
		message: truncateUtf8(redact(composeMessage(record)), EVENT_MESSAGE_MAX_BYTES),
		type: eventType(record),
		action: verdict?.action ?? record.loop,
		source: { component: COMPONENT },
		reportingComponent: COMPONENT,
		reportingInstance: (options.reportingInstance ?? 'n8n').slice(0, 128),
		firstTimestamp: timestamp,
		lastTimestamp: timestamp,
		count: 1,
	};
}

function eventReason(record: DecisionRecord): string {
	const what = subject(record);
	return what === 'Canary' && record.outcome === 'applied' ? 'CanaryRolledBack' : `${what}${OUTCOME_WORD[record.outcome]}`;
}

function subject(record: DecisionRecord): string {
	if (record.loop === 'scaling') return 'Scale';
	if (record.loop === 'canary') return 'Canary';
	return record.verdict?.action === 'failback' ? 'Failback' : 'Failover';
}

// Warning is for what an on-call human should look at: refusals, failures,
// pending approvals, traffic moved or a rollback made, and open breakers.
function eventType(record: DecisionRecord): 'Normal' | 'Warning' {
	if (record.outcome === 'failed' || record.outcome === 'rejected' || record.outcome === 'awaiting-approval') return 'Warning';
	if (record.loop !== 'scaling' && record.outcome === 'applied') return 'Warning';
	if (record.verdict?.decidedBy === 'circuitBreaker') return 'Warning';
	if (record.loop === 'canary' && record.verdict?.value === 'pause') return 'Warning';
	return 'Normal';
}

function composeMessage(record: DecisionRecord): string {
	const { target, verdict } = record;
	// The id goes first so it survives truncation.
	const parts = [`[${record.id}] ${record.loop} ${target.kind}/${target.name} in ${target.cluster}: ${record.outcome}`];
	const input = summarizeInput(record);
	if (input !== '') parts.push(input);
	if (verdict !== null) {
		const value = verdict.value === null ? '' : ` → ${verdict.value}`;
		parts.push(`${verdict.decision}${value}. ${verdict.reason}`);
		const failed = verdict.checks.filter((item) => !item.passed && item.onFail !== 'note');
		const passed = verdict.checks.filter((item) => item.passed).length;
		parts.push(`checks ${passed}/${verdict.checks.length} passed${failed.length > 0 ? `; failed: ${failed.map(brief).join(', ')}` : ''}`);
		const clamps = verdict.checks.filter((item) => item.rule.startsWith('clamp.') && item.passed && /^(clamped|raised|lowered) /.test(item.detail));
		if (clamps.length > 0) parts.push(`clamps: ${clamps.map((item) => `${item.rule} ${item.detail}`).join('; ')}`);
	}
	if (record.actions.length > 0) {
		parts.push(`actions: ${record.actions.map((action) => `${action.action} ${action.status}${action.error === undefined ? '' : ` (${action.error})`}`).join(', ')}`);
	}
	return parts.join(' | ');
}

function summarizeInput({ input }: DecisionRecord): string {
	const parts: string[] = [];
	if (input.alert !== undefined) parts.push(`alert ${input.alert.name} ${input.alert.status}`);
	if (input.forecast !== undefined) {
		const { model, horizon, predicted, mape } = input.forecast;
		const fields = [model, horizon === undefined ? undefined : `horizon ${horizon}`, predicted === undefined ? undefined : `predicted ${predicted}`, mape === undefined ? undefined : `mape ${mape}`];
		parts.push(`forecast ${fields.filter((field) => field !== undefined).join(' ')}`.trim());
	}
	if (input.window !== undefined) parts.push(`window ${input.window}`);
	if (input.query !== undefined) parts.push(`query ${clip(input.query, 120)}`);
	if (input.note !== undefined) parts.push(clip(input.note, 120));
	return parts.length === 0 ? '' : `input: ${parts.join(', ')}`;
}

function clip(text: string, maxChars: number): string {
	const chars = Array.from(text);
	return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : text;
}

function brief(item: Check): string {
	return `${item.rule} (${String(item.measured)} vs ${String(item.limit)})`;
}

export function truncateUtf8(text: string, maxBytes: number): string {
	if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
	const ellipsis = '…';
	const budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
	let used = 0;
	let out = '';
	// Iterating by code point never splits a surrogate pair or a UTF-8 sequence.
	for (const char of text) {
		const size = Buffer.byteLength(char, 'utf8');
		if (used + size > budget) break;
		out += char;
		used += size;
	}
	return out + ellipsis;
}

// Kubernetes' own recorders name events <object>.<hex>; the hex here comes from
// the decision id so rewriting the same record is idempotent.
function eventName(record: DecisionRecord): string {
	const suffix = createHash('sha256').update(record.id, 'utf8').digest('hex').slice(0, 16);
	const base = record.target.name
		.toLowerCase()
		.replace(/[^a-z0-9.-]/g, '-')
		.replace(/\.{2,}/g, '.')
		.slice(0, 253 - suffix.length - 1)
		.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
		.replace(/[-.]*\.[-.]*/g, '.');
	return `${base === '' ? COMPONENT : base}.${suffix}`;
}

const ACTION_STATUSES: readonly ActionResult['status'][] = ['succeeded', 'failed', 'skipped', 'dry-run'];

/** The actions an Event of this decision already carries; anything unreadable counts as none (the Event is only a record). */
export function actionsOf(event: { metadata?: { annotations?: Record<string, string> } } | undefined, prefix = DEFAULT_PREFIX): ActionResult[] {
	const raw = event?.metadata?.annotations?.[`${prefix}/actions`];
	if (raw === undefined) return [];
	try {
		const parsed = JSON.parse(raw) as unknown;
		if (!Array.isArray(parsed)) return [];
		return parsed
			.filter((item): item is ActionResult => typeof item === 'object' && item !== null && typeof item.action === 'string' && ACTION_STATUSES.includes(item.status))
			.map(({ action, status, error, at }) => ({ action, status, ...(typeof error === 'string' ? { error } : {}), ...(typeof at === 'string' ? { at } : {}) }));
	} catch {
		return [];
	}
}

/** Both lists in order, each action said once: the record step repeats the step that made the change. */
export function mergeActions(earlier: readonly ActionResult[], later: readonly ActionResult[]): ActionResult[] {
	const merged = [...earlier];
	for (const action of later) {
		if (!merged.some((seen) => seen.action === action.action && seen.status === action.status)) merged.push(action);
	}
	return merged.slice(-MAX_ACTIONS);
}
