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
