import { isSecretKey, redactSecrets } from './secrets';
import { cleanText, truncate } from './text';
import type { SanitizeReport } from './types';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface SanitizeLimits {
	maxStringChars: number;
	maxLabels: number;
	maxArrayItems: number;
	maxDepth: number;
}

// Redaction needs the whole string (a secret cut in half no longer looks like one),
// but a regex pass over megabytes of hostile text is itself a denial of service.
const MAX_SCANNED_CHARS = 65_536;
const MAX_KEY_CHARS = 64;
// Work bound for one call, whatever the limits: alert payloads can be arbitrarily wide.
const MAX_VALUES = 5_000;
const MAX_SECRET_PATHS = 20;

export function emptyReport(): SanitizeReport {
	return { truncatedStrings: 0, droppedKeys: 0, droppedItems: 0, redactedSecrets: 0, droppedSecretFields: [], shrinkPasses: 0 };
}

/**
 * Turns untrusted input into inert, bounded JSON: strings cleaned of invisible
 * characters, secrets removed, sizes capped, anything that is not plain data
 * (getters, class instances, cycles, functions) replaced by a marker.
 */
export function sanitizeUntrusted(
	value: unknown,
	limits: SanitizeLimits,
	knownSecrets: readonly string[] = [],
	report: SanitizeReport = emptyReport(),
): { data: JsonValue; report: SanitizeReport } {
	const walker = new Walker(limits, knownSecrets, report);
	const data = walker.value(value, '$', 0, new Set());
	return { data: data === undefined ? null : data, report };
}

/** One string through the same rules, for text that is not part of a structure. */
export function sanitizeString(text: string, maxChars: number, knownSecrets: readonly string[] = [], report: SanitizeReport = emptyReport()): string {
	return new Walker({ maxStringChars: maxChars, maxLabels: 1, maxArrayItems: 1, maxDepth: 1 }, knownSecrets, report).string(text);
}

class Walker {
	private visited = 0;

	constructor(
		private readonly limits: SanitizeLimits,
		private readonly knownSecrets: readonly string[],
		private readonly report: SanitizeReport,
	) {}

	value(value: unknown, path: string, depth: number, ancestors: Set<object>): JsonValue | undefined {
		this.visited += 1;
		if (this.visited > MAX_VALUES) {
			this.report.droppedItems += 1;
			return '[omitted: too many values]';
		}
		if (value === null || typeof value === 'boolean') return value;
		if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
		if (typeof value === 'bigint') return value.toString();
		if (typeof value === 'string') return this.string(value);
		if (typeof value !== 'object') return undefined;
		if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
		if (ancestors.has(value)) return '[circular]';
		if (depth >= this.limits.maxDepth) {
			this.report.droppedItems += 1;
			return '[omitted: nested too deep]';
		}
		ancestors.add(value);
		try {
			if (Array.isArray(value)) return this.array(value, path, depth, ancestors);
			const proto = Object.getPrototypeOf(value) as unknown;
			if (proto !== Object.prototype && proto !== null) return '[unsupported value]';
			return this.object(value as Record<string, unknown>, path, depth, ancestors);
		} finally {
			ancestors.delete(value);
		}
	}

	string(text: string): string {
		const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
		const redacted = redactSecrets(cleanText(scanned), this.knownSecrets);
		this.report.redactedSecrets += redacted.count;
		const fenced = neutraliseDelimiters(redacted.text);
		const bounded = truncate(fenced, this.limits.maxStringChars);
		const cut = text.length - scanned.length;
		if (bounded.truncated || cut > 0) this.report.truncatedStrings += 1;
		if (!bounded.truncated && cut > 0) return `${bounded.text}…[+${cut} chars]`;
		return bounded.text;
	}

	private array(items: unknown[], path: string, depth: number, ancestors: Set<object>): JsonValue[] {
		const kept = items.slice(0, this.limits.maxArrayItems);
		const result = kept.map((item, index) => this.value(item, `${path}[${index}]`, depth + 1, ancestors) ?? null);
		const dropped = items.length - kept.length;
		if (dropped > 0) {
			this.report.droppedItems += dropped;
			result.push(`[+${dropped} more items]`);
		}
		return result;
	}

	private object(source: Record<string, unknown>, path: string, depth: number, ancestors: Set<object>): { [key: string]: JsonValue } {
		const result: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
		let kept = 0;
		let dropped = 0;
		for (const key of Object.keys(source)) {
			if (isSecretKey(key)) {
				this.dropSecretField(`${path}.${key}`);
				continue;
			}
			// Accessors are never called: a getter on hostile input could do anything.
			const descriptor = Object.getOwnPropertyDescriptor(source, key);
			if (descriptor === undefined || !('value' in descriptor)) continue;
			if (kept >= this.limits.maxLabels) {
				dropped += 1;
				continue;
			}
			const value = this.value(descriptor.value, `${path}.${key}`, depth + 1, ancestors);
			if (value === undefined) continue;
			result[this.key(key)] = value;
			kept += 1;
		}
		if (dropped > 0) {
			this.report.droppedKeys += dropped;
			result['…'] = `+${dropped} more keys`;
		}
		return result;
	}

	private key(key: string): string {
		const cleaned = neutraliseDelimiters(redactSecrets(cleanText(key.slice(0, MAX_SCANNED_CHARS)), this.knownSecrets).text);
		return cleaned.length > MAX_KEY_CHARS ? `${cleaned.slice(0, MAX_KEY_CHARS)}…` : cleaned;
	}

	private dropSecretField(path: string): void {
		this.report.redactedSecrets += 1;
		if (this.report.droppedSecretFields.length < MAX_SECRET_PATHS) this.report.droppedSecretFields.push(boundedPath(path));
	}
}

function boundedPath(path: string): string {
	const cleaned = cleanText(path);
	return cleaned.length > 200 ? `${cleaned.slice(0, 200)}…` : cleaned;
}

// The prompt fences data between <<<…>>> lines; data that imitates a fence could
// make a model believe the untrusted block ended early.
export function neutraliseDelimiters(text: string): string {
	return text.replace(/<{3,}/g, (run) => '‹'.repeat(run.length)).replace(/>{3,}/g, (run) => '›'.repeat(run.length));
}
