import type { Facts } from './context';
import type { AdviceLoop } from './types';

// What the model may say, per loop. Strict structured outputs need every property
// listed in `required` and no additional properties, so optional values are
// nullable instead of absent. Targets never appear here: they are not the model's
// to choose. The same rules are enforced again by validate.ts on every answer,
// because json_object and plain-text providers do not enforce a schema at all.

export const ACTIONS: Record<AdviceLoop, readonly string[]> = {
	scaling: ['scale'],
	failover: ['failover', 'failback', 'hold'],
	canary: ['rollback', 'continue', 'hold'],
};

export const OUTPUT_KEYS: Record<AdviceLoop, readonly string[]> = {
	scaling: ['action', 'replicas', 'reason', 'confidence'],
	failover: ['action', 'from', 'to', 'reason', 'confidence'],
	canary: ['action', 'reason', 'confidence'],
};

export interface ProposalSchema {
	name: string;
	schema: Record<string, unknown>;
}

const reason = { type: 'string', description: 'One or two sentences for the on-call engineer, citing the numbers in the data.' };
const confidence = { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'How sure you are, from 0 to 1, or null.' };

export function proposalSchema(facts: Facts): ProposalSchema {
	const name = `kube_ops_${facts.loop}_proposal`;
	const properties: Record<string, unknown> = { action: { type: 'string', enum: [...ACTIONS[facts.loop]] } };
	if (facts.loop === 'scaling') {
		properties.replicas = {
			type: 'integer',
			minimum: facts.lower,
			maximum: facts.upper,
			description: 'Replica count proposed for the target workload.',
		};
	}
	if (facts.loop === 'failover') {
		const region = { type: ['string', 'null'], enum: [...facts.regions, null] };
		properties.from = { ...region, description: 'Region to move traffic away from; null for hold.' };
		properties.to = { ...region, description: 'Region to move traffic to; null for hold.' };
	}
	properties.reason = reason;
	properties.confidence = confidence;
	return {
		name,
		schema: { type: 'object', properties, required: [...OUTPUT_KEYS[facts.loop]], additionalProperties: false },
	};
}
