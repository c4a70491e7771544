import { targetOf } from '../../../src/admission';
import { runGate } from '../../../src/decision';
import { statedTarget } from '../../../src/shared/target';

const full = { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web' };

// One reader of a proposal's target: the gate's record fills what is missing with placeholders, admission refuses.
test.each([
	[{ action: 'scale' }, 'no target'],
	[{ target: ['prod', 'shop'] }, 'no target'],
	[{ target: 'prod/shop/web' }, 'no target'],
	[{ target: { ...full, name: '' } }, "target has no name"],
	[{ target: { ...full, kind: 7 } }, "target has no kind"],
	[{ target: { namespace: 'shop', kind: 'Deployment', name: 'web' } }, "target has no cluster"],
])('%j: admission refuses (%s), the record says unknown', (proposal, message) => {
	expect(() => targetOf(proposal as never)).toThrow(message);
	const { record } = runGate(proposal, {}, {}, new Date('2026-01-01T00:00:00Z'));
	expect(Object.values(record.target)).toContain('unknown');
});

test('what is stated is read the same by both, apiVersion included only where given', () => {
	expect(statedTarget({ target: { ...full, apiVersion: 'apps/v1', extra: 'x' } })).toEqual({ ...full, apiVersion: 'apps/v1' });
	expect(targetOf({ target: full })).toEqual(full);
	expect(runGate({ target: { ...full, name: 'w'.repeat(300) } }, {}, {}, new Date(0)).record.target.name).toHaveLength(253);
});
