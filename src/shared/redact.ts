/**
 * The one redactor for text that leaves the process: node errors and their
 * descriptions, node outputs, Kubernetes Events, decision records, LLM
 * prompts, CLI output and logs. Secrets inside ordinary text are replaced by
 * a marker that says what stood there ("the URL carried a password"), so the
 * text around them still reads.
 *
 * Two sources: the shapes below (URL userinfo, Authorization values, PEM
 * blocks, JWTs, the usual token formats, key=value pairs whose key names a
 * secret), and the values our own credentials hold, by exact match whatever
 * their shape. Credential mappings register those values as they read them
 * (rememberSecret), so an error built far from the credential still loses them.
 */

export interface Redaction {
	text: string;
	count: number;
}

interface Rule {
	pattern: RegExp;
	replace: string;
}

const SECRET_KEY_WORDS =
	'(?:token|passw(?:or)?d|passphrase|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key(?:[_-]?id)?|client[_-]?key|authorization)';

// Order matters: whole structures first (a PEM block contains base64), then
// specific token formats, then generic shapes that would otherwise eat a
// marker's neighbour.
const RULES: Rule[] = [
	{ pattern: /-----BEGIN [A-Z0-9 ]{1,40}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,40}-----|$)/g, replace: '[redacted PEM block]' },
	{ pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, replace: '[redacted JWT]' },
	{ pattern: /\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}/g, replace: '[redacted API key]' },
	{ pattern: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: '[redacted API key]' },
	{ pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,})/g, replace: '[redacted access token]' },
	{ pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: '[redacted Slack token]' },
	{ pattern: /hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g, replace: 'hooks.slack.com/services/[redacted]' },
	{ pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: '[redacted AWS key id]' },
	{ pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: '[redacted API key]' },
	// HashiCorp Vault service, batch and recovery tokens.
	{ pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g, replace: '[redacted Vault token]' },
	// Kubernetes bootstrap tokens: <6>.<16> lowercase alphanumerics.
	{ pattern: /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, replace: '[redacted bootstrap token]' },
	// Password hashes as htpasswd and crypt(3) write them: $apr1$, $2y$ (bcrypt), $5$, $6$, {SHA}.
	{ pattern: /\$(?:apr1|2[abxy]?|1|5|6)\$[./A-Za-z0-9]{1,64}\$[./A-Za-z0-9]{8,}|\{SHA\}[A-Za-z0-9+/]{20,}={0,2}/g, replace: '[redacted password hash]' },
	// Azure SAS tokens: the signature is the secret part of the query string.
	{ pattern: /([?&;\s]sig=)[A-Za-z0-9%+/=]{8,}/g, replace: '$1[redacted]' },
	{ pattern: /\b(Authorization["']?\s{0,4}[:=]\s{0,4}["']?)(Bearer|Basic|Digest|Token|Negotiate|AWS4-HMAC-SHA256)\s+(?!\[redacted)[^"'\r\n]{1,1024}/gi, replace: '$1$2 [redacted]' },
	{ pattern: /\b(Authorization["']?\s{0,4}[:=]\s{0,4}["']?)(?!\[redacted|(?:Bearer|Basic|Digest|Token|Negotiate|AWS4-HMAC-SHA256)\s)[^"'\s][^"'\r\n]{0,1023}/gi, replace: '$1[redacted]' },
	{ pattern: /\b(Bearer)\s+(?!\[redacted)[A-Za-z0-9._~+/=-]{8,}/gi, replace: '$1 [redacted]' },
	{ pattern: /\b(Basic)\s+(?!\[redacted)(?=[A-Za-z0-9+/=]*[0-9=])[A-Za-z0-9+/=]{8,}/gi, replace: '$1 [redacted]' },
	{ pattern: /\b([a-z][a-z0-9+.-]{0,20}:\/\/[^\s/@:]{1,256}):[^\s/@]{1,256}@/gi, replace: '$1:[redacted]@' },
	{ pattern: /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^\s/@:[\]]{1,256}@/gi, replace: '$1[redacted]@' },
	{
		// key=value, key: value and JSON's "key": "value", for keys that name a secret.
		pattern: new RegExp(
			`\\b([A-Za-z0-9_.-]{0,40}${SECRET_KEY_WORDS}[A-Za-z0-9_.-]{0,40})(["']?\\s{0,4}[=:]\\s{0,4})(["']?)(?!\\[redacted|Bearer\\s|Basic\\s)[^\\s"'&,;}]{4,}`,
			'gi',
		),
		replace: '$1$2$3[redacted]',
	},
	// A bare base64 key (an HMAC key, an AES key, a storage account key): long,
	// with upper case, lower case and digits. Hex digests and names do not match.
	{
		pattern: /(?<![A-Za-z0-9+/=_-])(?=[A-Za-z0-9+/]{0,200}[A-Z])(?=[A-Za-z0-9+/]{0,200}[a-z])(?=[A-Za-z0-9+/]{0,200}[0-9])[A-Za-z0-9+/]{32,}={0,2}(?![A-Za-z0-9+/=_-])/g,
		replace: '[redacted key]',
	},
];

// Values shorter than this are not matched by value: "admin" or "1234" would
// cut ordinary words out of every message.
export const MIN_KNOWN_SECRET_CHARS = 6;
const MAX_REMEMBERED = 1_000;
const remembered = new Set<string>();

/**
 * Registers a secret this process holds (a token, a password, a key from a
 * credential), so every later redaction removes it by exact match. Bounded:
 * the oldest are forgotten first.
 */
export function rememberSecret(...values: unknown[]): void {
	for (const value of values) {
		if (typeof value !== 'string') continue;
		for (const candidate of new Set([value, value.trim()])) {
			if (!worthRemembering(candidate)) continue;
			remembered.delete(candidate);
			remembered.add(candidate);
			if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.values().next().value as string);
		}
	}
}

// A remembered value is removed from every later text, so it must not be a
// word: "expired" as a test token would cut "expired" out of every message.
function worthRemembering(value: string): boolean {
	return value.length >= 8 && (value.length >= 16 || /[^A-Za-z]/.test(value));
}

/** Replaces secrets inside free text; `known` are more values to remove by exact match. */
export function redactText(text: string, known: readonly string[] = []): Redaction {
	let count = 0;
	let result = text;
	// Longest first, so a secret that contains another is removed whole.
	const values = [...known, ...remembered].filter((s) => s.length >= MIN_KNOWN_SECRET_CHARS).sort((a, b) => b.length - a.length);
	for (const secret of values) {
		if (!result.includes(secret)) continue;
		const parts = result.split(secret);
		count += parts.length - 1;
		result = parts.join('[redacted credential]');
	}
	for (const rule of RULES) {
		result = result.replace(rule.pattern, (...args: unknown[]) => {
			count += 1;
			return expand(rule.replace, args);
		});
	}
	return { text: result, count };
}

/** redactText(...).text, for the common case. */
export function redact(text: string, known: readonly string[] = []): string {
	return redactText(text, known).text;
}

/** A copy of plain JSON with every string (keys included) redacted; bounded in depth. */
export function redactDeep<T>(value: T, known: readonly string[] = [], depth = 0): T {
	if (typeof value === 'string') return redact(value, known) as T;
	if (depth > 64 || value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((item) => redactDeep(item, known, depth + 1)) as T;
	if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[redact(key, known)] = redactDeep(item, known, depth + 1);
	return out as T;
}

function expand(template: string, args: unknown[]): string {
	return template.replace(/\$(\d)/g, (_match, index: string) => {
		const group = args[Number(index)];
		return typeof group === 'string' ? group : '';
	});
}
