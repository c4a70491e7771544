import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions, KubeApi } from './api';
import type { Authenticator, SandboxUser } from './auth';
import { aggregatedDiscoveryTypes, type Discovery, versionInfo } from './discovery';
import { FaultInjector, type Fault } from './faults';
import { asArray, asObject, asString, isObject } from './json';
import { acceptsAnyJson, negotiate, type Representation } from './negotiation';
import { patchContentTypes, patchKindOf } from './patch';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiError, errors } from './status';
import { partialObjectMetadata, toTable, type IncludeObject } from './table';
import { apiVersionOf, type JsonObject, type KubeObject, type ResourceDef } from './types';
import type { WatchHub } from './watch';

export interface ServerContext {
	api: KubeApi;
	discovery: Discovery;
	auth: Authenticator;
	faults: FaultInjector;
	watches: WatchHub;
	/** Live settings a test in another process may change through /_sandbox/config. */
	config: { podStartupMs: number };
	info: () => JsonObject;
	log?: (line: string) => void;
	/** kube-state-metrics text for GET /metrics, unauthenticated as a metrics Service is scraped. */
	metrics?: () => string;
}

interface ResourceRoute {
	def: ResourceDef;
	namespace?: string;
	name?: string;
	subresource?: string;
	watchPath: boolean;
}

const maxBodyBytes = 3 * 1024 * 1024;

function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
	const text = JSON.stringify(body);
	res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
	res.end(text);
}

function sendError(res: ServerResponse, error: ApiError, retryAfterSeconds?: number): void {
	if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
	sendJson(res, error.code, error.toStatus());
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const buf = chunk as Buffer;
		size += buf.length;
		if (size > maxBodyBytes) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
		chunks.push(buf);
	}
	return Buffer.concat(chunks).toString('utf8');
}

function parseJsonBody(text: string, contentType: string | undefined): unknown {
	const base = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (base.includes('protobuf') || base === 'application/cbor') {
		throw errors.unsupportedMediaType(base, ['application/json']);
	}
	if (!text.trim()) return undefined;
	try {
		return JSON.parse(text);
	} catch (e) {
		// YAML that is also JSON parsed above; anything else is beyond this sandbox.
		throw errors.badRequest(`the sandbox accepts JSON request bodies only: ${(e as Error).message}`);
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function dryRunOf(url: URL, body?: unknown): boolean {
	const values = [...url.searchParams.getAll('dryRun'), ...asArray(asObject(body).dryRun).map(String)];
	for (const v of values) if (v !== 'All') throw errors.badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
	return values.length > 0;
}

/** The HTTP face of the sandbox: authentication, faults, discovery, and the REST verbs. */
export function createRequestHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
	return (req, res) => {
		res.setHeader('Audit-Id', randomUUID());
		handle(ctx, req, res).catch((e: unknown) => {
			const error = e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e));
			if (!(e instanceof ApiError)) ctx.log?.(`internal error on ${req.method} ${req.url}: ${e instanceof Error ? e.stack : String(e)}`);
			if (res.headersSent) {
				res.end();
				return;
			}
			sendError(res, error);
		});
	};
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://sandbox');
	const path = url.pathname.replace(/\/+$/, '') || '/';
	const method = (req.method ?? 'GET').toUpperCase();
	ctx.log?.(`${method} ${req.url}`);
	if (['/healthz', '/livez', '/readyz'].includes(path)) {
		res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
		res.end('ok');
		return;
	}
	if (path === '/metrics' && method === 'GET' && ctx.metrics) {
		res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
		res.end(ctx.metrics());
		return;
	}
	const user = ctx.auth.authenticate(req);
	if (path === '/_sandbox' || path.startsWith('/_sandbox/')) {
		if (!user.admin) throw errors.forbiddenPath(user.name, method.toLowerCase(), path);
		await handleSandboxAdmin(ctx, req, res, path, method);
		return;
	}
	const decision = ctx.faults.decide(method, path);
	if (decision.delayMs > 0) await sleep(decision.delayMs);
	if (decision.terminal) {
		injectFault(ctx, req, res, decision.terminal, path);
		return;
	}
	if (path === '/version') {
		sendJson(res, 200, versionInfo());
		return;
	}
	if (path === '/api' || path === '/apis') {
		if (method !== 'GET') throw errors.methodNotAllowed();
		res.setHeader('Vary', 'Accept');
		const rep = negotiate(req.headers.accept, { discovery: true });
		if (rep?.as === 'discovery') {
			sendJson(res, 200, ctx.discovery.aggregated(path === '/api', rep.version), aggregatedDiscoveryTypes[rep.version]);
		} else if (rep) {
			sendJson(res, 200, path === '/api' ? ctx.discovery.apiVersions() : ctx.discovery.apiGroupList());
		} else throw errors.notAcceptable(['application/json', aggregatedDiscoveryTypes.v2]);
		return;
	}
	if (path === '/openapi/v3') {
		sendJson(res, 200, ctx.discovery.openApiIndex());
		return;
	}
	if (path.startsWith('/openapi/v3/')) {
		const doc = ctx.discovery.openApiDocFor(path.slice('/openapi/v3/'.length));
		if (!doc) throw errors.pathNotFound();
		sendJson(res, 200, doc);
		return;
	}
	const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
	let group: string;
	let version: string;
	let rest: string[];
	if (segments[0] === 'api' && segments.length >= 2) {
		group = '';
		version = segments[1];
		rest = segments.slice(2);
	} else if (segments[0] === 'apis' && segments.length >= 2) {
		group = segments[1];
		if (segments.length === 2) {
			const doc = ctx.discovery.apiGroupDoc(group);
			if (!doc) throw errors.pathNotFound();
			sendJson(res, 200, doc);
			return;
		}
		version = segments[2];
		rest = segments.slice(3);
	} else throw errors.pathNotFound();
	if (rest.length === 0) {
		const list = ctx.discovery.resourceList(group, version);
		if (!list) throw errors.pathNotFound();
		sendJson(res, 200, list);
		return;
	}
	const route = parseResourceRoute(ctx, group, version, rest);
	await handleResource(ctx, req, res, url, method, user, route);
}

function parseResourceRoute(ctx: ServerContext, group: string, version: string, input: string[]): ResourceRoute {
	let rest = input;
	let watchPath = false;
	if (rest[0] === 'watch') {
		watchPath = true;
		rest = rest.slice(1);
	}
	let namespace: string | undefined;
	// `/namespaces/{name}/status` is the Namespace's own subresource, not a resource inside it.
	const namespaceItself = rest[0] === 'namespaces' && group === '' && (rest.length <= 2 || (rest.length === 3 && ['status', 'finalize'].includes(rest[2])));
	if (rest[0] === 'namespaces' && !namespaceItself) {
		namespace = rest[1];
		rest = rest.slice(2);
	}
	const [resource, name, subresource, ...extra] = rest;
	const def = resource ? ctx.api.registry.find(group, version, resource) : undefined;
	if (!def || extra.length > 0) throw errors.pathNotFound();
	if (namespace !== undefined && !def.namespaced) throw errors.pathNotFound();
	if (subresource !== undefined && !((subresource === 'status' && def.statusSubresource) || (subresource === 'scale' && def.scale))) {
		throw errors.pathNotFound();
	}
	return { def, namespace, name, subresource, watchPath };
}

function representationFor(req: IncomingMessage): Representation {
	const rep = negotiate(req.headers.accept, { table: true, partial: true });
	if (!rep) throw errors.notAcceptable(['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io']);
	return rep;
}

function includeObjectOf(url: URL): IncludeObject {
	const value = url.searchParams.get('includeObject');
	if (value === 'None' || value === 'Object' || value === 'Metadata') return value;
	return 'Metadata';
}

async function handleResource(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, method: string, user: SandboxUser, route: ResourceRoute): Promise<void> {
	const { def, namespace, name, subresource } = route;
	const api = ctx.api;
	const q = url.searchParams;
	const isWatch = route.watchPath || q.get('watch') === '1' || q.get('watch') === 'true';
	const verb = (() => {
		switch (method) {
			case 'GET':
				return name ? 'get' : isWatch ? 'watch' : 'list';
			case 'POST':
				return 'create';
			case 'PUT':
				return 'update';
			case 'PATCH':
				return 'patch';
			case 'DELETE':
				return name ? 'delete' : 'deletecollection';
			default:
				throw errors.methodNotAllowed();
		}
	})();
	if (!def.verbs.includes(verb) && verb !== 'watch') throw errors.methodNotAllowed();
	ctx.auth.authorize(user, verb, def, subresource, def.namespaced ? namespace : undefined, name);
	if (def.namespaced && name && namespace === undefined) throw errors.pathNotFound();
	if (verb === 'create' && name) throw errors.methodNotAllowed();
	if (!name && ['update', 'patch'].includes(verb)) throw errors.methodNotAllowed();

	const now = api.now();
	const renderOne = (obj: KubeObject): unknown => {
		const rep = representationFor(req);
		if (rep.as === 'table') return toTable(def, [obj], { includeObject: includeObjectOf(url), version: rep.version, resourceVersion: obj.metadata.resourceVersion, now });
		if (rep.as === 'partial') return partialObjectMetadata(obj, rep.version);
		return obj;
	};

	if (verb === 'get') {
		if (subresource === 'scale') {
			sendJson(res, 200, api.getScale(def, namespace, name as string));
			return;
		}
		sendJson(res, 200, renderOne(api.get(def, namespace, name as string)));
		return;
	}
	if (verb === 'watch') {
		const rep = representationFor(req);
		ctx.watches.serve(req, res, {
			def,
			namespace,
			labelMatch: parseLabelSelector(q.get('labelSelector')),
			fieldMatch: parseFieldSelector(q.get('fieldSelector'), def.selectableFields),
			resourceVersion: q.get('resourceVersion') ?? undefined,
			sendInitialEvents: q.get('sendInitialEvents') === 'true',
			allowBookmarks: q.get('allowWatchBookmarks') === 'true',
			timeoutSeconds: q.get('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
			representation: rep,
			includeObject: includeObjectOf(url),
			now: api.now,
		});
		return;
	}
	if (verb === 'list') {
		const rep = representationFor(req);
		const limit = q.get('limit') ? Number(q.get('limit')) : undefined;
		const result = api.list(def, namespace, { labelSelector: q.get('labelSelector'), fieldSelector: q.get('fieldSelector'), limit, continueToken: q.get('continue') });
		if (rep.as === 'table') {
			sendJson(res, 200, toTable(def, result.items, { includeObject: includeObjectOf(url), version: rep.version, resourceVersion: result.resourceVersion, continueToken: result.continueToken, remainingItemCount: result.remainingItemCount, now }));
			return;
		}
		const metadata: JsonObject = { resourceVersion: result.resourceVersion };
		if (result.continueToken) metadata.continue = result.continueToken;
		if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
		if (rep.as === 'partial') {
			sendJson(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${rep.version}`, metadata, items: result.items.map((o) => partialObjectMetadata(o, rep.version)) });
			return;
		}
		sendJson(res, 200, { kind: def.listKind, apiVersion: apiVersionOf(def), metadata, items: result.items });
		return;
	}

	const body = method === 'GET' ? undefined : await readBody(req);
	const contentType = req.headers['content-type'];
	if (!acceptsAnyJson(req.headers.accept)) throw errors.notAcceptable(['application/json']);

	if (verb === 'create') {
		const parsed = parseJsonBody(body ?? '', contentType);
		const created = api.create(def, namespace, parsed, { dryRun: dryRunOf(url), fieldManager: q.get('fieldManager') ?? undefined });
		sendJson(res, 201, created);
		return;
	}
	if (verb === 'update') {
		const parsed = parseJsonBody(body ?? '', contentType);
		const options = { dryRun: dryRunOf(url), fieldManager: q.get('fieldManager') ?? undefined };
		if (subresource === 'scale') sendJson(res, 200, api.updateScale(def, namespace, name as string, parsed, options));
		else sendJson(res, 200, api.update(def, namespace, name as string, parsed, { ...options, subresource: subresource === 'status' ? 'status' : undefined }));
		return;
	}
	if (verb === 'patch') {
		const kind = patchKindOf(contentType);
		if (!kind) throw errors.unsupportedMediaType(String(contentType ?? ''), Object.values(patchContentTypes));
		let parsed: unknown;
		try {
			parsed = JSON.parse(body ?? '');
		} catch (e) {
			throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
		}
		const options = { dryRun: dryRunOf(url), fieldManager: q.get('fieldManager') ?? undefined };
		if (subresource === 'scale') {
			sendJson(res, 200, api.patchScale(def, namespace, name as string, kind, parsed, options));
			return;
		}
		const existed = kind !== 'apply' || api.find(def, namespace, name as string) !== undefined;
		const result = api.patch(def, namespace, name as string, kind, parsed, { ...options, subresource: subresource === 'status' ? 'status' : undefined });
		sendJson(res, existed ? 200 : 201, result);
		return;
	}
	// DELETE, with options from the body (client-go) or the query (curl).
	const parsed = parseJsonBody(body ?? '', contentType);
	const bodyOptions = asObject(parsed);
	const options: DeleteOptions = {
		dryRun: dryRunOf(url, bodyOptions),
		propagationPolicy: asString(bodyOptions.propagationPolicy) ?? q.get('propagationPolicy') ?? undefined,
		preconditions: isObject(bodyOptions.preconditions) ? (bodyOptions.preconditions as DeleteOptions['preconditions']) : undefined,
	};
	if (verb === 'delete') {
		sendJson(res, 200, api.delete(def, namespace, name as string, options));
		return;
	}
	const deleted = api.deleteCollection(def, namespace, { labelSelector: q.get('labelSelector'), fieldSelector: q.get('fieldSelector') }, options);
	sendJson(res, 200, { kind: def.listKind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(api.store.revision) }, items: deleted });
}

function injectFault(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, fault: Fault, path: string): void {
	ctx.log?.(`fault ${fault.type} (${fault.id}) on ${req.method} ${path}`);
	if (fault.type === 'drop') {
		req.socket.destroy();
		return;
	}
	if (fault.type === 'conflict') {
		let target: Pick<ResourceDef, 'plural' | 'group'> = { plural: 'objects', group: '' };
		let name = '';
		const segments = path.split('/').filter(Boolean);
		try {
			const [group, version, rest] = segments[0] === 'api' ? ['', segments[1], segments.slice(2)] : [segments[1], segments[2], segments.slice(3)];
			const route = parseResourceRoute(ctx, group, version, rest);
			target = route.def;
			name = route.name ?? '';
		} catch {
			// Not a resource path: answer the conflict all the same.
		}
		sendError(res, errors.conflict(target, name, fault.message ?? 'the object has been modified; please apply your changes to the latest version and try again'), fault.retryAfterSeconds);
		return;
	}
	const code = fault.status ?? 500;
	const message = fault.message ?? `injected fault: ${code}`;
	sendError(res, code >= 500 || code === 429 ? errors.serverError(code, message, fault.retryAfterSeconds) : new ApiError(code, 'BadRequest', message), fault.retryAfterSeconds);
}

async function handleSandboxAdmin(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
	const body = method === 'GET' ? '' : await readBody(req);
	const parse = () => {
		try {
			return body.trim() ? JSON.parse(body) : {};
		} catch (e) {
			throw errors.badRequest(`invalid JSON: ${(e as Error).message}`);
		}
	};
	if (path === '/_sandbox/info' && method === 'GET') {
		sendJson(res, 200, ctx.info());
		return;
	}
	if (path === '/_sandbox/config' && (method === 'PUT' || method === 'PATCH')) {
		const config = asObject(parse());
		if (config.podStartupMs !== undefined) {
			if (typeof config.podStartupMs !== 'number' || config.podStartupMs < 0) throw errors.badRequest('podStartupMs must be a non-negative number');
			ctx.config.podStartupMs = config.podStartupMs;
		}
		sendJson(res, 200, { ...ctx.config });
		return;
	}
	if (path === '/_sandbox/faults') {
		if (method === 'GET') {
			sendJson(res, 200, { items: ctx.faults.list().map(FaultInjector.toJson) });
			return;
		}
		if (method === 'POST') {
			let fault: Fault;
			try {
				fault = ctx.faults.add(FaultInjector.specFromJson(parse()));
			} catch (e) {
				if (e instanceof ApiError) throw e;
				throw errors.badRequest((e as Error).message);
			}
			sendJson(res, 201, FaultInjector.toJson(fault));
			return;
		}
		if (method === 'DELETE') {
			const count = ctx.faults.list().length;
			ctx.faults.clear();
			sendJson(res, 200, { cleared: count });
			return;
		}
	}
	const m = path.match(/^\/_sandbox\/faults\/([^/]+)$/);
	if (m && method === 'DELETE') {
		if (!ctx.faults.remove(m[1])) throw new ApiError(404, 'NotFound', `fault "${m[1]}" not found`);
		sendJson(res, 200, { removed: m[1] });
		return;
	}
	if (m && method === 'GET') {
		const fault = ctx.faults.list().find((f) => f.id === m[1]);
		if (!fault) throw new ApiError(404, 'NotFound', `fault "${m[1]}" not found`);
		sendJson(res, 200, FaultInjector.toJson(fault));
		return;
	}
	throw errors.pathNotFound();
}
