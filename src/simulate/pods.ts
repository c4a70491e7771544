/**
 * The pods of one workload: a pod asked for at t serves from t + start-up; a
 * scale-down removes capacity at once. Like a ReplicaSet, it deletes pods that
 * are not ready before ready ones, so cancelling a scale-up costs no capacity.
 */
export class PodPool {
	/** Ready time of every pod, in the order they were asked for (so ascending). */
	private readyAt: number[] = [];

	constructor(private readonly startupSeconds: number) {
		if (!(startupSeconds >= 0) || !Number.isFinite(startupSeconds)) throw new Error(`start-up must be 0 s or more, got ${startupSeconds}`);
	}

	/** Pods that exist, ready or not: what the scale target's replicas say and what costs money. */
	get replicas(): number {
		return this.readyAt.length;
	}

	ready(now: number): number {
		// Ready times ascend, so the ready pods are a prefix: binary search keeps month-long replays fast.
		let lo = 0;
		let hi = this.readyAt.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.readyAt[mid] <= now) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** Starts with `replicas` pods that are already serving (a replay begins in steady state). */
	seed(replicas: number, now: number): void {
		this.readyAt = new Array<number>(replicas).fill(now);
	}

	scaleTo(replicas: number, now: number): void {
		while (this.readyAt.length < replicas) this.readyAt.push(now + this.startupSeconds);
		// The newest pods are the ones still starting, so dropping from the end removes unready pods first.
		if (this.readyAt.length > replicas) this.readyAt.length = replicas;
	}
}
