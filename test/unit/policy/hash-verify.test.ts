import { canonicalJson, evaluate, hashProposal, UNHASHABLE, verifyVerdict } from '../../../src/policy';
import { at, NOW, scalePolicy, scaleProposal } from './helpers';

describe('canonical JSON and proposalHash', () => {
	it('sorts keys at every level and drops whitespace', () => {
		expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
	});

	it('is independent of key order and of how the proposal was serialised', () => {
		const one = scaleProposal(4, 6);
		const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(one).reverse()))) as unknown;
		expect(hashProposal(reordered)).toBe(hashProposal(one));
		expect(hashProposal(one)).toMatch(/^sha256:[0-9a-f]{64}$/);
	});

	it('distinguishes values JSON would conflate', () => {
		expect(canonicalJson(Number.NaN)).not.toBe(canonicalJson('NaN'));
		expect(hashProposal({ a: Number.NaN })).not.toBe(hashProposal({ a: null }));
		expect(hashProposal({ a: 1 })).not.toBe(hashProposal({ a: '1' }));
		expect(hashProposal(scaleProposal(4, 6))).not.toBe(hashProposal(scaleProposal(4, 7)));
	});

	it('marks unreadable proposals as unhashable', () => {
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		expect(hashProposal(cyclic)).toBe(UNHASHABLE);
		expect(hashProposal(undefined)).toBe(UNHASHABLE);
		expect(evaluate(cyclic, scalePolicy(), {}, NOW)).toMatchObject({ decision: 'reject', proposalHash: UNHASHABLE });
	});
});

describe('verifyVerdict', () => {
	const proposal = scaleProposal(4, 6);
	const verdict = evaluate(proposal, scalePolicy(), {}, NOW);

	it('accepts the verdict issued for this proposal, also after a JSON round trip', () => {
		expect(verifyVerdict(proposal, verdict)).toEqual({ ok: true, reason: 'verdict apply matches the proposal' });
		expect(verifyVerdict(JSON.parse(JSON.stringify(proposal)), JSON.parse(JSON.stringify(verdict))).ok).toBe(true);
	});

	it('refuses a verdict for another proposal', () => {
		const result = verifyVerdict(scaleProposal(4, 7), verdict);
		expect(result.ok).toBe(false);
		expect(result.reason).toContain('different proposal');
	});

	it('refuses a verdict edited after the gate issued it', () => {
		expect(verifyVerdict(proposal, { ...verdict, value: 40 }).reason).toContain('modified');
		expect(verifyVerdict(proposal, { ...verdict, decision: 'apply', checks: [] }).ok).toBe(false);
		const { verdictHash: _dropped, ...unsealed } = verdict;
		expect(verifyVerdict(proposal, unsealed).ok).toBe(false);
	});

	it('checks the expected decision and the verdict age when asked', () => {
		expect(verifyVerdict(proposal, verdict, { expectDecision: 'apply' }).ok).toBe(true);
		expect(verifyVerdict(proposal, verdict, { expectDecision: ['approve'] }).reason).toContain('expected approve');
		expect(verifyVerdict(proposal, verdict, { maxAgeSeconds: 60, now: at(59) }).ok).toBe(true);
		expect(verifyVerdict(proposal, verdict, { maxAgeSeconds: 60, now: at(61) }).reason).toContain('older than 60s');
		expect(verifyVerdict(proposal, verdict, { maxAgeSeconds: 60, now: at(-10) }).reason).toContain('future');
		expect(verifyVerdict(proposal, verdict, { maxAgeSeconds: 60 }).ok).toBe(false);
	});

	it('never throws on garbage', () => {
		for (const garbage of [null, undefined, 'verdict', 1, [], { decision: 'apply' }, { decision: 'apply', proposalHash: 1, verdictHash: 2 }]) {
			expect(verifyVerdict(proposal, garbage).ok).toBe(false);
		}
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		expect(verifyVerdict(cyclic, verdict).ok).toBe(false);
		const unhashable = evaluate(cyclic, scalePolicy(), {}, NOW);
		expect(verifyVerdict(cyclic, unhashable).ok).toBe(false);
	});
});
