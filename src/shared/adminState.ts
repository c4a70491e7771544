/** An operator-set load-balancer state in words, the same in the gate's checks and the providers' messages. */
export function describeAdmin(admin: 'ready' | 'drain' | 'maint'): string {
	return admin === 'drain' ? 'drained' : admin === 'maint' ? 'in maintenance' : 'ready';
}
