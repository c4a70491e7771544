import type { Plain } from '../shared/snapshot';
import type { Target, Verdict } from '../policy/types';

export type Loop = 'scaling' | 'failover' | 'canary';

export interface ForecastSummary {
	model?: string;
	horizon?: string;
	predicted?: number;
	mape?: number;
}

export interface AlertSummary {
	name: string;
	status: 'firing' | 'resolved';
	startsAt?: string;
	endsAt?: string;
	fingerprint?: string;
	severity?: string;
}

// What the loop looked at, small enough to read in an Event or a log line; the
// raw series stay in Prometheus.
export interface InputSummary {
	query?: string;
	window?: string;
	forecast?: ForecastSummary;
	alert?: AlertSummary;
	note?: string;
}

export interface ProposalEntry {
	proposal: Plain;
	proposalHash: string;
}

export type ActionStatus = 'succeeded' | 'failed' | 'skipped' | 'dry-run';

export interface ActionResult {
	action: string;
	status: ActionStatus;
	detail?: string;
	error?: string;
	at?: string;
}

export type Outcome = 'applied' | 'failed' | 'awaiting-approval' | 'held' | 'rejected' | 'dry-run' | 'pending' | 'no-proposal';

export interface DecisionRecord {
	id: string;
	time: string;
	loop: Loop;
	target: Target;
	input: InputSummary;
	proposals: ProposalEntry[];
	verdict: Verdict | null;
	actions: ActionResult[];
	outcome: Outcome;
}

export interface DecisionRecordInput {
	// Defaults to an id derived from loop, time, target, proposals and verdict.
	id?: string;
	time: Date | string | number;
	loop: Loop;
	target: Target;
	input?: InputSummary;
	proposals?: unknown[];
	verdict?: Verdict | null;
	actions?: ActionResult[];
}

export interface KubernetesEvent {
	apiVersion: 'v1';
	kind: 'Event';
	metadata: {
		name: string;
		namespace: string;
		labels: Record<string, string>;
		annotations: Record<string, string>;
	};
	involvedObject: {
		apiVersion?: string;
		kind: string;
		name: string;
		namespace: string;
	};
	reason: string;
	message: string;
	type: 'Normal' | 'Warning';
	action: string;
	source: { component: string };
	reportingComponent: string;
	reportingInstance: string;
	firstTimestamp: string;
	lastTimestamp: string;
	count: number;
}

export interface EventOptions {
	// Which n8n instance or workflow wrote the event.
	reportingInstance?: string;
	// Prefix for label and annotation keys.
	keyPrefix?: string;
}
