import { isRecord } from './records';

/** The Kubernetes object a proposal, a verdict, a decision record or an LLM context names. */
export interface Target {
	cluster: string;
	namespace: string;
	kind: string;
	name: string;
	apiVersion?: string;
}

/** The fields every target names (apiVersion is optional). */
export const TARGET_FIELDS = ['cluster', 'namespace', 'kind', 'name'] as const;

/**
 * The target fields a proposal states, read once for every caller that needs
 * them before or after the gate: non-empty strings only, anything else left
 * out. The gate's validation (policy/proposal.ts) says what is wrong with them.
 */
export function statedTarget(proposal: unknown): Partial<Target> | undefined {
	const raw = isRecord(proposal) ? proposal.target : undefined;
	if (!isRecord(raw)) return undefined;
	const stated: Partial<Target> = {};
	for (const key of [...TARGET_FIELDS, 'apiVersion'] as const) {
		const value = raw[key];
		if (typeof value === 'string' && value !== '') stated[key] = value;
	}
	return stated;
}
