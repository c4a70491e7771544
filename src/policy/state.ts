import { REGION_NAME } from './policy';
import { isPlainObject, type Plain } from '../shared/snapshot';
import { parseTimestamp } from '../shared/time';
import type { CanaryState, Issue, ProposalAction } from './types';
import { Fields, describe } from './validate';

// State is the loop's memory (last action, flips, failure counters). A misspelt
// key would silently switch off a cooldown or a circuit breaker, so unknown keys
// are refused here too.

export interface ParsedScaleState {
	lastActionAt: number | null;
	consecutiveErrors: number;
}

export interface ParsedFailoverState {
	lastFlipAt: number | null;
	flipTimes: number[];
	activeRegions: string[] | null;
	consecutiveErrors: number;
}

export interface ParsedCanaryState {
	consecutiveFailures: number;
	cumulativeFailures: number;
	noDataSince: number | null;
	consecutiveErrors: number;
}

export type StateResult<T> = { ok: true; state: T } | { ok: false; issues: Issue[] };

const STATE_KEYS: Record<ProposalAction, readonly string[]> = {
	scale: ['lastActionAt', 'consecutiveErrors'],
	failover: ['lastFlipAt', 'flipTimes', 'activeRegions', 'consecutiveErrors'],
	failback: ['lastFlipAt', 'flipTimes', 'activeRegions', 'consecutiveErrors'],
	rollback: ['consecutiveFailures', 'cumulativeFailures', 'noDataSince', 'consecutiveErrors'],
};

function open(value: Plain | undefined, action: ProposalAction, issues: Issue[]): Fields | null {
	if (value === undefined || value === null) return new Fields({}, 'state', issues);
	if (!isPlainObject(value)) {
		issues.push({ path: 'state', message: `must be an object, got ${describe(value)}`, fix: 'pass the loop state as an object, or nothing on the first run' });
		return null;
	}
	const fields = new Fields(value, 'state', issues);
	fields.onlyKeys(STATE_KEYS[action]);
	return fields;
}

function counter(fields: Fields, key: string): number {
	return fields.number(key, { integer: true, min: 0, max: 1_000_000 }) ?? 0;
}

function instant(fields: Fields, key: string): number | null {
	const text = fields.timestamp(key, { nullable: true });
	return typeof text === 'string' ? parseTimestamp(text) : null;
}

function result<T>(issues: Issue[], state: T): StateResult<T> {
	return issues.length > 0 ? { ok: false, issues } : { ok: true, state };
}

export function validateScaleState(value: Plain | undefined): StateResult<ParsedScaleState> {
	const issues: Issue[] = [];
	const fields = open(value, 'scale', issues);
	if (fields === null) return { ok: false, issues };
	return result(issues, { lastActionAt: instant(fields, 'lastActionAt'), consecutiveErrors: counter(fields, 'consecutiveErrors') });
}

export function validateFailoverState(value: Plain | undefined, action: 'failover' | 'failback'): StateResult<ParsedFailoverState> {
	const issues: Issue[] = [];
	const fields = open(value, action, issues);
	if (fields === null) return { ok: false, issues };
	const flips = fields.list('flipTimes', 1000) ?? [];
	const flipTimes: number[] = [];
	flips.forEach((item, index) => {
		const time = typeof item === 'string' ? parseTimestamp(item) : null;
		if (time === null) {
			issues.push({ path: `state.flipTimes[${index}]`, message: `must be an RFC 3339 timestamp, got ${describe(item)}`, fix: 'store flip times like 2025-01-31T18:00:00Z' });
		} else flipTimes.push(time);
	});
	const activeRegions = fields.stringList('activeRegions', { maxItems: 100, pattern: REGION_NAME, patternText: 'a region name', maxLength: 63 }) ?? null;
	return result(issues, {
		lastFlipAt: instant(fields, 'lastFlipAt'),
		flipTimes,
		activeRegions,
		consecutiveErrors: counter(fields, 'consecutiveErrors'),
	});
}

export function validateCanaryState(value: Plain | undefined): StateResult<ParsedCanaryState> {
	const issues: Issue[] = [];
	const fields = open(value, 'rollback', issues);
	if (fields === null) return { ok: false, issues };
	return result(issues, {
		consecutiveFailures: counter(fields, 'consecutiveFailures'),
		cumulativeFailures: counter(fields, 'cumulativeFailures'),
		noDataSince: instant(fields, 'noDataSince'),
		consecutiveErrors: counter(fields, 'consecutiveErrors'),
	});
}

export function canaryStateToJson(state: ParsedCanaryState, isoOf: (millis: number) => string): CanaryState {
	const out: CanaryState = {
		consecutiveFailures: state.consecutiveFailures,
		cumulativeFailures: state.cumulativeFailures,
		noDataSince: state.noDataSince === null ? null : isoOf(state.noDataSince),
	};
	if (state.consecutiveErrors > 0) out.consecutiveErrors = state.consecutiveErrors;
	return out;
}
