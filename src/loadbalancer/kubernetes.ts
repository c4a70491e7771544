import type * as k8s from '@kubernetes/client-node';

import {
	CANARY_ANNOTATION,
	DEFAULT_TIMEOUT_MS,
	type KubeObject,
	KubeClient,
	KubeError,
	backoffMs,
	canaryWeightAnnotation,
	defaultSleep,
	readCanary,
	resources,
} from '../kubernetes';
import { LoadBalancerError, networkFailure } from './errors';
import { ReadResult, TrafficProvider, servingNames } from './provider';
import { Desired, lastServingScopes } from './safety';
import type { BackendStatus, RestoreOptions, ServerRef, ServerState } from './types';

export interface KubernetesWeightsOptions {
	/** The connection every other Kubernetes operation uses (the credential's TLS, auth and timeout). */
	client?: KubeClient;
	/** Or just a KubeConfig (a shell's kubeconfig, tests). */
	kubeConfig?: k8s.KubeConfig;
	/** With kubeConfig: per request (default 30 s). */
	timeoutMs?: number;
	/** Namespace for backends that do not name one (default `default`). */
	namespace?: string;
}

// Where a drain remembers the weight it took away, on the object itself, so a
// restore from another n8n worker or a later execution puts it back.
export const RESTORE_ANNOTATION = 'kube-ops/lb-restore-weights';
const CANARY_OTHER_ROUTING = ['canary-by-header', 'canary-by-header-value', 'canary-by-header-pattern', 'canary-by-cookie'];
const WRITE_ATTEMPTS = 3;
const MAX_ROUTE_WEIGHT = 1_000_000; // Gateway API's limit for backendRef weights

/** The parts of a networking.k8s.io/v1 Ingress read here, as plain JSON. */
interface IngressSpec {
	rules?: Array<{ host?: string; http?: { paths?: Array<{ backend?: { service?: { name?: string } } }> } }>;
	defaultBackend?: { service?: { name?: string } };
}

interface BackendRef {
	name?: string;
	kind?: string;
	weight?: number;
	[key: string]: unknown;
}

interface RouteRule {
	matches?: Array<{ path?: { value?: string } }>;
	backendRefs?: BackendRef[];
	[key: string]: unknown;
}

type Target = { kind: 'httproute' | 'ingress'; namespace: string; name: string };

type Snapshot =
	| { kind: 'httproute'; target: Target; object: KubeObject; rules: RouteRule[]; remembered: Record<string, number> }
	| { kind: 'ingress'; target: Target; object: KubeObject; canaryService: string; stableService: string; total: number; remembered: Record<string, number> };

const KINDS: Record<string, Target['kind']> = {
	httproute: 'httproute',
	httproutes: 'httproute',
	'httproute.gateway.networking.k8s.io': 'httproute',
	ingress: 'ingress',
	ingresses: 'ingress',
	ing: 'ingress',
	'ingress.networking.k8s.io': 'ingress',
};

/**
 * Traffic weights kept in Kubernetes objects: Gateway API HTTPRoute
 * backendRef weights, and the ingress-nginx canary weight. Backends are
 * `httproute/<name>` or `ingress/<canary ingress>` (optionally
 * `<namespace>/<kind>/<name>`); servers are the Services they send traffic to.
 * Every write carries the resourceVersion it was planned from, so a
 * concurrent change makes it fail with 409 and it is planned again from a
 * fresh read instead of overwriting someone else's weights.
 */
export class KubernetesWeightsProvider extends TrafficProvider<Snapshot> {
	readonly name = 'kubernetes' as const;
	readonly endpoint: string;
	protected readonly writeAttempts = WRITE_ATTEMPTS;
	private readonly namespace: string;
	private readonly client: KubeClient;

	constructor(options: KubernetesWeightsOptions) {
		super();
		this.namespace = options.namespace || 'default';
		if (options.client) this.client = options.client;
		else if (options.kubeConfig) this.client = new KubeClient({ kubeConfig: options.kubeConfig, server: options.kubeConfig.getCurrentCluster()?.server ?? '', timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
		else throw new Error('internal: KubernetesWeightsProvider needs a client or a kubeConfig');
		this.endpoint = this.client.server || 'kubernetes';
	}

	protected objectName(ref: ServerRef): string {
		const target = this.parseBackend(ref.backend);
		return `${target.kind} ${target.namespace}/${target.name} backend ${ref.server}`;
	}

	protected async read(backend: string): Promise<ReadResult<Snapshot>> {
		const target = this.parseBackend(backend);
		return target.kind === 'httproute' ? this.readRoute(backend, target) : this.readIngress(backend, target);
	}

	protected async write(ref: ServerRef, desired: Desired, snapshot: Snapshot, current: ServerState): Promise<void> {
		const weight = desired.weight ?? current.weight ?? 0;
		const remembered = { ...snapshot.remembered };
		// Remember what a drain takes away; forget it once restored.
		if (weight === 0 && (current.weight ?? 0) > 0) remembered[ref.server] = current.weight as number;
		else if (weight > 0) delete remembered[ref.server];
		const annotations: Record<string, string | null> = { [RESTORE_ANNOTATION]: Object.keys(remembered).length ? JSON.stringify(remembered) : null };
		const metadata = { resourceVersion: snapshot.object.metadata?.resourceVersion, annotations };
		const { namespace, name } = snapshot.target;
		try {
			if (snapshot.kind === 'httproute') {
				const rules = snapshot.rules.map((rule) => ({
					...rule,
					backendRefs: rule.backendRefs?.map((b) => (b.name === ref.server ? { ...b, weight } : b)),
				}));
				await this.client.patch(resources.httproutes, namespace, name, 'merge', { metadata, spec: { rules } });
			} else {
				const canaryWeight = ref.server === snapshot.canaryService ? weight : snapshot.total - weight;
				if (canaryWeight < 0 || canaryWeight > snapshot.total) {
					throw this.invalid(ref, `weight ${weight} is outside 0-${snapshot.total} (the canary-weight-total of ${name})`);
				}
				Object.assign(metadata.annotations, canaryWeightAnnotation(canaryWeight));
				await this.client.patch(resources.ingresses, namespace, name, 'merge', { metadata });
			}
		} catch (error) {
			throw this.apiFailure(error, `${snapshot.kind} ${namespace}/${name}`);
		}
	}

	protected isConflict(error: unknown): boolean {
		return error instanceof LoadBalancerError && error.kind === 'conflict';
	}

	/** Two writers that collided back off as every other Kubernetes write does, so they do not collide again in lockstep. */
	protected async beforeRetry(attempt: number): Promise<void> {
		await defaultSleep(backoffMs(attempt));
	}

	protected drainTarget(): Desired {
		return { weight: 0 };
	}

	protected restoreTarget(ref: ServerRef, current: ServerState, snapshot: Snapshot, options: RestoreOptions): Desired {
		const weight = options.weight ?? snapshot.remembered[ref.server] ?? ((current.weight ?? 0) > 0 ? (current.weight as number) : undefined);
		if (weight === undefined) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'invalid',
				object: this.objectName(ref),
				cause: `${ref.server} has weight 0 and no weight to restore was remembered (the ${RESTORE_ANNOTATION} annotation has none)`,
				fix: 'Give the weight to restore explicitly.',
			});
		}
		return { weight };
	}

	protected checkWeight(ref: ServerRef, weight: number): void {
		if (!Number.isInteger(weight) || weight < 0 || weight > MAX_ROUTE_WEIGHT) {
			throw this.invalid(ref, `weight ${weight} is not an integer from 0 to ${MAX_ROUTE_WEIGHT}`);
		}
	}

	/** Per HTTPRoute rule: a rule left with no weighted backend answers every request with 500. */
	protected lastServing(status: BackendStatus, current: ServerState, snapshot: Snapshot): string[] {
		if (snapshot.kind !== 'httproute') return lastServingScopes(status, current);
		return snapshot.rules.flatMap((rule, index) => {
			const refs = rule.backendRefs ?? [];
			const mine = refs.filter((b) => b.name === current.server && weightOf(b) > 0);
			const others = refs.filter((b) => b.name !== current.server && weightOf(b) > 0);
			return mine.length > 0 && others.length === 0 ? [`rule ${index} (${ruleLabel(rule)}) of ${status.backend}`] : [];
		});
	}

	private async readRoute(backend: string, target: Target): Promise<ReadResult<Snapshot>> {
		const object = await this.call(`httproute ${target.namespace}/${target.name}`, () => this.client.get(resources.httproutes, target.namespace, target.name));
		const rules = (((object.spec as { rules?: RouteRule[] } | undefined)?.rules as RouteRule[] | undefined) ?? []).map((r) => ({ ...r }));
		const names = [...new Set(rules.flatMap((r) => (r.backendRefs ?? []).map((b) => b.name ?? '')))].filter(Boolean);
		const servers = names.map((name) => {
			const weights = rules.flatMap((rule, index) => (rule.backendRefs ?? []).filter((b) => b.name === name).map((b) => ({ rule: index, weight: weightOf(b) })));
			const weight = weights[0]?.weight ?? 0;
			return weightedServer(name, weight, { rules: weights, kind: (rules.flatMap((r) => r.backendRefs ?? []).find((b) => b.name === name)?.kind as string) ?? 'Service' });
		});
		return { status: this.backendStatus(backend, servers), snapshot: { kind: 'httproute', target, object, rules, remembered: remembered(object) } };
	}

	private async readIngress(backend: string, target: Target): Promise<ReadResult<Snapshot>> {
		const where = `ingress ${target.namespace}/${target.name}`;
		const canary = await this.call(where, () => this.client.get(resources.ingresses, target.namespace, target.name));
		const annotations = canary.metadata.annotations ?? {};
		const weights = readCanary(canary);
		if (!weights.canary) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'invalid',
				object: where,
				cause: `it is not an ingress-nginx canary (annotation ${CANARY_ANNOTATION} is ${JSON.stringify(annotations[CANARY_ANNOTATION] ?? null)}, not "true")`,
				fix: 'Name the canary Ingress (the one with nginx.ingress.kubernetes.io/canary: "true"); its stable twin is found by host.',
			});
		}
		const hosts = new Set((specOf(canary).rules ?? []).map((r) => r.host ?? ''));
		const list = await this.call(`ingresses in ${target.namespace}`, () => this.client.list(resources.ingresses, target.namespace));
		const stable = list.items.find(
			(i) => i.metadata.name !== target.name && !readCanary(i).canary && (specOf(i).rules ?? []).some((r) => hosts.has(r.host ?? '')),
		);
		if (!stable) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'not_found',
				object: where,
				cause: `no stable (non-canary) Ingress in ${target.namespace} serves the canary's host ${[...hosts].join(', ') || '(none)'}`,
				fix: 'ingress-nginx splits traffic between a canary Ingress and a stable Ingress for the same host; create or fix the stable one.',
			});
		}
		const canaryService = serviceOf(canary);
		const stableService = serviceOf(stable);
		const total = weights.total;
		const canaryWeight = weights.weight ?? 0;
		const other = CANARY_OTHER_ROUTING.filter((a) => annotations[`nginx.ingress.kubernetes.io/${a}`] !== undefined);
		const servers = [
			weightedServer(canaryService, canaryWeight, { ingress: target.name, role: 'canary', canaryWeightTotal: total, ...(other.length ? { alsoRoutedBy: other } : {}) }),
			weightedServer(stableService, total - canaryWeight, { ingress: stable.metadata.name, role: 'stable', canaryWeightTotal: total }),
		];
		const object = canary;
		return { status: this.backendStatus(backend, servers), snapshot: { kind: 'ingress', target, object, canaryService, stableService, total, remembered: remembered(object) } };
	}

	private backendStatus(backend: string, servers: ServerState[]): BackendStatus {
		return { provider: this.name, endpoint: this.endpoint, backend, servers, serving: servingNames(servers) };
	}

	private parseBackend(backend: string): Target {
		const parts = backend.trim().split('/');
		const [namespace, kindText, name] = parts.length === 3 ? parts : [this.namespace, parts[0], parts[1]];
		const kind = KINDS[(kindText ?? '').toLowerCase()];
		if (parts.length < 2 || parts.length > 3 || !kind || !name || !namespace) {
			throw new LoadBalancerError({
				provider: this.name,
				kind: 'invalid',
				object: JSON.stringify(backend),
				cause: 'not a traffic backend this provider knows',
				fix: 'Use httproute/<name> (Gateway API) or ingress/<canary ingress name> (ingress-nginx), optionally prefixed with <namespace>/.',
			});
		}
		return { kind, namespace, name };
	}

	private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
		try {
			return await request();
		} catch (error) {
			throw this.apiFailure(error, what);
		}
	}

	private invalid(ref: ServerRef, cause: string): LoadBalancerError {
		return new LoadBalancerError({ provider: this.name, kind: 'invalid', object: this.objectName(ref), cause, fix: 'Use a whole number within the range.' });
	}

	private apiFailure(error: unknown, what: string): LoadBalancerError {
		if (error instanceof LoadBalancerError) return error;
		const code = error instanceof KubeError ? error.details.httpStatus : undefined;
		if (error instanceof KubeError && code !== undefined) {
			const message = error.details.serverMessage ?? `HTTP ${code}`;
			const kind = code === 404 ? 'not_found' : code === 401 || code === 403 ? 'permission' : code === 409 ? 'conflict' : code === 422 || code === 400 ? 'invalid' : 'api';
			const fix =
				kind === 'not_found'
					? /could not find the requested resource/.test(message)
						? 'This cluster does not serve HTTPRoute gateway.networking.k8s.io/v1; install the Gateway API CRDs (v1) or use the ingress backend.'
						: 'Check the namespace and the name.'
					: kind === 'permission'
						? 'The credential\'s RBAC needs get and patch on httproutes.gateway.networking.k8s.io / ingresses.networking.k8s.io (and list on ingresses).'
						: kind === 'conflict'
							? 'Someone else changed the object while this change was being written, every time it was tried; look at who manages it.'
							: 'The API server refused the change; its message says why.';
			return new LoadBalancerError({ provider: this.name, kind, object: what, cause: `${code} ${error.details.reason ?? ''}: ${message}`.replace(' :', ':'), fix, httpStatus: code });
		}
		// The transport failure under the client's error, worded as the other providers word theirs.
		const transport = error instanceof KubeError && error.cause !== undefined ? error.cause : error;
		return new LoadBalancerError({
			provider: this.name,
			kind: error instanceof KubeError && error.kind === 'timeout' ? 'timeout' : 'unreachable',
			object: `${this.endpoint} ${what}`,
			cause: `cannot reach the API server: ${networkFailure(transport)}`,
			fix: 'Check the API server address and CA in the kubeconfig, and that it is reachable from here.',
		});
	}
}

function weightOf(ref: BackendRef): number {
	// Gateway API: a backendRef without a weight has weight 1.
	return typeof ref.weight === 'number' ? ref.weight : 1;
}

function weightedServer(name: string, weight: number, detail: Record<string, unknown>): ServerState {
	return { server: name, admin: weight > 0 ? 'ready' : 'drain', health: 'unknown', weight, sessions: null, serving: weight > 0, detail };
}

function ruleLabel(rule: RouteRule): string {
	const paths = (rule.matches ?? []).map((m) => m.path?.value).filter(Boolean);
	return paths.length ? paths.join(', ') : 'all requests';
}

function specOf(ingress: KubeObject): IngressSpec {
	return (ingress.spec as IngressSpec | undefined) ?? {};
}

function serviceOf(ingress: KubeObject): string {
	const spec = specOf(ingress);
	const path = spec.rules?.flatMap((r) => r.http?.paths ?? []).find((p) => p.backend?.service?.name);
	return path?.backend?.service?.name ?? spec.defaultBackend?.service?.name ?? ingress.metadata.name ?? '';
}

function remembered(object: KubeObject): Record<string, number> {
	const raw = object.metadata.annotations?.[RESTORE_ANNOTATION];
	if (!raw) return {};
	try {
		const parsed = JSON.parse(raw) as Record<string, unknown>;
		return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0));
	} catch {
		return {};
	}
}
