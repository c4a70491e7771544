import { isRecord } from './records';

/** A setting an editor got wrong: names the field, where it is set, and the fix. Editors are trusted; a wrong setting stops the run loudly. */
export class SettingsError extends Error {
	constructor(field: string, where: string, problem: string, fix: string) {
		super(`${where}: ${field} ${problem}; ${fix}`);
		this.name = 'SettingsError';
	}
}

export function requireRecord(value: unknown, what: string, fix: string): Record<string, unknown> {
	if (!isRecord(value)) throw new SettingsError(what, 'Policy Gate', `is ${describe(value)}, not an object`, fix);
	return value;
}

export function text(fields: Record<string, unknown>, name: string, where: string, fix: string): string {
	const value = fields[name];
	if (typeof value !== 'string' || value.trim() === '') throw new SettingsError(name, where, `is ${describe(value)}`, fix);
	return value.trim();
}

export function positiveNumber(fields: Record<string, unknown>, name: string, where: string, fix: string): number {
	const raw = fields[name];
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new SettingsError(name, where, `is ${describe(raw)}, not a positive number`, fix);
	return value;
}

/** A list typed into one text field ("us-east, us-west") or given as an array: trimmed, no empties, no repeats. */
export function nameList(fields: Record<string, unknown>, name: string, where: string, fix: string): string[] {
	const raw = fields[name];
	const parts = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
	if (parts === undefined || !parts.every((p) => typeof p === 'string')) throw new SettingsError(name, where, `is ${describe(raw)}, not a comma-separated list`, fix);
	const names = (parts as string[]).map((p) => p.trim()).filter((p) => p !== '');
	if (names.length === 0) throw new SettingsError(name, where, 'is empty', fix);
	const repeated = names.find((n, i) => names.indexOf(n) !== i);
	if (repeated !== undefined) throw new SettingsError(name, where, `names ${repeated} twice`, fix);
	return names;
}

export function describe(value: unknown): string {
	if (value === undefined) return 'missing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'string') return value.trim() === '' ? 'empty' : `"${value.slice(0, 60)}"`;
	return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
