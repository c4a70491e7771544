/** A JSON-like object: not null, not an array. What every "is this an object I can read keys from?" check means. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
