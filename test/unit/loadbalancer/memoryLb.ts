import type { GatedAdmission } from '../../../src/admission';
import { type BackendStatus, type LoadBalancerProvider, type ServerState, runOperation } from '../../../src/loadbalancer';
import { TEST_KEY } from '../../harness/signing';

/**
 * An in-memory load balancer for the verdict compare: it records every read
 * and write, so "refused without spending, nothing moved" is checked as calls.
 * `servers` is read on every status call, so a test can change it mid-run.
 */
export function server(name: string, admin: ServerState['admin']): ServerState {
	return { server: name, admin, health: 'up', weight: 1, sessions: 0, serving: admin === 'ready', detail: {} };
}

/** backend: what status reports as the backend's name (default: the one asked for). */
export function memoryLb(servers: ServerState[], backend?: string) {
	const calls: string[] = [];
	const provider: LoadBalancerProvider = {
		name: 'haproxy',
		endpoint: 'memory',
		async status(asked: string): Promise<BackendStatus> {
			calls.push(`status ${asked}`);
			return { provider: 'haproxy', endpoint: 'memory', backend: backend ?? asked, servers: servers.map((s) => ({ ...s })), serving: servers.filter((s) => s.serving).map((s) => s.server) };
		},
		async drain(ref) {
			calls.push(`drain ${ref.server}`);
			return { changed: true, server: ref.server } as never;
		},
		async restore(ref) {
			calls.push(`restore ${ref.server}`);
			return { changed: true, server: ref.server } as never;
		},
		async setWeight(ref) {
			calls.push(`setWeight ${ref.server}`);
			return { changed: true } as never;
		},
	};
	return { provider, calls };
}

/** A gated drain as Load Balancer Drain runs it; each claim is kept (the ledger write). */
export function gatedDrain(provider: LoadBalancerProvider, item: Record<string, unknown>, claims: GatedAdmission[], now: Date, backend = 'be_app', target = 'us-east') {
	return runOperation(provider, {
		operation: 'drain',
		backend,
		server: target,
		gate: { item, requireVerdict: true, keys: [TEST_KEY], maxAgeSeconds: 300, now, claim: async (g) => void claims.push(g) },
	});
}
