import fc from 'fast-check';

import { readFacts, resolveLimits, validateAdvice, type ScalingFacts } from '../../../src/llm';
import { canaryContext, failoverContext, scalingContext } from '../../sandbox/llm';

// Whatever text a model returns, a proposal that comes out of validation is bound
// to the context's target and, for scaling, within the context's bounds.

const numberToken = fc.oneof(
	fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
	fc.integer({ min: -5, max: 200 }).map(String),
	fc.double().map((value) => (Number.isFinite(value) ? String(value) : 'null')),
	fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x10', '010', '1.', '.5', '"5"', '"many"', 'null', 'true', '[]', '{}', '5e1', '8.0', '80', '81', '0', '1'),
);

// Mostly plausible values with hostile ones mixed in: a generator that only makes
// garbage would pass the property without ever producing a proposal.
const sometimes = <T>(usual: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> =>
	fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: hostile, weight: 1 });
const quoted = (values: string[]): fc.Arbitrary<string> => fc.constantFrom(...values.map((value) => JSON.stringify(value)));

const ACTIONS = { scaling: ['scale'], failover: ['failover', 'failback', 'hold'], canary: ['rollback', 'continue', 'hold'] };
const hostileAction = fc.constantFrom('"drain-all"', '"scale"', '"failover"', '"rollback"', '"promote"', 'null', '1', '"SCALE"', '"hold "');
const region = sometimes(quoted(['eu-west-1', 'eu-central-1']), fc.constantFrom('"us-east-1"', '"attacker-region-1"', 'null', '1', '""', '"eu-west-1 "'));
const extraKey = fc.constantFrom('namespace', 'target', 'source', 'force', 'name', 'cluster', 'current', 'proposed', '__proto__', 'constructor', 'reason', 'action', 'replicas', 'from');

type Loop = keyof typeof ACTIONS;

/** Object text assembled from tokens, so invalid numbers, duplicate keys and missing fields occur too. */
function answerObject(loop: Loop): fc.Arbitrary<string> {
	const present = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ arbitrary: value, weight: 12 }, { arbitrary: fc.constant(undefined), weight: 1 });
	const rare = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: value, weight: 1 });
	return fc
		.record({
			action: present(sometimes(quoted(ACTIONS[loop]), hostileAction)),
			replicas: loop === 'scaling' ? present(sometimes(fc.integer({ min: -3, max: 120 }).map(String), numberToken)) : rare(numberToken),
			from: loop === 'failover' ? present(region) : rare(region),
			to: loop === 'failover' ? present(region) : rare(region),
			reason: present(sometimes(fc.string().map((text) => JSON.stringify(text)), numberToken)),
			confidence: present(sometimes(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }).map(String), numberToken)),
			extras: fc.oneof(
				{ arbitrary: fc.constant([] as [string, string][]), weight: 8 },
				{ arbitrary: fc.array(fc.tuple(extraKey, fc.oneof(numberToken, fc.jsonValue().map((value) => JSON.stringify(value)))), { minLength: 1, maxLength: 2 }), weight: 1 },
			),
		})
		.map(({ extras, ...fields }) => {
			const parts = Object.entries(fields)
				.filter(([, value]) => value !== undefined)
				.map(([key, value]) => `"${key}": ${value}`);
			for (const [key, value] of extras) parts.push(`"${key}": ${value}`);
			return `{${parts.join(', ')}}`;
		});
}

function modelText(loop: Loop): fc.Arbitrary<string> {
	const answer = answerObject(loop);
	return fc.oneof(
		{ arbitrary: fc.string(), weight: 1 },
		{ arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)), weight: 1 },
		{ arbitrary: answer, weight: 6 },
		{ arbitrary: answer.map((text) => `\`\`\`json\n${text}\n\`\`\``), weight: 1 },
		{ arbitrary: answer.map((text) => `<think>ok</think>Sure! ${text}`), weight: 1 },
		{ arbitrary: answer.chain((text) => fc.integer({ min: 1, max: text.length }).map((cut) => text.slice(0, cut))), weight: 1 },
	);
}

const count = (small: number, large: number): fc.Arbitrary<number> =>
	fc.oneof({ arbitrary: fc.integer({ min: 0, max: small }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: large }), weight: 1 });

const scalingVariant = fc.record({
	current: count(60, 10_000),
	deterministic: fc.option(count(60, 10_000), { nil: undefined }),
	maxReplicas: fc.option(count(60, 5_000).map((value) => value + 1), { nil: undefined }),
	hardCap: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
});

describe('validateAdvice never returns a proposal outside the bounds, whatever the model text', () => {
	it('scaling', () => {
		let proposals = 0;
		fc.assert(
			fc.property(modelText('scaling'), scalingVariant, (text, variant) => {
				const context = {
					...scalingContext(),
					current: { replicas: variant.current },
					deterministic: variant.deterministic === undefined ? undefined : { replicas: variant.deterministic },
					policy: variant.maxReplicas === undefined ? undefined : { maxReplicas: variant.maxReplicas },
				};
				const limits = variant.hardCap === undefined ? undefined : { replicaHardCap: variant.hardCap };
				const result = validateAdvice(text, { loop: 'scaling', context, limits });
				if (!result.ok) return;
				const facts = readFacts('scaling', context, resolveLimits(limits));
				if (!facts.ok) throw new Error(facts.problem);
				const { lower, upper } = facts.facts as ScalingFacts;
				const proposal = result.proposal;
				expect(proposal).not.toBeNull();
				if (proposal === null || proposal.action !== 'scale') return;
				proposals += 1;
				const replicas = proposal.proposed.replicas;
				expect(Number.isSafeInteger(replicas)).toBe(true);
				expect(replicas).toBeGreaterThanOrEqual(lower);
				expect(replicas).toBeLessThanOrEqual(upper);
				expect(replicas).toBeLessThanOrEqual(Math.max(variant.hardCap ?? 5_000, variant.current, variant.deterministic ?? 0));
				if (variant.maxReplicas !== undefined) expect(replicas).toBeLessThanOrEqual(Math.max(variant.maxReplicas * 2, variant.current, variant.deterministic ?? 0));
				if (variant.current > 0) expect(replicas).toBeGreaterThan(0);
				expect(proposal.source).toBe('llm');
				expect(proposal.target).toEqual(scalingContext().target);
				expect(proposal.current).toEqual({ replicas: variant.current });
				expect(Object.keys(proposal).sort()).toEqual(['action', 'current', 'evidence', 'proposed', 'rationale', 'source', 'target']);
			}),
			{ numRuns: 3_000 },
		);
		// Not vacuous: a fair share of the hostile texts did produce a proposal that was checked.
		expect(proposals).toBeGreaterThan(150);
	});

	it('failover', () => {
		const context = failoverContext();
		let proposals = 0;
		fc.assert(
			fc.property(modelText('failover'), (text) => {
				const result = validateAdvice(text, { loop: 'failover', context });
				if (!result.ok) return;
				expect(['failover', 'failback', 'hold']).toContain(result.recommendation.action);
				const proposal = result.proposal;
				if (proposal === null) {
					expect(result.recommendation.action).toBe('hold');
					return;
				}
				if (proposal.action !== 'failover' && proposal.action !== 'failback') throw new Error(`unexpected ${proposal.action}`);
				expect(['eu-west-1', 'eu-central-1']).toContain(proposal.from);
				expect(['eu-west-1', 'eu-central-1']).toContain(proposal.to);
				expect(proposal.from).not.toBe(proposal.to);
				expect(proposal.target).toEqual(context.target);
				expect(proposal.source).toBe('llm');
				proposals += 1;
			}),
			{ numRuns: 3_000 },
		);
		expect(proposals).toBeGreaterThan(40);
	});

	it('canary', () => {
		const context = canaryContext();
		let proposals = 0;
		fc.assert(
			fc.property(modelText('canary'), (text) => {
				const result = validateAdvice(text, { loop: 'canary', context });
				if (!result.ok) return;
				expect(['rollback', 'continue', 'hold']).toContain(result.recommendation.action);
				if (result.proposal === null) return;
				expect(result.proposal).toMatchObject({ action: 'rollback', source: 'llm', target: context.target });
				proposals += 1;
			}),
			{ numRuns: 2_000 },
		);
		expect(proposals).toBeGreaterThan(50);
	});

	it('accepts well-formed in-bounds answers (the property above is not vacuous)', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 80 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), (replicas, confidence) => {
				const result = validateAdvice(JSON.stringify({ action: 'scale', replicas, reason: 'fits', confidence }), { loop: 'scaling', context: scalingContext() });
				expect(result.ok).toBe(true);
			}),
		);
	});
});
