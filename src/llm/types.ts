import type { Target } from '../shared/target';

// Public shapes of the LLM Advisor. Plain JSON throughout so a result can travel
// through n8n items, decision records and logs unchanged.

export type AdviceMode = 'explain' | 'propose';
export type AdviceLoop = 'scaling' | 'failover' | 'canary';

// The object a proposal acts on (its Target) is always copied from the context, never from the model.
export type { Target };

/**
 * What the deterministic side of a loop knows. Only the fields named here are
 * trusted (they bind the proposal); everything else, alerts in particular, is
 * treated as untrusted data: bounded, stripped of secrets and quoted.
 */
export interface ScalingContext {
	target: Target;
	current: { replicas: number };
	/** The deterministic recommendation, e.g. from the forecast. */
	deterministic?: { replicas: number; [key: string]: unknown };
	policy?: { minReplicas?: number; maxReplicas?: number; [key: string]: unknown };
	/** What the deterministic path sends to the gate (backtest, forecast, ...); copied into the proposal. */
	evidence?: Record<string, unknown>;
	alerts?: unknown[];
	[key: string]: unknown;
}

export interface FailoverContext {
	target: Target;
	/** Every region the model may name. Defaults to the keys of evidence.regions. */
	regions?: string[];
	activeRegions?: string[];
	deterministic?: { action: 'failover' | 'failback' | 'hold'; from?: string; to?: string; [key: string]: unknown };
	policy?: { allowedRegions?: string[]; [key: string]: unknown };
	evidence?: Record<string, unknown>;
	alerts?: unknown[];
	[key: string]: unknown;
}

export interface CanaryContext {
	target: Target;
	deterministic?: { action: string; [key: string]: unknown };
	policy?: Record<string, unknown>;
	evidence?: Record<string, unknown>;
	alerts?: unknown[];
	[key: string]: unknown;
}

export type AdviceContext = ScalingContext | FailoverContext | CanaryContext;

export interface AzureOptions {
	apiVersion: string;
	/** Deployment name; defaults to the model. */
	deployment?: string;
}

/** How a Propose request asks for JSON; each step down is for servers that reject the one above. */
export type ResponseFormatLevel = 'json_schema' | 'json_object' | 'none';

export interface LlmConnection {
	apiKey: string;
	/** OpenAI-compatible base URL, usually ending in /v1 (OpenAI, vLLM, Ollama); the resource endpoint for Azure. */
	baseUrl: string;
	model: string;
	/** Budget for the whole call, fallbacks and retries included. */
	timeoutMs?: number;
	/** Our own retries on 429, 5xx and connection errors, only while the budget allows; the SDK never retries. */
	maxRetries?: number;
	azure?: AzureOptions;
	/** Where Propose starts on the json_schema → json_object → none ladder. */
	responseFormat?: ResponseFormatLevel;
}

export interface AdviceLimits {
	/** Longest untrusted string (annotation, label value) quoted in the prompt. */
	maxStringChars?: number;
	/** Most keys kept per object, e.g. labels or annotations of one alert. */
	maxLabels?: number;
	/** Most items kept per array, e.g. alerts. */
	maxArrayItems?: number;
	/** Deepest nesting quoted; deeper values are replaced by a marker. */
	maxDepth?: number;
	/** Size of the whole quoted data block, in characters of JSON. */
	maxDataChars?: number;
	maxOutputTokens?: number;
	/** Longest model text accepted for parsing. */
	maxOutputChars?: number;
	/** Model text kept in the result for humans. */
	maxRawChars?: number;
	maxReasonChars?: number;
	maxExplanationChars?: number;
	/** Upper bound for proposed replicas when the policy has no maxReplicas (and absolute cap otherwise). */
	replicaHardCap?: number;
	/** Largest HTTP response body read from the provider. */
	maxResponseBytes?: number;
}

export interface AdviceRequest {
	mode: AdviceMode;
	loop: AdviceLoop;
	context: AdviceContext;
	connection: LlmConnection;
	limits?: AdviceLimits;
	/** e.g. n8n's execution cancel signal. */
	signal?: AbortSignal;
}

export interface AdviceUsage {
	promptTokens?: number;
	completionTokens?: number;
	totalTokens?: number;
}

/** What the model recommended, after validation; the model's own words only in `reason`. */
export type Recommendation =
	| { loop: 'scaling'; action: 'scale'; replicas: number; reason: string; confidence: number | null }
	| { loop: 'failover'; action: 'failover' | 'failback'; from: string; to: string; reason: string; confidence: number | null }
	| { loop: 'failover'; action: 'hold'; reason: string; confidence: number | null }
	| { loop: 'canary'; action: 'rollback' | 'continue' | 'hold'; reason: string; confidence: number | null };

export interface LlmEvidence {
	model: string;
	reason: string;
	confidence: number | null;
	[key: string]: unknown;
}

export interface ProposalEvidence {
	deterministic?: Record<string, unknown>;
	llm: LlmEvidence;
	[key: string]: unknown;
}

// The Policy Gate's proposal shapes, with source fixed to 'llm'. The gate refuses
// unknown top-level keys, so the model's reason travels as `rationale`.
export interface LlmScaleProposal {
	action: 'scale';
	source: 'llm';
	target: Target;
	current: { replicas: number };
	proposed: { replicas: number };
	rationale: string;
	evidence: ProposalEvidence;
}

export interface LlmFailoverProposal {
	action: 'failover' | 'failback';
	source: 'llm';
	target: Target;
	from: string;
	to: string;
	rationale: string;
	evidence: ProposalEvidence;
}

export interface LlmRollbackProposal {
	action: 'rollback';
	source: 'llm';
	target: Target;
	rationale: string;
	evidence: ProposalEvidence;
}

export type LlmProposal = LlmScaleProposal | LlmFailoverProposal | LlmRollbackProposal;

/** What was removed or shortened before the context reached the model. */
export interface SanitizeReport {
	truncatedStrings: number;
	droppedKeys: number;
	droppedItems: number;
	redactedSecrets: number;
	droppedSecretFields: string[];
	/** Times the whole block had to be shrunk to fit maxDataChars. */
	shrinkPasses: number;
}

export interface AdviceOk {
	status: 'ok';
	mode: AdviceMode;
	loop: AdviceLoop;
	/** Explain mode: a short summary for chat. */
	explanation?: string;
	/** Propose mode: the validated recommendation, including non-actions (hold, continue). */
	recommendation?: Recommendation;
	/** Propose mode: what goes to the Policy Gate; null when the model recommends no action. */
	proposal?: LlmProposal | null;
	/** Propose mode: the model's text, bounded. */
	raw?: string;
	model: string;
	latencyMs: number;
	usage?: AdviceUsage;
	responseFormat?: ResponseFormatLevel;
	/** Fallbacks taken on the way (a rejected response_format, a retried 429, ...). */
	notes?: string[];
	sanitized: SanitizeReport;
}

export interface AdviceUnavailable {
	status: 'unavailable';
	mode: AdviceMode;
	loop: AdviceLoop;
	/** One sentence an SRE can act on. */
	reason: string;
	/** Which stage failed: the request, the provider, or the model's output. */
	stage: 'input' | 'provider' | 'output';
	/** The model's text when its output was refused, bounded. */
	raw?: string;
	model?: string;
	latencyMs: number;
	usage?: AdviceUsage;
	notes?: string[];
}

export type AdviceResult = AdviceOk | AdviceUnavailable;
