import { randomBytes } from 'node:crypto';

export type FaultType = 'latency' | 'error' | 'drop' | 'conflict';

export interface FaultSpec {
	type: FaultType;
	/**
	 * Which request paths it hits (query string excluded): a string is a
	 * prefix, or a glob when it contains `*` (which also matches `/`); a
	 * RegExp is tested as is. Over HTTP send `pathRegex` for a RegExp.
	 */
	path?: string | RegExp;
	/** HTTP methods it hits; default: all for latency/error/drop, writes only for conflict. */
	methods?: string[];
	/** Extra delay for `latency` (default 1000 ms). */
	latencyMs?: number;
	/** Status code for `error` (default 500). */
	status?: number;
	message?: string;
	/** Sets a Retry-After header (client-go retries 429/5xx answers that carry one). */
	retryAfterSeconds?: number;
	/** How many matching requests it applies to; unlimited by default. */
	times?: number;
	/** Chance a matching request is hit (default 1). */
	probability?: number;
}

export interface Fault extends FaultSpec {
	id: string;
	hits: number;
}

const writeMethods = ['POST', 'PUT', 'PATCH', 'DELETE'];

function globToRegExp(glob: string): RegExp {
	const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
	return new RegExp(`^${escaped}$`);
}

function pathMatches(pattern: string | RegExp | undefined, path: string): boolean {
	if (pattern === undefined || pattern === '' || pattern === '*') return true;
	if (pattern instanceof RegExp) return pattern.test(path);
	if (pattern.includes('*')) return globToRegExp(pattern).test(path);
	return path === pattern || path.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`) || path.startsWith(`${pattern}?`);
}

export interface FaultDecision {
	delayMs: number;
	/** The fault that ends the request, if any (error, drop or conflict). */
	terminal?: Fault;
}

/**
 * Per-path fault rules, consulted before every API request. Usable
 * in-process (`sandbox.faults.add(...)`) and over HTTP at /_sandbox/faults.
 */
export class FaultInjector {
	private faults: Fault[] = [];

	add(spec: FaultSpec): Fault {
		if (!['latency', 'error', 'drop', 'conflict'].includes(spec.type)) throw new Error(`unknown fault type ${String(spec.type)}`);
		if (spec.type === 'error' && spec.status !== undefined && (spec.status < 400 || spec.status > 599)) throw new Error('an error fault needs a 4xx or 5xx status');
		const fault: Fault = { ...spec, methods: spec.methods?.map((m) => m.toUpperCase()), id: randomBytes(6).toString('hex'), hits: 0 };
		this.faults.push(fault);
		return { ...fault };
	}

	remove(id: string): boolean {
		const before = this.faults.length;
		this.faults = this.faults.filter((f) => f.id !== id);
		return this.faults.length !== before;
	}

	clear(): void {
		this.faults = [];
	}

	list(): Fault[] {
		return this.faults.map((f) => ({ ...f }));
	}

	/** How many requests a fault has hit so far. */
	hits(id: string): number {
		return this.faults.find((f) => f.id === id)?.hits ?? 0;
	}

	/** Decides what happens to one request, counting the hits. */
	decide(method: string, path: string): FaultDecision {
		const decision: FaultDecision = { delayMs: 0 };
		for (const fault of this.faults) {
			const methods = fault.methods ?? (fault.type === 'conflict' ? writeMethods : undefined);
			if (methods && !methods.includes(method.toUpperCase())) continue;
			if (!pathMatches(fault.path, path)) continue;
			if (fault.times !== undefined && fault.hits >= fault.times) continue;
			if (fault.type !== 'latency' && decision.terminal) continue;
			if (fault.probability !== undefined && Math.random() >= fault.probability) continue;
			fault.hits += 1;
			if (fault.type === 'latency') decision.delayMs += fault.latencyMs ?? 1000;
			else decision.terminal = fault;
		}
		return decision;
	}

	/** Reads a rule sent as JSON to /_sandbox/faults. */
	static specFromJson(body: unknown): FaultSpec {
		if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('a fault must be a JSON object');
		const raw = body as Record<string, unknown>;
		const spec: FaultSpec = { type: raw.type as FaultType };
		if (typeof raw.pathRegex === 'string') spec.path = new RegExp(raw.pathRegex);
		else if (typeof raw.path === 'string') spec.path = raw.path;
		if (Array.isArray(raw.methods)) spec.methods = raw.methods.map(String);
		else if (typeof raw.method === 'string') spec.methods = [raw.method];
		for (const key of ['latencyMs', 'status', 'retryAfterSeconds', 'times', 'probability'] as const) {
			if (raw[key] !== undefined) {
				if (typeof raw[key] !== 'number') throw new Error(`${key} must be a number`);
				spec[key] = raw[key] as number;
			}
		}
		if (typeof raw.message === 'string') spec.message = raw.message;
		return spec;
	}

	static toJson(fault: Fault): Record<string, unknown> {
		const { path, ...rest } = fault;
		return path instanceof RegExp ? { ...rest, pathRegex: path.source.replace(/\\\//g, '/') } : { ...rest, ...(path !== undefined ? { path } : {}) };
	}
}
