// The fetch the SDK uses for one advise() call. It exists for two reasons: the SDK
// reduces an error body it cannot map (vLLM's {"object":"error","message":…}) to
// "400 status code (no body)", and we need that message to recognise a rejected
// response_format; and a provider answer is read only up to a size bound.

export interface CapturedError {
	status: number;
	headers: Headers;
	/** The error body, bounded; '' when there was none. */
	body: string;
}

export interface TransportState {
	lastError?: CapturedError;
	tooLarge?: number;
}

const MAX_ERROR_BODY_BYTES = 16_384;
// Statuses a Response cannot be constructed with a body for.
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export class ResponseTooLargeError extends Error {
	constructor(readonly limit: number) {
		super(`provider answer larger than ${limit} bytes`);
	}
}

type FetchFn = typeof fetch;

export function boundedFetch(maxResponseBytes: number, state: TransportState, base: FetchFn = fetch): FetchFn {
	return async (input, init) => {
		state.lastError = undefined;
		const response = await base(input, init);
		const headers = new Headers(response.headers);
		// The body below is already decoded; a stale length or encoding would mislead the SDK.
		headers.delete('content-length');
		headers.delete('content-encoding');
		if (response.status < 200 || NULL_BODY_STATUSES.has(response.status)) return response;
		if (!response.ok) {
			const body = new TextDecoder().decode(await readUpTo(response, MAX_ERROR_BODY_BYTES));
			state.lastError = { status: response.status, headers, body };
			return new Response(body, { status: response.status, statusText: response.statusText, headers });
		}
		if (response.body === null) return response;
		return new Response(limitStream(response.body, maxResponseBytes, state), { status: response.status, statusText: response.statusText, headers });
	};
}

async function readUpTo(response: Response, limit: number): Promise<Uint8Array> {
	if (response.body === null) return new Uint8Array();
	const reader = response.body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	try {
		while (total < limit) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(value);
			total += value.byteLength;
		}
	} finally {
		await reader.cancel().catch(() => undefined);
	}
	const joined = new Uint8Array(Math.min(total, limit));
	let offset = 0;
	for (const chunk of chunks) {
		const part = chunk.subarray(0, joined.length - offset);
		joined.set(part, offset);
		offset += part.length;
		if (offset >= joined.length) break;
	}
	return joined;
}

function limitStream(body: ReadableStream<Uint8Array>, limit: number, state: TransportState): ReadableStream<Uint8Array> {
	const reader = body.getReader();
	let total = 0;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			const { done, value } = await reader.read();
			if (done) {
				controller.close();
				return;
			}
			total += value.byteLength;
			if (total > limit) {
				state.tooLarge = limit;
				await reader.cancel().catch(() => undefined);
				controller.error(new ResponseTooLargeError(limit));
				return;
			}
			controller.enqueue(value);
		},
		cancel(reason) {
			return reader.cancel(reason);
		},
	});
}
