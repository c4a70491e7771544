import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Representation } from './negotiation';
import { type LabelMatcher, type ObjectMatcher } from './selectors';
import { errors } from './status';
import type { ObjectStore, StoreEvent, WatchEventType } from './store';
import { partialObjectMetadata, toTable, type IncludeObject } from './table';
import { apiVersionOf, type JsonObject, type KubeObject, type ResourceDef, resourceKey } from './types';

export interface WatchParams {
	def: ResourceDef;
	namespace?: string;
	labelMatch: LabelMatcher;
	fieldMatch: ObjectMatcher;
	resourceVersion?: string;
	sendInitialEvents: boolean;
	allowBookmarks: boolean;
	timeoutSeconds?: number;
	representation: Representation;
	includeObject: IncludeObject;
	now: () => number;
}

/** Longest a watch stays open when the client sets no timeout. */
const maxWatchSeconds = 30 * 60;

/**
 * Open watch streams: newline-delimited JSON events, as the API server sends
 * them, so informers, `kubectl rollout status` and `kubectl get -w` work.
 */
export class WatchHub {
	private readonly open = new Set<ServerResponse>();

	constructor(private readonly store: ObjectStore) {}

	get openCount(): number {
		return this.open.size;
	}

	closeAll(): void {
		for (const res of this.open) res.end();
		this.open.clear();
	}

	serve(req: IncomingMessage, res: ServerResponse, params: WatchParams): void {
		const { def } = params;
		const key = resourceKey(def);
		const inScope = (obj: KubeObject | undefined): boolean =>
			!!obj && (!def.namespaced || params.namespace === undefined || obj.metadata.namespace === params.namespace) && params.labelMatch(obj.metadata.labels) && params.fieldMatch(obj);

		let backlog: StoreEvent[] | undefined;
		let initial: KubeObject[] = [];
		const rv = params.resourceVersion;
		const fromNow = params.sendInitialEvents || rv === undefined || rv === '' || rv === '0';
		if (fromNow) {
			initial = this.store.list(key, def.namespaced ? params.namespace : undefined).filter(inScope);
		} else {
			if (!/^\d+$/.test(rv)) throw errors.badRequest(`invalid resource version: ${rv}`);
			backlog = this.store.since(Number(rv));
		}

		res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
		res.flushHeaders();
		this.open.add(res);
		let headersSent = false;
		const write = (type: WatchEventType | 'BOOKMARK' | 'ERROR', object: JsonObject) => {
			if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
		};
		const present = (obj: KubeObject): JsonObject => {
			const typed: KubeObject = { ...obj, apiVersion: apiVersionOf(def), kind: def.kind };
			const rep = params.representation;
			if (rep.as === 'table') {
				const table = toTable(def, [typed], { includeObject: params.includeObject, version: rep.version, noHeaders: headersSent, now: params.now() });
				headersSent = true;
				return table;
			}
			if (rep.as === 'partial') return partialObjectMetadata(typed, rep.version);
			return typed;
		};
		const emit = (event: StoreEvent) => {
			if (event.key !== key) return;
			const now = inScope(event.object);
			const before = inScope(event.previous);
			if (event.type === 'ADDED' && now) write('ADDED', present(event.object));
			else if (event.type === 'MODIFIED') {
				if (now && before) write('MODIFIED', present(event.object));
				else if (now) write('ADDED', present(event.object));
				else if (before) write('DELETED', present(event.object));
			} else if (event.type === 'DELETED' && before) write('DELETED', present(event.object));
		};

		if (backlog === undefined && !fromNow) {
			const status = errors.gone(`too old resource version: ${rv} (${this.store.oldestWatchableRevision})`).toStatus();
			write('ERROR', status);
			this.open.delete(res);
			res.end();
			return;
		}
		for (const obj of initial) write('ADDED', present(obj));
		if (params.sendInitialEvents && params.allowBookmarks) {
			write('BOOKMARK', {
				kind: def.kind,
				apiVersion: apiVersionOf(def),
				metadata: { resourceVersion: String(this.store.revision), annotations: { 'k8s.io/initial-events-end': 'true' } },
			});
		}
		for (const event of backlog ?? []) emit(event);
		const unsubscribe = this.store.subscribe(emit);
		const seconds = Math.min(params.timeoutSeconds && params.timeoutSeconds > 0 ? params.timeoutSeconds : maxWatchSeconds, maxWatchSeconds);
		const timer = setTimeout(() => finish(), seconds * 1000);
		timer.unref();
		const finish = () => {
			clearTimeout(timer);
			unsubscribe();
			this.open.delete(res);
			if (!res.writableEnded) res.end();
		};
		req.on('close', finish);
		res.on('close', finish);
	}
}
