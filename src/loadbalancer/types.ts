// Shapes shared by every load balancer provider. Plain JSON throughout, so a
// result travels unchanged through n8n items, CLI output and decision records.

export type ProviderName = 'haproxy' | 'kubernetes' | 'cloudflare' | 'route53';

export const PROVIDER_NAMES: readonly ProviderName[] = ['haproxy', 'kubernetes', 'cloudflare', 'route53'];

/**
 * What an operator set, normalised across providers:
 * - ready: takes new traffic (if healthy and weighted);
 * - drain: takes no new traffic, existing connections finish (HAProxy drain, a Kubernetes weight of 0);
 * - maint: out of traffic and out of health checks (HAProxy maint, a disabled Cloudflare origin or pool).
 */
export type AdminState = 'ready' | 'drain' | 'maint';

/** From the provider's own health checks; 'unknown' where it has none or does not report them. */
export type Health = 'up' | 'down' | 'unknown';

/**
 * One thing that receives traffic inside one thing that spreads it:
 * HAProxy backend/server, an HTTPRoute or canary Ingress and a Service,
 * a Cloudflare pool and an origin, or a Cloudflare load balancer and a pool.
 */
export interface ServerRef {
	backend: string;
	server: string;
}

export interface ServerState {
	server: string;
	admin: AdminState;
	health: Health;
	/** null when the provider has no weights for this kind of server. */
	weight: number | null;
	/** Current sessions, where the provider can see them (HAProxy); null elsewhere. */
	sessions: number | null;
	/** Receives new traffic right now: ready, healthy (or unknown) and a weight above 0. */
	serving: boolean;
	/** The provider's own words for this server (raw state, status, address, ...). */
	detail: Record<string, unknown>;
}

export interface BackendStatus {
	provider: ProviderName;
	/** Where the provider talked to, for humans: an address, an API server, an account. */
	endpoint: string;
	backend: string;
	servers: ServerState[];
	/** Names of the servers that receive new traffic. */
	serving: string[];
	/** What the provider's own rules make of this state, in words (Route 53: when drained records come back). */
	notes?: string[];
}

export type Operation = 'drain' | 'restore' | 'setWeight';

export interface WaitProgress {
	sessions: number;
	elapsedMs: number;
}

export interface WaitOptions {
	/** How long to wait for the sessions to reach 0. */
	timeoutMs: number;
	/** Between two looks at the session count (default 500 ms). */
	pollMs?: number;
	onProgress?: (progress: WaitProgress) => void;
}

export interface WaitReport {
	/** The sessions reached 0 before the deadline. */
	completed: boolean;
	/** Sessions at the last look. */
	sessions: number;
	waitedMs: number;
	/** Every look, oldest first (bounded). */
	progress: WaitProgress[];
}

export interface DrainOptions {
	/** Drain even the last server that serves the backend. */
	force?: boolean;
	/** Wait for the server's sessions to reach 0 (providers that can see sessions). */
	wait?: WaitOptions;
	/** Once the sessions reached 0, put the server in maintenance (HAProxy). */
	maintAfter?: boolean;
}

export interface RestoreOptions {
	/** Weight to restore to; default: what the provider remembers or the server's configured weight. */
	weight?: number;
}

export interface WeightOptions {
	/** Allow a weight of 0 on the last server that serves the backend. */
	force?: boolean;
}

export interface ChangeResult {
	provider: ProviderName;
	endpoint: string;
	operation: Operation;
	backend: string;
	server: string;
	/** false when the server already was as asked (an idempotent repeat). */
	changed: boolean;
	message: string;
	/** Read before the change and read back after it. */
	before: ServerState;
	after: ServerState;
	/** The last-server refusal was overridden. */
	forced: boolean;
	wait?: WaitReport;
	/** DNS providers (Route 53) with a wait: the change reached every name server, then the record's TTL passed. */
	propagation?: PropagationReport;
	warnings: string[];
}

export interface PropagationReport {
	/** INSYNC was reported and the record's TTL passed, before the deadline. */
	completed: boolean;
	changeId: string | null;
	/** The last status Route 53 reported (PENDING, INSYNC). */
	status: string | null;
	waitedMs: number;
	insyncAfterMs: number | null;
	ttlSeconds: number | null;
	ttlWaitedMs: number;
	/** GetChange calls. */
	polls: number;
	note: string;
}

/** The one interface every provider implements (see provider.ts for the shared rules). */
export interface LoadBalancerProvider {
	readonly name: ProviderName;
	readonly endpoint: string;
	status(backend: string): Promise<BackendStatus>;
	drain(ref: ServerRef, options?: DrainOptions): Promise<ChangeResult>;
	restore(ref: ServerRef, options?: RestoreOptions): Promise<ChangeResult>;
	setWeight(ref: ServerRef, weight: number, options?: WeightOptions): Promise<ChangeResult>;
}
