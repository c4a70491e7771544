import type { KubeApi } from '../api';
import type { Controller, ControllerContext } from './common';
import { deploymentController } from './deployment';
import { hpaController } from './hpa';
import { createCrdController, garbageCollector, namespaceController } from './housekeeping';
import { kedaController } from './keda';
import { createKubelet } from './kubelet';
import { replicaSetController } from './replicaset';

/** Passes in a row that keep writing before the manager suspects a controller fight and slows down. */
const busyPassLimit = 1000;

/**
 * Runs the controllers level-triggered: any write schedules a pass over all
 * of them, and a pass that wants to look again later (a pod becoming ready)
 * asks for a timer. Passes run on the event loop, after the request that
 * caused them has been answered, like controllers watching a real server.
 */
export class ControllerManager {
	private readonly controllers: Controller[];
	private scheduled = false;
	private timer: NodeJS.Timeout | undefined;
	private wakeAt: number | undefined;
	private stopped = true;
	private busyPasses = 0;
	private unsubscribe: (() => void) | undefined;

	constructor(
		private readonly api: KubeApi,
		private readonly config: { podStartupMs: number },
		private readonly log: (line: string) => void = () => undefined,
	) {
		this.controllers = [deploymentController, replicaSetController, createKubelet(), hpaController, kedaController, garbageCollector, namespaceController, createCrdController()];
	}

	start(): void {
		this.stopped = false;
		this.unsubscribe = this.api.store.subscribe(() => this.schedule());
		this.schedule();
	}

	stop(): void {
		this.stopped = true;
		this.unsubscribe?.();
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
	}

	private schedule(delayMs = 0): void {
		if (this.stopped || this.scheduled) return;
		this.scheduled = true;
		const run = () => {
			this.scheduled = false;
			if (!this.stopped) this.pass();
		};
		if (delayMs > 0) setTimeout(run, delayMs).unref();
		else setImmediate(run);
	}

	/** Runs every controller once; returns whether anything was written. */
	pass(overrides: Partial<Pick<ControllerContext, 'podStartupMs'>> = {}): boolean {
		const before = this.api.store.revision;
		let nextWake: number | undefined;
		const ctx: ControllerContext = {
			api: this.api,
			now: this.api.now(),
			podStartupMs: overrides.podStartupMs ?? this.config.podStartupMs,
			requeueAt: (at) => {
				nextWake = nextWake === undefined ? at : Math.min(nextWake, at);
			},
		};
		for (const controller of this.controllers) {
			try {
				controller.reconcile(ctx);
			} catch (e) {
				this.log(`controller ${controller.name}: ${e instanceof Error ? e.message : String(e)}`);
			}
		}
		const wrote = this.api.store.revision !== before;
		this.busyPasses = wrote ? this.busyPasses + 1 : 0;
		if (this.busyPasses > busyPassLimit) {
			this.log('controllers keep writing on every pass; slowing down');
			this.busyPasses = 0;
			this.scheduled = false;
			this.schedule(100);
		}
		if (nextWake !== undefined) this.wakeUp(nextWake);
		return wrote;
	}

	private wakeUp(at: number): void {
		if (this.stopped) return;
		if (this.wakeAt !== undefined && this.wakeAt <= at && this.timer) return;
		if (this.timer) clearTimeout(this.timer);
		this.wakeAt = at;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.wakeAt = undefined;
			this.schedule();
		}, Math.max(0, at - this.api.now()) + 1);
		this.timer.unref();
	}

	/**
	 * Runs passes synchronously until nothing changes, with pods starting
	 * instantly: how the seeded cluster comes up already converged.
	 */
	settle(maxPasses = 500): void {
		for (let i = 0; i < maxPasses; i++) {
			if (!this.pass({ podStartupMs: 0 })) return;
		}
		this.log('controllers did not settle');
	}
}
