import type { Facts } from './context';
import type { LlmProposal, ProposalEvidence, Recommendation, Target } from './types';
import { isRecord } from '../shared/records';

/**
 * The Policy Gate proposal for a validated recommendation. Everything that decides
 * where an action lands (target, current replicas, source) comes from the facts;
 * from the model only the checked value and its reason. Recommendations that
 * change nothing (hold, continue) give null: there is nothing for the gate to judge.
 */
export function bindProposal(recommendation: Recommendation, facts: Facts, context: unknown, model: string): LlmProposal | null {
	const target = copyTarget(facts.target);
	const evidence = proposalEvidence(context, recommendation, model);
	if (recommendation.loop === 'scaling' && facts.loop === 'scaling') {
		return {
			action: 'scale',
			source: 'llm',
			target,
			current: { replicas: facts.current },
			proposed: { replicas: recommendation.replicas },
			rationale: recommendation.reason,
			evidence,
		};
	}
	if (recommendation.loop === 'failover' && recommendation.action !== 'hold') {
		// The load balancer as the workflow read it, never as the model says it is: the drain compares it with a live read.
		const current = jsonCopy(readRecord(context)?.current);
		return { action: recommendation.action, source: 'llm', target, from: recommendation.from, to: recommendation.to, ...(isRecord(current) ? { current } : {}), rationale: recommendation.reason, evidence };
	}
	if (recommendation.loop === 'canary' && recommendation.action === 'rollback') {
		return { action: 'rollback', source: 'llm', target, rationale: recommendation.reason, evidence };
	}
	return null;
}

function copyTarget(target: Target): Target {
	const copy: Target = { cluster: target.cluster, namespace: target.namespace, kind: target.kind, name: target.name };
	if (target.apiVersion !== undefined) copy.apiVersion = target.apiVersion;
	return copy;
}

// The deterministic path's evidence travels with the proposal so the gate judges
// an LLM proposal on the same data (region health, canary metrics, backtest), and
// evidence.deterministic lets it measure how far the model strayed.
function proposalEvidence(context: unknown, recommendation: Recommendation, model: string): ProposalEvidence {
	const source = readRecord(context);
	const evidence: ProposalEvidence = {
		...(jsonCopy(source?.evidence) as Record<string, unknown> | undefined),
		llm: { model, reason: recommendation.reason, confidence: recommendation.confidence },
	};
	const deterministic = jsonCopy(source?.deterministic);
	if (isRecord(deterministic)) evidence.deterministic = deterministic;
	return evidence;
}

function readRecord(value: unknown): Record<string, unknown> | undefined {
	return isRecord(value) ? value : undefined;
}

// A copy, so a later change to the context (n8n items are mutable) cannot change
// a proposal already handed to the gate; and plain JSON, which is what the gate reads.
function jsonCopy(value: unknown): unknown {
	if (!isRecord(value)) return undefined;
	try {
		return JSON.parse(JSON.stringify(value)) as unknown;
	} catch {
		return undefined;
	}
}
