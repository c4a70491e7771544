// Characters a reader cannot see but a model reads: control codes, bidi overrides
// (text that displays differently from what it says), zero-width characters, and the
// Unicode tag and variation-selector blocks used to smuggle invisible instructions.
const INVISIBLE =
	/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2028\u2029\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|[\u{E0000}-\u{E007F}]|[\u{E0100}-\u{E01EF}]/gu;
// With the u flag a proper surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

/** Strips invisible and control characters; keeps newlines and tabs. */
export function cleanText(text: string): string {
	return text.replace(/\r\n?/g, '\n').replace(INVISIBLE, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** Shortens to at most `max` characters plus a marker that says how much was cut. */
export function truncate(text: string, max: number): { text: string; truncated: boolean } {
	if (text.length <= max) return { text, truncated: false };
	let end = max;
	const code = text.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end -= 1;
	return { text: `${text.slice(0, end)}…[+${text.length - end} chars]`, truncated: true };
}

/** Clean, then bound: the order matters, so invisible characters do not count against the budget. */
export function boundedText(text: string, max: number): string {
	return truncate(cleanText(text), max).text;
}

/** A value quoted in a one-line reason: bounded, cleaned, newlines folded. */
export function quoteForReason(value: unknown, max = 60): string {
	if (typeof value === 'string') return JSON.stringify(boundedText(value.replace(/\s+/g, ' '), max));
	if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
	if (value === undefined) return 'nothing';
	if (Array.isArray(value)) return 'an array';
	return 'an object';
}

// Model text is posted to chat. Broadcast mentions there page whole teams, so
// they lose the syntax that triggers them and keep the word (Slack, Mattermost,
// Discord and Teams forms).
export function neutraliseMentions(text: string): string {
	return text
		.replace(/<!(channel|here|everyone)(\|[^>]*)?>/gi, '$1')
		.replace(/<!subteam\^[A-Z0-9]+(\|[^>]*)?>/g, 'a group')
		.replace(/<@[A-Z0-9]+>/g, 'someone')
		.replace(/(^|[^\w@])@(channel|here|everyone|all)\b/gi, '$1$2');
}
