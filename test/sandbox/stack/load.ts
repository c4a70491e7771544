import * as http from 'node:http';

/**
 * Steady synthetic traffic: `rps` GETs a second, started on a fixed schedule
 * whether or not earlier ones have answered (an open-loop load, like real
 * users: a slow server does not slow the arrivals down). Each request uses a
 * fresh connection, so HAProxy balances every one of them and a drained
 * server stops receiving them at once.
 */

export interface LoadTally {
	sent: number;
	/** Answers by HTTP status code; network failures under `error`. */
	byStatus: Record<string, number>;
	/** Answers by the server that gave them (X-Region header, else the body). */
	byServer: Record<string, number>;
	inFlight: number;
	/** The last network error, for diagnosis. */
	lastError?: string;
}

export interface Load {
	url: string;
	rps(): number;
	/** Changes the rate from the next tick; 0 pauses. */
	setRate(rps: number): void;
	tally(): LoadTally;
	/** Clears the counts (not the requests in flight). */
	reset(): void;
	/** Stops sending and waits (up to 5 s) for the requests in flight. */
	stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 5000;
// One timer tick sends as many requests as are due, so rates above the timer's resolution stay exact.
const TICK_MS = 50;

export function startLoad(url: string, rps: number): Load {
	let rate = checkRate(rps);
	let tally: LoadTally = fresh();
	let inFlight = 0;
	let stopped = false;
	let due = 0;
	let last = Date.now();

	const send = () => {
		tally.sent += 1;
		inFlight += 1;
		const done = (key: string, server?: string) => {
			inFlight -= 1;
			tally.byStatus[key] = (tally.byStatus[key] ?? 0) + 1;
			if (server) tally.byServer[server] = (tally.byServer[server] ?? 0) + 1;
		};
		const request = http.get(url, { agent: false, headers: { Connection: 'close' } }, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => (body += chunk));
			res.on('end', () => done(String(res.statusCode ?? 0), (res.headers['x-region'] as string | undefined) ?? (body.trim().slice(0, 60) || undefined)));
			res.on('error', (error) => {
				tally.lastError = error.message;
				done('error');
			});
		});
		request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
		request.on('error', (error) => {
			tally.lastError = error.message;
			done('error');
		});
	};

	const timer = setInterval(() => {
		const now = Date.now();
		due += ((now - last) / 1000) * rate;
		last = now;
		while (due >= 1 && !stopped) {
			due -= 1;
			send();
		}
	}, TICK_MS);
	// Traffic alone must not keep a test process alive.
	timer.unref();

	return {
		url,
		rps: () => rate,
		setRate: (value) => {
			rate = checkRate(value);
			due = Math.min(due, 1);
		},
		tally: () => ({ ...tally, byStatus: { ...tally.byStatus }, byServer: { ...tally.byServer }, inFlight }),
		reset: () => {
			tally = fresh();
		},
		stop: async () => {
			stopped = true;
			clearInterval(timer);
			const deadline = Date.now() + REQUEST_TIMEOUT_MS;
			while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		},
	};
}

function fresh(): LoadTally {
	return { sent: 0, byStatus: {}, byServer: {}, inFlight: 0 };
}

function checkRate(rps: number): number {
	if (!(rps >= 0) || !Number.isFinite(rps)) throw new Error(`load rate must be a finite number >= 0 requests/s, got ${rps}`);
	return rps;
}
