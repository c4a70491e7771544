import { approvedProposals, approverOf } from '../../../src/approval';

// Attack review 7: an approver name the gate would refuse must not come out of here as an approval.
const basic = (userPass: string) => ({ authorization: `Basic ${Buffer.from(userPass).toString('base64')}` });
const HASH = `sha256:${'a'.repeat(64)}`;
const asked = [{ proposal: { action: 'scale' }, verdict: { decision: 'approve', proposalHash: HASH } }];
const NOW = new Date('2026-12-04T12:00:00Z');

describe('approver from the Basic auth header, as the gate reads approval.by', () => {
	it('takes a name of up to 253 characters, the most the gate accepts', () => {
		expect(approverOf(basic(`${'a'.repeat(253)}:pw`))).toBe('a'.repeat(253));
		expect(approvedProposals({ body: { approved: true }, headers: basic(`${'a'.repeat(253)}:pw`) }, asked, [], NOW).items).toHaveLength(1);
	});

	it.each([
		['254 characters', `${'a'.repeat(254)}:pw`],
		['256 characters', `${'a'.repeat(256)}:pw`],
		['only spaces', '   :pw'],
		['a tab', '\t:pw'],
	])('approves nothing for a name the gate refuses (%s), and says why', (_label, userPass) => {
		expect(approverOf(basic(userPass))).toBeUndefined();
		const result = approvedProposals({ body: { approved: true }, headers: basic(userPass) }, asked, [], NOW);
		expect(result.items).toEqual([]);
		expect(result.notApproved).toMatch(/no authenticated approver/);
	});
});

describe('hostile approval requests approve nothing', () => {
	const ok = basic('alice:pw');
	const waiting = [
		{ dedupeKey: 'k1', proposal: { n: 1 }, verdict: { decision: 'approve', proposalHash: HASH } },
		{ dedupeKey: 'k2', proposal: { n: 2 }, verdict: { decision: 'hold', proposalHash: `sha256:${'b'.repeat(64)}` } },
		{ dedupeKey: 'k3', proposal: { n: 3 }, verdict: { decision: 'apply', proposalHash: `sha256:${'c'.repeat(64)}` } },
		{ dedupeKey: 'k4', proposal: { n: 4 }, verdict: { decision: 'APPROVE', proposalHash: `sha256:${'d'.repeat(64)}` } },
		'not an item',
	];

	it.each([
		['a header list', { authorization: [ok.authorization, ok.authorization] }],
		['another scheme', { authorization: `Bearer ${Buffer.from('alice:pw').toString('base64')}` }],
		['the header under another case (n8n lower-cases header names)', { Authorization: ok.authorization }],
		['base64 garbage', { authorization: 'Basic !!!!' }],
		['a control character in the name', basic('ali\nce:pw')],
		['no header', {}],
		['headers that are not an object', 'Basic YWxpY2U6cHc='],
	])('without an authenticated approver: %s', (_label, headers) => {
		expect(approvedProposals({ body: { approved: true }, headers }, waiting, [], NOW).items).toEqual([]);
	});

	it.each([['"true"', 'true'], ['1', 1], ['an object', { value: true }], ['missing', undefined]])('unless approved is exactly true (%s)', (_label, approved) => {
		expect(approvedProposals({ body: { approved }, headers: ok }, waiting, [], NOW).items).toEqual([]);
	});

	it.each([
		['a string', HASH],
		['an empty list', []],
		['numbers', [1]],
		['upper-case hex', [HASH.toUpperCase()]],
		['a good and a bad hash', [HASH, 'sha256:x']],
		['null', null],
	])('with proposalHashes that are not a list of hashes (%s)', (_label, proposalHashes) => {
		const result = approvedProposals({ body: { approved: true, proposalHashes }, headers: ok }, waiting, [], NOW);
		expect(result.items).toEqual([]);
		expect(result.notApproved).toMatch(/proposalHashes/);
	});

	it('approves only verdicts that asked for approval, never a hold or an apply, even when named by hash; repeats count once', () => {
		const all = approvedProposals({ body: { approved: true }, headers: ok }, waiting, ['dedupeKey', '__proto__'], NOW);
		expect(all.items.map((item) => item.carried)).toEqual([{ dedupeKey: 'k1' }]);
		expect(all.items[0].approval).toMatchObject({ by: 'alice', at: NOW.toISOString(), proposal: { n: 1 } });
		const named = approvedProposals({ body: { approved: true, proposalHashes: [`sha256:${'b'.repeat(64)}`, `sha256:${'c'.repeat(64)}`] }, headers: ok }, waiting, [], NOW);
		expect(named.items).toEqual([]);
		const twice = approvedProposals({ body: { approved: true, proposalHashes: [HASH, HASH] }, headers: ok }, waiting, [], NOW);
		expect(twice.items).toHaveLength(1);
	});

	it('takes a waiting list that is not a list as nothing waiting', () => {
		for (const asked of [undefined, null, 'x', { 0: waiting[0] }]) {
			expect(approvedProposals({ body: { approved: true }, headers: ok }, asked, [], NOW).items).toEqual([]);
		}
	});
});

describe('a Wait that timed out passes its own input on, which is no approval request', () => {
	// A workflow started by a Webhook trigger carries that request's headers and
	// body on every item ({...item, proposal, verdict} out of the Policy Gate).
	// When the Wait for approval times out, n8n hands those very items on: the
	// trigger caller's Basic auth and a body they wrote must not read as an approval.
	const asked = [{ headers: basic('caller:pw'), body: { approved: true }, proposal: { n: 1 }, verdict: { decision: 'approve', proposalHash: HASH } }];

	it('approves nothing for a waiting item coming back through the Wait, and says the Wait timed out', () => {
		const result = approvedProposals(asked[0], asked, [], NOW);
		expect(result.items).toEqual([]);
		expect(result.notApproved).toMatch(/timed out/);
	});

	it('still approves on the resume request itself', () => {
		expect(approvedProposals({ headers: basic('alice:pw'), params: {}, query: {}, body: { approved: true } }, asked, [], NOW).items).toHaveLength(1);
	});
});

describe('the approved proposal and the proposal to judge again are separate objects', () => {
	it('so a node that updates the proposal from the live state (Edit Fields proposal.current.replicas) leaves the approved one as approved', () => {
		// n8n copies items keeping shared references, so one object in both places changes in both.
		const asked = [{ proposal: { action: 'scale', current: { replicas: 4 }, proposed: { replicas: 8 } }, verdict: { decision: 'approve', proposalHash: HASH } }];
		const [item] = approvedProposals({ headers: basic('alice:pw'), body: { approved: true } }, asked, [], NOW).items;
		(item.proposal as { current: { replicas: number } }).current.replicas = 6;
		expect((item.approval.proposal as { current: { replicas: number } }).current.replicas).toBe(4);
		expect(asked[0].proposal.current.replicas).toBe(4);
	});
});
