import { clone } from './json';
import type { KubeObject } from './types';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
	type: WatchEventType;
	/** Group-resource such as `deployments.apps`. */
	key: string;
	object: KubeObject;
	/** The object before a modification or deletion, so a selector-filtered watch can tell an object left its view. */
	previous?: KubeObject;
	revision: number;
}

function objectId(namespace: string | undefined, name: string): string {
	return `${namespace ?? ''}/${name}`;
}

/**
 * In-memory etcd: one global, monotonically increasing revision stamped as
 * `metadata.resourceVersion` on every write, and a bounded history of events
 * so a watch can resume from a resourceVersion (or get 410 Gone when it is
 * older than the history, as etcd compaction causes on a real cluster).
 */
export class ObjectStore {
	private rev = 0;
	private readonly objects = new Map<string, Map<string, KubeObject>>();
	private readonly uids = new Map<string, { key: string; id: string }>();
	private readonly history: StoreEvent[] = [];
	private readonly listeners = new Set<(event: StoreEvent) => void>();

	constructor(private readonly historyLimit = 20_000) {}

	get revision(): number {
		return this.rev;
	}

	/** The oldest revision a watch can still start after. */
	get oldestWatchableRevision(): number {
		return this.history.length ? this.history[0].revision - 1 : this.rev;
	}

	get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
		const found = this.objects.get(key)?.get(objectId(namespace, name));
		return found ? clone(found) : undefined;
	}

	list(key: string, namespace?: string, where: (stored: Readonly<KubeObject>) => boolean = () => true): KubeObject[] {
		const bucket = this.objects.get(key);
		if (!bucket) return [];
		const out: KubeObject[] = [];
		// `where` sees the stored object before the copy: a controller picking its own few pods out of hundreds
		// on every pass must not copy them all (with 50 workloads that copying took most of the sandbox's CPU).
		for (const obj of bucket.values()) {
			if ((namespace === undefined || obj.metadata.namespace === namespace) && where(obj)) out.push(clone(obj));
		}
		return out.sort((a, b) => objectId(a.metadata.namespace, a.metadata.name ?? '').localeCompare(objectId(b.metadata.namespace, b.metadata.name ?? '')));
	}

	hasUid(uid: string): boolean {
		return this.uids.has(uid);
	}

	/** Stores a new version and stamps it with the next revision. */
	write(key: string, object: KubeObject): KubeObject {
		const name = object.metadata.name;
		if (!name) throw new Error('store: object without a name');
		const id = objectId(object.metadata.namespace, name);
		let bucket = this.objects.get(key);
		if (!bucket) {
			bucket = new Map();
			this.objects.set(key, bucket);
		}
		const previous = bucket.get(id);
		this.rev += 1;
		const stored = clone(object);
		stored.metadata.resourceVersion = String(this.rev);
		bucket.set(id, stored);
		if (stored.metadata.uid) this.uids.set(stored.metadata.uid, { key, id });
		this.record({ type: previous ? 'MODIFIED' : 'ADDED', key, object: clone(stored), previous: previous ? clone(previous) : undefined, revision: this.rev });
		return clone(stored);
	}

	remove(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
		const bucket = this.objects.get(key);
		const id = objectId(namespace, name);
		const existing = bucket?.get(id);
		if (!bucket || !existing) return undefined;
		bucket.delete(id);
		if (existing.metadata.uid) this.uids.delete(existing.metadata.uid);
		this.rev += 1;
		// A DELETED event carries the revision of the deletion, as the watch cache reports it.
		const gone = clone(existing);
		gone.metadata.resourceVersion = String(this.rev);
		this.record({ type: 'DELETED', key, object: clone(gone), previous: clone(existing), revision: this.rev });
		return gone;
	}

	/** Events after a revision, or undefined when the history no longer reaches back that far. */
	since(revision: number): StoreEvent[] | undefined {
		if (revision < this.oldestWatchableRevision) return undefined;
		return this.history.filter((e) => e.revision > revision).map((e) => clone(e));
	}

	subscribe(listener: (event: StoreEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private record(event: StoreEvent): void {
		this.history.push(event);
		if (this.history.length > this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
		for (const listener of [...this.listeners]) listener(event);
	}
}
