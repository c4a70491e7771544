export class DeadlineExceeded extends Error {
	constructor(readonly budgetMs: number) {
		super(`timeout after ${budgetMs} ms`);
	}
}

export class Cancelled extends Error {
	constructor() {
		super('cancelled before the model answered');
	}
}

/**
 * One time budget for a whole advise() call: every request, retry wait and
 * fallback draws from it, and nothing outlives it. The race in `run` is what
 * guarantees that, even if a library ignored the abort signal.
 */
export class Deadline {
	private readonly controller = new AbortController();
	private readonly endsAt: number;
	private readonly timer: NodeJS.Timeout;
	private readonly onExternalAbort?: () => void;

	constructor(
		readonly budgetMs: number,
		private readonly external?: AbortSignal,
	) {
		this.endsAt = performance.now() + budgetMs;
		this.timer = setTimeout(() => this.controller.abort(new DeadlineExceeded(budgetMs)), budgetMs);
		if (external !== undefined) {
			if (external.aborted) this.controller.abort(new Cancelled());
			else {
				this.onExternalAbort = () => this.controller.abort(new Cancelled());
				external.addEventListener('abort', this.onExternalAbort, { once: true });
			}
		}
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	remainingMs(): number {
		return Math.max(0, Math.floor(this.endsAt - performance.now()));
	}

	/** Why the budget ended, once it has. */
	reason(): DeadlineExceeded | Cancelled | undefined {
		const reason: unknown = this.controller.signal.reason;
		return this.controller.signal.aborted && (reason instanceof DeadlineExceeded || reason instanceof Cancelled) ? reason : undefined;
	}

	run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
		const signal = this.controller.signal;
		if (signal.aborted) return Promise.reject(signal.reason as Error);
		return new Promise<T>((resolve, reject) => {
			const onAbort = (): void => reject(signal.reason as Error);
			signal.addEventListener('abort', onAbort, { once: true });
			work(signal).then(
				(value) => {
					signal.removeEventListener('abort', onAbort);
					resolve(value);
				},
				(error: unknown) => {
					signal.removeEventListener('abort', onAbort);
					reject(error as Error);
				},
			);
		});
	}

	sleep(ms: number): Promise<void> {
		return this.run(
			(signal) =>
				new Promise<void>((resolve) => {
					const timer = setTimeout(resolve, ms);
					signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
				}),
		);
	}

	dispose(): void {
		clearTimeout(this.timer);
		if (this.external !== undefined && this.onExternalAbort !== undefined) this.external.removeEventListener('abort', this.onExternalAbort);
	}
}
