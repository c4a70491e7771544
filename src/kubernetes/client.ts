import * as k8s from '@kubernetes/client-node';

import { type KubeConnection } from './config';
import { KubeError, type RequestSubject, errorFromResponse, errorFromTransport } from './errors';
import { type JsonObject, type KubeObject, type ResourceInfo, apiVersionOf, groupVersionPath, knownResource, objectPath, splitApiVersion, subjectOf } from './resources';

export type PatchType = 'merge' | 'strategic' | 'json';

export const patchContentType: Record<PatchType, string> = {
	merge: k8s.PatchStrategy.MergePatch,
	strategic: k8s.PatchStrategy.StrategicMergePatch,
	json: k8s.PatchStrategy.JsonPatch,
};

/** Recorded as the field manager of every write, so `kubectl get -o yaml --show-managed-fields` names us. */
export const FIELD_MANAGER = 'kube-ops';

export interface WriteOptions {
	dryRun?: boolean;
	subresource?: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
	query?: Record<string, string | undefined>;
	body?: unknown;
	contentType?: string;
	subject: RequestSubject;
}

const methods: Record<Method, k8s.HttpMethod> = {
	GET: k8s.HttpMethod.GET,
	POST: k8s.HttpMethod.POST,
	PUT: k8s.HttpMethod.PUT,
	PATCH: k8s.HttpMethod.PATCH,
	DELETE: k8s.HttpMethod.DELETE,
};

/**
 * A small REST client over client-node's own transport: the KubeConfig
 * applies TLS and authentication (tokens, client certificates, exec and
 * OIDC plugins, proxies) exactly as for the generated API classes, while
 * objects stay plain JSON. The generated classes deserialize into models
 * that drop fields they do not know, which a read-modify-write must never do.
 */
export class KubeClient {
	private readonly http = new k8s.IsomorphicFetchHttpLibrary();
	private readonly discovery = new Map<string, Promise<ResourceInfo[]>>();

	constructor(readonly connection: KubeConnection) {}

	get server(): string {
		return this.connection.server;
	}

	async request<T = JsonObject>(method: Method, path: string, options: RequestOptions): Promise<T> {
		const url = new URL(`${this.server}${path}`);
		for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(key, value);
		const context = new k8s.RequestContext(url.toString(), methods[method]);
		context.setHeaderParam('Accept', 'application/json');
		context.setHeaderParam('User-Agent', 'kube-ops (n8n-nodes-kube-ops)');
		if (options.body !== undefined) {
			context.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
			context.setBody(JSON.stringify(options.body));
		}
		const timeoutMs = this.connection.timeoutMs;
		let status: number;
		let body: string;
		try {
			await this.connection.kubeConfig.applySecurityAuthentication(context);
			context.setSignal(AbortSignal.timeout(timeoutMs));
			const response = await this.http.send(context).toPromise();
			status = response.httpStatusCode;
			body = await response.body.text();
		} catch (error) {
			throw errorFromTransport(error, this.server, options.subject, timeoutMs);
		}
		if (status >= 400) throw errorFromResponse(status, body, options.subject, this.server);
		try {
			return (body ? JSON.parse(body) : {}) as T;
		} catch {
			throw new KubeError('server', `The server at ${this.server} answered ${path} with something that is not JSON`, 'Check the server URL: it must be the Kubernetes API server, not a dashboard or a proxy login page.', { httpStatus: status });
		}
	}

	/** GET /version: what the credential test shows. */
	async version(): Promise<{ gitVersion?: string; platform?: string }> {
		return this.request('GET', '/version', { subject: { verb: 'get', resource: 'version', group: '' } });
	}

	/** Where a kind is served: a fixed table for the usual kinds, API discovery for the rest (cached per client). */
	async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
		const fixed = knownResource(apiVersion, kind);
		if (fixed) return fixed;
		const { group, version } = splitApiVersion(apiVersion);
		let listing = this.discovery.get(apiVersion);
		if (!listing) {
			listing = this.request<{ resources?: { name: string; kind: string; namespaced: boolean }[] }>('GET', groupVersionPath({ group, version }), {
				subject: { verb: 'get', resource: `API group ${apiVersion}`, group },
			}).then((list) =>
				(list.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => ({ group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced })),
			);
			this.discovery.set(apiVersion, listing);
			listing.catch(() => this.discovery.delete(apiVersion));
		}
		let found: ResourceInfo | undefined;
		try {
			found = (await listing).find((r) => r.kind === kind);
		} catch (error) {
			if (error instanceof KubeError && error.kind === 'notFound') {
				throw new KubeError('notFound', `The cluster does not serve API version ${apiVersion}`, `Check the API version (kubectl api-versions lists them) and that the controller that defines ${kind} is installed.`, error.details);
			}
			throw error;
		}
		if (!found) throw new KubeError('notFound', `The cluster serves ${apiVersion} but no kind "${kind}" in it`, `Check the kind's spelling and case (kubectl api-resources --api-group=${group}).`);
		return found;
	}

	get<T extends JsonObject = KubeObject>(res: ResourceInfo, namespace: string | undefined, name: string, subresource?: string): Promise<T> {
		return this.request<T>('GET', objectPath(res, namespace, name, subresource), { subject: subjectOf(res, 'get', namespace, name, subresource) });
	}

	list(res: ResourceInfo, namespace: string | undefined, selectors: { labelSelector?: string; fieldSelector?: string } = {}): Promise<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }> {
		return this.request('GET', objectPath(res, namespace), { query: selectors, subject: subjectOf(res, 'list', namespace) });
	}

	patch<T extends JsonObject = KubeObject>(res: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, body: unknown, options: WriteOptions = {}): Promise<T> {
		return this.request<T>('PATCH', objectPath(res, namespace, name, options.subresource), {
			query: { dryRun: options.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER },
			body,
			contentType: patchContentType[type],
			subject: subjectOf(res, 'patch', namespace, name, options.subresource),
		});
	}

	create<T extends JsonObject = KubeObject>(res: ResourceInfo, namespace: string | undefined, body: JsonObject, options: WriteOptions = {}): Promise<T> {
		return this.request<T>('POST', objectPath(res, namespace), {
			query: { dryRun: options.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER },
			body: { apiVersion: apiVersionOf(res), kind: res.kind, ...body },
			subject: subjectOf(res, 'create', namespace, (body.metadata as { name?: string } | undefined)?.name),
		});
	}

	replace<T extends JsonObject = KubeObject>(res: ResourceInfo, namespace: string | undefined, name: string, body: JsonObject, options: WriteOptions = {}): Promise<T> {
		return this.request<T>('PUT', objectPath(res, namespace, name, options.subresource), {
			query: { dryRun: options.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER },
			body,
			subject: subjectOf(res, 'update', namespace, name, options.subresource),
		});
	}
}
