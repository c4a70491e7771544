import { describeAdmin } from '../shared/adminState';
import type { AdminState, BackendStatus, ServerState } from './types';

/** What a write must make true for one server; unset fields stay as they are. */
export interface Desired {
	admin?: AdminState;
	weight?: number;
}

export type Plan =
	| { kind: 'noop'; message: string }
	| { kind: 'refuse'; reason: string; fix: string }
	| { kind: 'apply'; desired: Desired; message: string; forced: boolean; warnings: string[] };

// Cloudflare weights are fractions (0.35); HAProxy and Kubernetes integers.
export function sameWeight(a: number | null, b: number): boolean {
	return a !== null && Math.abs(a - b) < 1e-9;
}

export function satisfies(state: ServerState, desired: Desired): boolean {
	return (desired.admin === undefined || state.admin === desired.admin) && (desired.weight === undefined || sameWeight(state.weight, desired.weight));
}

/**
 * Where taking `server` out of new traffic leaves nothing else to take its
 * share: the change that turns a failover into an outage. The default scope
 * is the whole backend; a provider whose backend has several independent
 * groups (an HTTPRoute's rules) names each group that would be left empty.
 */
export function lastServingScopes(status: BackendStatus, server: ServerState): string[] {
	return server.serving && status.serving.every((name) => name === server.server) ? [status.backend] : [];
}

function lastServingRefusal(status: BackendStatus, server: ServerState, what: string, scopes: string[]): Plan {
	const others = status.servers.filter((s) => s.server !== server.server).map((s) => `${s.server} (${describeAdmin(s.admin)}, health ${s.health}, weight ${s.weight ?? 'n/a'})`);
	return {
		kind: 'refuse',
		reason: `refusing to ${what} ${server.server}: it is the last server that takes traffic in ${scopes.join(', ')}${others.length ? `; the others: ${others.join(', ')}` : ''}`,
		fix: 'Restore or scale up another server first so it takes the traffic, or force the change if taking the whole backend out of traffic is intended.',
	};
}

export function planDrain(status: BackendStatus, server: ServerState, desired: Desired, force: boolean, scopes = lastServingScopes(status, server)): Plan {
	if (server.admin !== 'ready') {
		return { kind: 'noop', message: `${server.server} is already ${describeAdmin(server.admin)}: it takes no new traffic; nothing changed` };
	}
	const warnings: string[] = [];
	const last = scopes.length > 0;
	if (last && !force) return lastServingRefusal(status, server, 'drain', scopes);
	if (last) warnings.push(`forced: ${server.server} was the last server that took traffic in ${scopes.join(', ')}; that now takes no new traffic at all`);
	if (status.serving.length === 0) warnings.push(`no server of ${status.backend} takes traffic, before or after this change`);
	return { kind: 'apply', desired, message: `drained ${server.server}: it takes no new traffic`, forced: last, warnings };
}

export function planWeight(status: BackendStatus, server: ServerState, weight: number, force: boolean, scopes = lastServingScopes(status, server)): Plan {
	if (sameWeight(server.weight, weight)) {
		return { kind: 'noop', message: `${server.server} already has weight ${weight}; nothing changed` };
	}
	const warnings: string[] = [];
	const last = weight === 0 && scopes.length > 0;
	if (last && !force) return lastServingRefusal(status, server, 'set weight 0 on', scopes);
	if (last) warnings.push(`forced: ${server.server} was the last server that took traffic in ${scopes.join(', ')}; with weight 0 that takes no new traffic at all`);
	if (server.admin !== 'ready' && weight > 0) warnings.push(`${server.server} is ${describeAdmin(server.admin)}: the weight is set, but it takes traffic only once restored`);
	return { kind: 'apply', desired: { weight }, message: `set the weight of ${server.server} from ${server.weight ?? 'none'} to ${weight}`, forced: last, warnings };
}

export function planRestore(server: ServerState, desired: Desired): Plan {
	if (satisfies(server, desired) && server.admin === 'ready') {
		return { kind: 'noop', message: `${server.server} is already ready with weight ${server.weight ?? 'n/a'}; nothing changed` };
	}
	const warnings: string[] = [];
	if (server.health === 'down') warnings.push(`${server.server} is restored, but its health checks say down: it takes traffic once they pass`);
	if ((desired.weight ?? server.weight) === 0) warnings.push(`${server.server} is ready but has weight 0: it takes traffic only once a weight is set`);
	const weight = desired.weight !== undefined && !sameWeight(server.weight, desired.weight) ? ` with weight ${desired.weight}` : '';
	return { kind: 'apply', desired, message: `restored ${server.server}${weight}: it takes new traffic again`, forced: false, warnings };
}
