import { lastServingScopes, planDrain, planRestore, planWeight } from '../../../src/loadbalancer';
import type { BackendStatus, ServerState } from '../../../src/loadbalancer';

function server(name: string, over: Partial<ServerState> = {}): ServerState {
	const s: ServerState = { server: name, admin: 'ready', health: 'up', weight: 1, sessions: 0, serving: true, detail: {}, ...over };
	return { ...s, serving: over.serving ?? (s.admin === 'ready' && s.health !== 'down' && (s.weight ?? 1) > 0) };
}

function backend(...servers: ServerState[]): BackendStatus {
	return { provider: 'haproxy', endpoint: 'test', backend: 'be_app', servers, serving: servers.filter((s) => s.serving).map((s) => s.server) };
}

describe('drain', () => {
	test('a ready server with another serving one is drained', () => {
		const east = server('us-east');
		const plan = planDrain(backend(east, server('us-west')), east, { admin: 'drain' }, false);
		expect(plan).toEqual({ kind: 'apply', desired: { admin: 'drain' }, message: 'drained us-east: it takes no new traffic', forced: false, warnings: [] });
	});

	test('a drained or maintained server is a no-op that says so', () => {
		const drained = server('us-east', { admin: 'drain' });
		expect(planDrain(backend(drained, server('us-west')), drained, { admin: 'drain' }, false)).toEqual({
			kind: 'noop',
			message: 'us-east is already drained: it takes no new traffic; nothing changed',
		});
		const maint = server('us-east', { admin: 'maint' });
		expect(planDrain(backend(maint), maint, { admin: 'drain' }, true)).toMatchObject({ kind: 'noop', message: expect.stringMatching(/already in maintenance/) });
	});

	test('the last serving server is refused, naming the others and their states', () => {
		const west = server('us-west');
		const status = backend(server('us-east', { admin: 'drain' }), west, server('eu', { health: 'down' }));
		const plan = planDrain(status, west, { admin: 'drain' }, false);
		expect(plan).toEqual({
			kind: 'refuse',
			reason: 'refusing to drain us-west: it is the last server that takes traffic in be_app; the others: us-east (drained, health up, weight 1), eu (ready, health down, weight 1)',
			fix: expect.stringMatching(/force/),
		});
	});

	test('forcing it goes ahead with a loud warning', () => {
		const west = server('us-west');
		const plan = planDrain(backend(west), west, { admin: 'drain' }, true);
		expect(plan).toMatchObject({ kind: 'apply', forced: true, warnings: [expect.stringMatching(/^forced: us-west was the last server that took traffic in be_app/)] });
	});

	test('a server that takes no traffic (down, weight 0) can always be drained', () => {
		const down = server('us-east', { health: 'down' });
		expect(planDrain(backend(down, server('us-west', { admin: 'drain' })), down, { admin: 'drain' }, false)).toMatchObject({
			kind: 'apply',
			forced: false,
			warnings: ['no server of be_app takes traffic, before or after this change'],
		});
	});

	test('a provider may name narrower scopes (HTTPRoute rules)', () => {
		const east = server('checkout');
		const plan = planDrain(backend(east, server('canary')), east, { weight: 0 }, false, ['rule 1 (/pay) of httproute/checkout']);
		expect(plan).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/last server that takes traffic in rule 1 \(\/pay\) of httproute\/checkout/) });
	});

	test('lastServingScopes is the backend when nothing else serves', () => {
		const a = server('a');
		expect(lastServingScopes(backend(a, server('b')), a)).toEqual([]);
		expect(lastServingScopes(backend(a, server('b', { admin: 'maint' })), a)).toEqual(['be_app']);
		const off = server('c', { weight: 0 });
		expect(lastServingScopes(backend(off), off)).toEqual([]);
	});
});

describe('setWeight', () => {
	test('same weight is a no-op; a new one reports from and to', () => {
		const a = server('a', { weight: 5 });
		const status = backend(a, server('b'));
		expect(planWeight(status, a, 5, false)).toEqual({ kind: 'noop', message: 'a already has weight 5; nothing changed' });
		expect(planWeight(status, a, 0, false)).toMatchObject({ kind: 'apply', desired: { weight: 0 }, message: 'set the weight of a from 5 to 0' });
	});

	test('weight 0 on the last serving server is refused unless forced; fractions compare exactly enough', () => {
		const a = server('a', { weight: 0.3 });
		expect(planWeight(backend(a), a, 0, false)).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/^refusing to set weight 0 on a/) });
		expect(planWeight(backend(a), a, 0, true)).toMatchObject({ kind: 'apply', forced: true });
		expect(planWeight(backend(a), a, 0.1 + 0.2, false)).toMatchObject({ kind: 'noop' });
	});

	test('a weight on a drained server warns that it needs a restore', () => {
		const a = server('a', { admin: 'drain' });
		expect(planWeight(backend(a, server('b')), a, 3, false)).toMatchObject({ kind: 'apply', warnings: ['a is drained: the weight is set, but it takes traffic only once restored'] });
	});
});

describe('restore', () => {
	test('ready with the asked weight is a no-op; otherwise it applies with honest warnings', () => {
		expect(planRestore(server('a'), { admin: 'ready' })).toEqual({ kind: 'noop', message: 'a is already ready with weight 1; nothing changed' });
		expect(planRestore(server('a', { admin: 'drain' }), { admin: 'ready' })).toMatchObject({ kind: 'apply', message: 'restored a: it takes new traffic again', warnings: [] });
		expect(planRestore(server('a', { admin: 'drain', health: 'down' }), { admin: 'ready', weight: 4 })).toMatchObject({
			kind: 'apply',
			message: 'restored a with weight 4: it takes new traffic again',
			warnings: ['a is restored, but its health checks say down: it takes traffic once they pass'],
		});
		expect(planRestore(server('a', { admin: 'maint', weight: 0 }), { admin: 'ready' })).toMatchObject({ warnings: ['a is ready but has weight 0: it takes traffic only once a weight is set'] });
	});
});
