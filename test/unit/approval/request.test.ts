import { approvedProposals, approverOf } from '../../../src/approval';

const NOW = new Date('2026-12-04T12:00:00Z');
const basic = (user: string, password = 'pw') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const hash = (c: string) => `sha256:${c.repeat(64)}`;
const asked = (c: string, decision = 'approve', extra: Record<string, unknown> = {}) => ({
	proposal: { action: 'scale', target: { name: `w-${c}` } },
	verdict: { decision, proposalHash: hash(c) },
	alert: { labels: { service: `w-${c}` } },
	dedupeKey: `key-${c}`,
	lock: { acquired: true },
	...extra,
});
const request = (body: unknown, authorization: unknown = basic('alice')) => ({ headers: { authorization }, body });

describe('approved proposals from the request that resumed the Wait', () => {
	it('approves every waiting Needs Approval proposal, naming the authenticated user and carrying the chosen fields', () => {
		const result = approvedProposals(request({ approved: true, by: 'mallory' }), [asked('a'), asked('b', 'hold'), asked('c')], ['alert', 'dedupeKey'], NOW);
		expect(result.notApproved).toBeUndefined();
		expect(result.items).toEqual([
			{ carried: { alert: asked('a').alert, dedupeKey: 'key-a' }, proposal: asked('a').proposal, approval: { by: 'alice', at: NOW.toISOString(), proposal: asked('a').proposal, verdict: asked('a').verdict } },
			{ carried: { alert: asked('c').alert, dedupeKey: 'key-c' }, proposal: asked('c').proposal, approval: { by: 'alice', at: NOW.toISOString(), proposal: asked('c').proposal, verdict: asked('c').verdict } },
		]);
	});

	it('approves only the listed proposal hashes', () => {
		const result = approvedProposals(request({ approved: true, proposalHashes: [hash('c')] }), [asked('a'), asked('c')], [], NOW);
		expect(result.items.map((i) => i.approval.verdict)).toEqual([asked('c').verdict]);
		expect(approvedProposals(request({ approved: true, proposalHashes: [hash('f')] }), [asked('a')], [], NOW)).toEqual({ items: [], notApproved: 'no proposal waiting here has one of the given proposalHashes' });
	});

	it.each([
		[{ approved: 'true' }],
		[{ approved: 1 }],
		[{}],
		[{ approved: false }],
		['approved'],
		[null],
	])('approves nothing without the JSON boolean approved: true (%j)', (body) => {
		expect(approvedProposals(request(body), [asked('a')], [], NOW)).toEqual({ items: [], notApproved: expect.stringContaining('approved') });
	});

	it.each([
		[{ approved: true, proposalHashes: hash('a') }],
		[{ approved: true, proposalHashes: [] }],
		[{ approved: true, proposalHashes: ['a'] }],
		[{ approved: true, proposalHashes: [hash('a'), 7] }],
		[{ approved: true, proposalHashes: { 0: hash('a') } }],
	])('approves nothing, rather than everything, for a malformed proposalHashes (%j)', (body) => {
		expect(approvedProposals(request(body), [asked('a')], [], NOW)).toEqual({ items: [], notApproved: expect.stringContaining('proposalHashes must be') });
	});

	it('skips waiting items that are not objects or carry no Needs Approval verdict, and carries no prototype', () => {
		const result = approvedProposals(request({ approved: true }), [null, 'x', { proposal: {} }, { verdict: 'approve' }, asked('a', 'apply'), asked('d')], ['__proto__', 'constructor', 'missing'], NOW);
		expect(result.items).toHaveLength(1);
		expect(Object.keys(result.items[0].carried)).toEqual([]);
		expect(approvedProposals(request({ approved: true }), 'not a list', [], NOW)).toEqual({ items: [], notApproved: 'no proposal here waits for approval' });
	});
});

describe('the approver is the Basic authentication n8n checked, never the body', () => {
	it('reads the user name, whatever case the scheme is in', () => {
		expect(approverOf({ authorization: basic('alice') })).toBe('alice');
		expect(approverOf({ authorization: `basic ${Buffer.from('bob:pw:with:colons').toString('base64')}` })).toBe('bob');
	});

	it.each([
		[undefined],
		[{}],
		[{ authorization: 'Bearer abc' }],
		[{ authorization: [basic('alice'), basic('bob')] }],
		[{ authorization: basic('') }],
		[{ authorization: basic('eve\nby: admin') }],
		[{ authorization: basic('x'.repeat(257)) }],
		[{ authorization: 'Basic' }],
		[{ authorization: 42 }],
	])('has no approver for %j', (headers) => {
		expect(approverOf(headers)).toBeUndefined();
		expect(approvedProposals({ headers, body: { approved: true } }, [asked('a')], [], NOW).items).toEqual([]);
	});
});
