import { loopOfAction, runGate } from '../../../src/decision';

// A rejected proposal still gets a record; its loop is read from the proposal's action,
// which is untrusted text: inherited names of a plain object are not actions.
test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('a proposal whose action is "%s" is recorded under the scaling loop', (action) => {
	const { verdict, record } = runGate({ action, target: { cluster: 'c', namespace: 'n', kind: 'Deployment', name: 'w' } }, {}, {}, new Date('2026-01-01T00:00:00Z'));
	expect(verdict.decision).toBe('reject');
	expect(record.loop).toBe('scaling');
	expect(loopOfAction(action)).toBeUndefined();
});

test('each action maps to its loop', () => {
	expect(['scale', 'failover', 'failback', 'rollback'].map(loopOfAction)).toEqual(['scaling', 'failover', 'failover', 'canary']);
});
