import type { AdviceLimits } from './types';

export type ResolvedLimits = Required<AdviceLimits>;

export const DEFAULT_LIMITS: ResolvedLimits = {
	maxStringChars: 400,
	maxLabels: 32,
	maxArrayItems: 20,
	maxDepth: 6,
	maxDataChars: 12_000,
	maxOutputTokens: 500,
	maxOutputChars: 16_000,
	maxRawChars: 2_000,
	maxReasonChars: 500,
	maxExplanationChars: 1_500,
	replicaHardCap: 5_000,
	maxResponseBytes: 1_048_576,
};

export const DEFAULT_TIMEOUT_MS = 8_000;
// n8n runs items one after another: an advisor that may wait minutes stalls the loop it advises.
export const MAX_TIMEOUT_MS = 120_000;
export const MAX_RETRIES = 3;

// A caller's limit may tighten a default freely but loosen it only this far, so a
// typo in a node parameter cannot turn the bounds off.
const CEILINGS: ResolvedLimits = {
	maxStringChars: 4_000,
	maxLabels: 200,
	maxArrayItems: 200,
	maxDepth: 12,
	maxDataChars: 100_000,
	maxOutputTokens: 4_000,
	maxOutputChars: 64_000,
	maxRawChars: 16_000,
	maxReasonChars: 2_000,
	maxExplanationChars: 8_000,
	replicaHardCap: 100_000,
	maxResponseBytes: 8_388_608,
};

export function resolveLimits(limits: AdviceLimits | undefined): ResolvedLimits {
	const resolved = { ...DEFAULT_LIMITS };
	for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ResolvedLimits)[]) {
		const value = limits?.[key];
		if (typeof value === 'number' && Number.isFinite(value) && value >= 1) resolved[key] = Math.min(Math.floor(value), CEILINGS[key]);
	}
	return resolved;
}
