// Nothing secret may reach the model: a prompt is sent to a third party, may be
// logged there, and the model can repeat any of it into a chat channel. Fields are
// dropped by name; secrets inside ordinary text are replaced by a marker so the
// text around them still makes sense.

const SECRET_KEY =
	/(token|passw|passphrase|^pwd$|secret|authoriz|authheader|apikey|accesskey|privatekey|clientkey|signingkey|credential|cookie|kubeconfig|bearer|sessionid|keydata|certificatedata|authoritydata|connectionstring)/;

/** Whether a field name says its value is a credential (apiKey, client-key-data, X-Auth-Token, ...). */
export function isSecretKey(key: string): boolean {
	return SECRET_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

const KUBECONFIG = /\bkind:\s*["']?Config\b|client-key-data|client-certificate-data|certificate-authority-data|\bcurrent-context\b/;

interface Rule {
	pattern: RegExp;
	replace: string;
}

// Each replacement keeps what kind of secret stood there, which an SRE reading the
// prompt needs ("the alert carried a bearer token") without the secret itself.
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
	// Kubernetes bootstrap tokens: <6>.<16> lowercase alphanumerics.
	{ pattern: /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, replace: '[redacted bootstrap token]' },
	{ pattern: /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, replace: '$1 [redacted]' },
	{ pattern: /\b(Basic)\s+(?=[A-Za-z0-9+/=]*[0-9=])[A-Za-z0-9+/=]{8,}/gi, replace: '$1 [redacted]' },
	{ pattern: /\b([a-z][a-z0-9+.-]{0,20}:\/\/[^\s/@:]{1,256}):[^\s/@]{1,256}@/gi, replace: '$1:[redacted]@' },
	{
		pattern: /\b([A-Za-z0-9_.-]{0,40}(?:token|passw(?:or)?d|pwd|secret|api[_-]?key|access[_-]?key|authorization)[A-Za-z0-9_.-]{0,40})(\s{0,4}[=:]\s{0,4})(["']?)(?!\[redacted|Bearer\s|Basic\s)[^\s"'&,;]{4,}/gi,
		replace: '$1$2$3[redacted]',
	},
];

export interface Redaction {
	text: string;
	count: number;
}

/**
 * Replaces secrets inside free text. `known` are values we hold ourselves (the
 * provider's API key): they are removed wherever they appear, whatever their shape.
 */
export function redactSecrets(text: string, known: readonly string[] = []): Redaction {
	if (KUBECONFIG.test(text)) return { text: '[redacted kubeconfig]', count: 1 };
	let count = 0;
	let result = text;
	for (const secret of known) {
		if (secret.length < 6 || !result.includes(secret)) continue;
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

function expand(template: string, args: unknown[]): string {
	return template.replace(/\$(\d)/g, (_match, index: string) => {
		const group = args[Number(index)];
		return typeof group === 'string' ? group : '';
	});
}
