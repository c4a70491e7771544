import type { TrafficState } from '../policy';
import type { BackendStatus } from './types';

/**
 * The load balancer as a proposal states it (current.traffic): each server's
 * operator-set state, not its health. Health is what a failover reacts to and
 * changes by the second; the admin state is what a person or another run sets,
 * so a change in it means the move was judged on a load balancer that is gone.
 */
export function trafficStateOf(status: BackendStatus): TrafficState {
	const servers: TrafficState['servers'] = {};
	for (const server of status.servers) servers[server.server] = server.admin;
	return { backend: status.backend, servers };
}

/** What differs between the state a verdict was judged on and a live read; empty when it still holds. */
export function trafficDrift(judged: TrafficState, live: BackendStatus): string[] {
	const drift: string[] = [];
	if (judged.backend !== undefined && judged.backend !== live.backend) drift.push(`the verdict was judged on backend ${judged.backend}, not ${live.backend}`);
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
