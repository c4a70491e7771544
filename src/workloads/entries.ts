import { DNS_LABEL, DNS_SUBDOMAIN } from '../shared/kubernetesNames';
import { isRecord } from '../shared/records';
import { describe, SettingsError } from '../shared/settings';


/** Reads one entry of a list the editor typed into a node, with errors that say which entry and which field. */
export class Entry {
	readonly fields: Record<string, unknown>;

	constructor(
		raw: unknown,
		private readonly where: string,
	) {
		if (!isRecord(raw)) throw new SettingsError('the entry', where, `is ${describe(raw)}`, 'fill in its fields');
		this.fields = raw;
	}

	text(name: string, fix: string): string {
		const value = this.fields[name];
		if (typeof value !== 'string' || value.trim() === '') throw new SettingsError(name, this.where, `is ${describe(value)}`, fix);
		return value.trim();
	}

	label(name: string, fix: string): string {
		return this.matching(name, DNS_LABEL, 'a lower-case DNS label (a-z, 0-9, -; at most 63)', fix);
	}

	objectName(name: string, fix: string): string {
		return this.matching(name, DNS_SUBDOMAIN, 'a Kubernetes object name (lower-case a-z, 0-9, - and .)', fix);
	}

	number(name: string, check: { min: number; integer?: boolean; above?: boolean }, fix: string): number {
		const raw = this.fields[name];
		const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
		const wanted = `${check.integer ? 'a whole number' : 'a number'} ${check.above ? 'above' : 'of at least'} ${check.min}`;
		if (typeof value !== 'number' || !Number.isFinite(value) || (check.integer && !Number.isInteger(value)) || (check.above ? value <= check.min : value < check.min)) {
			throw new SettingsError(name, this.where, `is ${describe(raw)}, not ${wanted}`, fix);
		}
		return value;
	}

	fail(name: string, problem: string, fix: string): never {
		throw new SettingsError(name, this.where, problem, fix);
	}

	private matching(name: string, pattern: RegExp, what: string, fix: string): string {
		const value = this.text(name, fix);
		if (!pattern.test(value)) throw new SettingsError(name, this.where, `is "${value.slice(0, 80)}", not ${what}`, fix);
		return value;
	}
}

/** The entries of a list parameter; refuses an empty list and two entries that would share one Lease. */
export function readEntries<T>(raw: unknown, what: string, read: (entry: unknown, where: string) => T, leaseOf: (entry: T) => string): T[] {
	const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
	if (list.length === 0) throw new SettingsError(what, 'the node', 'is empty', `add at least one ${what.replace(/s$/, '')}`);
	const out: T[] = [];
	const seen = new Map<string, number>();
	list.forEach((entry, index) => {
		const where = `${what} entry ${index + 1}`;
		const value = read(entry, where);
		const lease = leaseOf(value);
		const first = seen.get(lease);
		if (first !== undefined) throw new SettingsError('the entry', where, `is the same workload as entry ${first} (both would use ${lease})`, 'remove one of them');
		seen.set(lease, index + 1);
		out.push(value);
	});
	return out;
}
