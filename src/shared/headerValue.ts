/**
 * Whether a secret can go into an HTTP header as it is. A line break, a
 * control or a non-ASCII character makes the HTTP library throw, and some
 * libraries put the offending value into their error message: checked first,
 * so the refusal names the field and never the value.
 */
export function headerSafe(value: string): boolean {
	return /^[\x20-\x7e\t]*$/.test(value);
}
