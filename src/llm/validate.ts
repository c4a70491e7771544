import { bindProposal } from './bind';
import { readFacts, type Facts, type FailoverFacts, type ScalingFacts } from './context';
import { extractJson, parseStrictJson, type Parsed } from './json';
import { resolveLimits, type ResolvedLimits } from './limits';
import { ACTIONS, OUTPUT_KEYS } from './schema';
import { sanitizeString } from './sanitize';
import { neutraliseMentions, quoteForReason } from './text';
import type { AdviceLimits, AdviceLoop, LlmProposal, Recommendation } from './types';

export type ValidationResult =
	| { ok: true; recommendation: Recommendation; proposal: LlmProposal | null; fenced: boolean }
	| { ok: false; reason: string };

export interface ValidateOptions {
	loop: AdviceLoop;
	/** The same context the prompt was built from; targets and bounds come from here. */
	context: unknown;
	/** Model name recorded in the proposal's evidence. */
	model?: string;
	limits?: AdviceLimits;
	/** Values that must not reappear in the reason (the provider API key). */
	knownSecrets?: readonly string[];
}

/**
 * Reads a model's Propose answer. Everything the model says is checked again here,
 * whatever response_format was used: strict JSON, known keys only, a known action,
 * numbers that are whole, finite and plausible for this workload, regions that the
 * context lists. The target is never read from the answer.
 */
export function validateAdvice(text: string, options: ValidateOptions): ValidationResult {
	const limits = resolveLimits(options.limits);
	const facts = readFacts(options.loop, options.context, limits);
	if (!facts.ok) return { ok: false, reason: `cannot bind a proposal: ${facts.problem}` };
	return validateWithFacts(text, facts.facts, options.context, limits, options.model ?? 'unknown', options.knownSecrets ?? []);
}

export function validateWithFacts(
	text: string,
	facts: Facts,
	context: unknown,
	limits: ResolvedLimits,
	model: string,
	knownSecrets: readonly string[],
): ValidationResult {
	if (text.length > limits.maxOutputChars) return { ok: false, reason: `model output is ${text.length} characters, more than the ${limits.maxOutputChars} accepted` };
	const extracted = extractJson(text);
	if (!extracted.ok) return { ok: false, reason: `model output is not valid JSON: ${extracted.error}` };
	if (extracted.json === '') return { ok: false, reason: 'model output is empty' };
	const parsed = parseStrictJson(extracted.json);
	if (!parsed.ok) return { ok: false, reason: `model output is not valid JSON: ${parsed.error}` };
	try {
		const recommendation = readRecommendation(parsed.value, facts, limits, knownSecrets);
		const proposal = bindProposal(recommendation, facts, context, model);
		return { ok: true, recommendation, proposal, fenced: extracted.wrapped };
	} catch (error) {
		if (error instanceof Rejection) return { ok: false, reason: `proposal rejected: ${error.message}` };
		throw error;
	}
}

class Rejection extends Error {}

function reject(message: string): never {
	throw new Rejection(message);
}

type Answer = { [key: string]: Parsed };

// Fields a manipulated model uses to redirect an action; named in the rejection so
// an SRE sees an attempted redirect, not a generic schema error.
const TARGET_FIELDS = new Set(['target', 'cluster', 'namespace', 'kind', 'name', 'deployment', 'service', 'workload', 'resource', 'source', 'current', 'region', 'regions']);

function readRecommendation(value: Parsed, facts: Facts, limits: ResolvedLimits, knownSecrets: readonly string[]): Recommendation {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		reject(`the answer must be a JSON object, got ${Array.isArray(value) ? 'an array' : quoteForReason(value)}`);
	}
	const answer = value as Answer;
	const action = readAction(answer, facts.loop);
	const allowed = OUTPUT_KEYS[facts.loop];
	for (const key of Object.keys(answer)) {
		if (allowed.includes(key)) continue;
		if (TARGET_FIELDS.has(key)) {
			reject(`the model tried to set ${quoteForReason(key)} to ${quoteForReason(answer[key])}; the target is bound from the context and cannot be chosen by the model`);
		}
		reject(`unexpected field ${quoteForReason(key)} (allowed: ${allowed.join(', ')})`);
	}
	const reason = readReason(answer, limits, knownSecrets);
	const confidence = readConfidence(answer);
	if (facts.loop === 'scaling') return { loop: 'scaling', action: 'scale', replicas: readReplicas(answer, facts), reason, confidence };
	if (facts.loop === 'failover') return readMove(answer, action as 'failover' | 'failback' | 'hold', facts, reason, confidence);
	return { loop: 'canary', action: action as 'rollback' | 'continue' | 'hold', reason, confidence };
}

function readAction(answer: Answer, loop: AdviceLoop): string {
	const action = answer.action;
	const allowed = ACTIONS[loop];
	if (action === undefined) reject(`the answer has no action (allowed for ${loop}: ${allowed.join(', ')})`);
	if (typeof action !== 'string' || !allowed.includes(action)) reject(`unknown action ${quoteForReason(action)} (allowed for ${loop}: ${allowed.join(', ')})`);
	return action;
}

function readReplicas(answer: Answer, facts: ScalingFacts): number {
	const replicas = answer.replicas;
	if (replicas === undefined) reject('the answer has no replicas');
	if (typeof replicas !== 'number') reject(`replicas must be a whole number, got ${typeof replicas === 'string' ? 'the string ' : ''}${quoteForReason(replicas)}`);
	if (!Number.isFinite(replicas)) reject(`replicas must be a finite number, got ${replicas}`);
	if (!Number.isInteger(replicas)) reject(`replicas must be a whole number, got ${replicas}`);
	if (replicas < 0) reject(`replicas ${replicas} is negative`);
	if (replicas < facts.lower) reject(`replicas ${replicas} would stop a running workload (current ${facts.current}); the advisor never proposes scaling to zero`);
	if (replicas > facts.upper) reject(`replicas ${replicas} above the context maximum ${facts.upper} (${facts.upperBasis})`);
	// -0 is a whole number >= 0 but hashes differently from 0 in some canonical forms.
	return replicas + 0;
}

function readMove(
	answer: Answer,
	action: 'failover' | 'failback' | 'hold',
	facts: FailoverFacts,
	reason: string,
	confidence: number | null,
): Recommendation {
	const known = facts.regions.length > 0 ? facts.regions.join(', ') : 'none';
	const region = (key: 'from' | 'to'): string | null => {
		const value = answer[key];
		if (value === undefined || value === null) return null;
		if (typeof value !== 'string') reject(`${key} must be a region name, got ${quoteForReason(value)}`);
		// Checked even for hold: a model naming a region that does not exist is not to be trusted on anything else.
		if (!facts.regions.includes(value)) reject(`region ${quoteForReason(value)} in "${key}" is not in the context (known: ${known})`);
		return value;
	};
	const from = region('from');
	const to = region('to');
	if (action === 'hold') return { loop: 'failover', action: 'hold', reason, confidence };
	if (from === null) reject(`${action} needs "from", a region from the context (known: ${known})`);
	if (to === null) reject(`${action} needs "to", a region from the context (known: ${known})`);
	if (from === to) reject(`${action} from ${quoteForReason(from)} to the same region`);
	return { loop: 'failover', action, from, to, reason, confidence };
}

function readReason(answer: Answer, limits: ResolvedLimits, knownSecrets: readonly string[]): string {
	const reason = answer.reason;
	if (typeof reason !== 'string') reject(`reason must be a string, got ${quoteForReason(reason)}`);
	// The reason is model text that ends up in chat and decision records: same cleaning as untrusted input.
	const cleaned = neutraliseMentions(sanitizeString(reason.trim(), limits.maxReasonChars, knownSecrets));
	if (cleaned.trim() === '') reject('reason is empty');
	return cleaned;
}

function readConfidence(answer: Answer): number | null {
	const confidence = answer.confidence;
	if (confidence === undefined || confidence === null) return null;
	if (typeof confidence !== 'number' || !Number.isFinite(confidence) || confidence < 0 || confidence > 1) {
		reject(`confidence must be a number between 0 and 1 or null, got ${quoteForReason(confidence)}`);
	}
	return confidence;
}
