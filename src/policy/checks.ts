import type { Check, CheckEffect, Decision, Measure } from './types';

// Verdicts must survive JSON.stringify unchanged (n8n items, CLI output, hashes),
// so NaN and Infinity from hostile input are reported as text.
export function measure(value: unknown): Measure {
	if (value === undefined || value === null) return null;
	if (typeof value === 'number') return Number.isFinite(value) ? roundForDisplay(value) : String(value);
	if (typeof value === 'string' || typeof value === 'boolean') return value;
	if (Array.isArray(value)) return value.map((item) => (Array.isArray(item) ? null : (measure(item) as Exclude<Measure, unknown[]>)));
	return null;
}

// Floating-point noise (0.30000000000000004) makes details unreadable and hashes
// needlessly fragile; 9 significant digits is far beyond any policy's precision.
function roundForDisplay(value: number): number {
	if (Number.isInteger(value)) return value;
	return Number(value.toPrecision(9));
}

export function check(rule: string, passed: boolean, measured: unknown, limit: unknown, detail: string, onFail: CheckEffect): Check {
	return { rule, passed, measured: measure(measured), limit: measure(limit), detail, onFail };
}

export function notEvaluated(rule: string, onFail: CheckEffect, why: string): Check {
	return check(rule, false, null, null, `not evaluated: ${why}`, onFail);
}

const PRECEDENCE: readonly Decision[] = ['reject', 'hold', 'approve', 'apply'];

// The most conservative failing check wins, so the order of rules in a family
// decides only which check is named as the reason, never a less safe outcome.
export function decide(checks: readonly Check[], baseline: Decision): { decision: Decision; decidedBy: Check | null } {
	for (const decision of PRECEDENCE) {
		const decisive = checks.find((item) => !item.passed && item.onFail === decision);
		if (decisive !== undefined) return { decision, decidedBy: decisive };
	}
	return { decision: baseline, decidedBy: null };
}

export interface Rule<Context> {
	rule: string;
	onFail: CheckEffect;
	evaluate(context: Context): Check;
}

export function runRules<Context>(rules: readonly Rule<Context>[], context: Context | null, why: string): Check[] {
	if (context === null) return rules.map((rule) => notEvaluated(rule.rule, rule.onFail, why));
	return rules.map((rule) => rule.evaluate(context));
}

export function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function formatNumber(value: number): string {
	return String(roundForDisplay(value));
}
