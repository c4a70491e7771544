import type { WaitOptions, WaitProgress, WaitReport } from './types';

export interface Clock {
	now(): number; // milliseconds
	sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
	now: () => Date.now(),
	sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const DEFAULT_POLL_MS = 500;

/**
 * Polls a server's session count until it reaches 0 or the deadline passes.
 * The report keeps each look where the count changed (plus the last one), so
 * a long drain stays a short list that still shows its course.
 */
export async function waitForSessions(readSessions: () => Promise<number>, options: WaitOptions, clock: Clock = realClock): Promise<WaitReport> {
	const start = clock.now();
	const pollMs = Math.max(10, options.pollMs ?? DEFAULT_POLL_MS);
	const progress: WaitProgress[] = [];
	for (;;) {
		const sessions = await readSessions();
		const elapsedMs = clock.now() - start;
		const look = { sessions, elapsedMs };
		const previous = progress[progress.length - 1];
		if (!previous || previous.sessions !== sessions) progress.push(look);
		options.onProgress?.(look);
		const done = sessions === 0;
		if (done || elapsedMs >= options.timeoutMs) {
			if (progress[progress.length - 1] !== look) progress.push(look);
			return { completed: done, sessions, waitedMs: elapsedMs, progress };
		}
		await clock.sleep(Math.min(pollMs, options.timeoutMs - elapsedMs));
	}
}
