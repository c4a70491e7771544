import type { TrafficState } from '../policy';
import type { BackendStatus } from './types';

/**
 * The load balancer as a proposal states it (current.traffic): each server's
 * operator-set state, not its health. Health is what a failover reacts to and
 * changes by the second; the admin state is what a person or another run sets,
 * so a change in it means the move was judged on a load balancer that is gone.
 */
export function trafficStateOf(status: BackendStatus): TrafficState {
	// Null prototype: a server called "__proto__" is a server, not a prototype.
	const servers = Object.create(null) as TrafficState['servers'];
	for (const server of status.servers) servers[server.server] = server.admin;
	return { backend: status.backend, servers: { ...servers } };
}

function duplicateNames(status: BackendStatus): string[] {
	const seen = new Set<string>();
	return [...new Set(status.servers.map((server) => server.server).filter((name) => seen.has(name) || !seen.add(name)))];
}

/** What differs between the state a verdict was judged on and a live read; empty when it still holds. */
export function trafficDrift(judged: TrafficState, live: BackendStatus): string[] {
	const drift: string[] = [];
	if (judged.backend !== undefined && judged.backend !== live.backend) drift.push(`the verdict was judged on backend ${judged.backend}, not ${live.backend}`);
	// Two servers under one name (Cloudflare pools need not have unique names) cannot be told apart: no compare holds.
	for (const name of duplicateNames(live)) drift.push(`${live.backend} has more than one server named ${name}; name them apart to move traffic under a verdict`);
	const now = trafficStateOf(live).servers;
	for (const [server, admin] of Object.entries(judged.servers)) {
		const current = Object.hasOwn(now, server) ? now[server] : undefined;
		if (current === undefined) drift.push(`${server} was ${admin} and is no longer in ${live.backend}`);
		else if (current !== admin) drift.push(`${server} was ${admin} and is ${current} now`);
	}
	for (const server of Object.keys(now)) {
		if (!Object.hasOwn(judged.servers, server)) drift.push(`${server} (${now[server]}) was not there when the verdict was judged`);
	}
	return drift;
}
