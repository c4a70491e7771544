import { type Redaction, redactText } from '../shared/redact';

export type { Redaction } from '../shared/redact';

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

/**
 * Replaces secrets inside free text. `known` are values we hold ourselves (the
 * provider's API key): they are removed wherever they appear, whatever their shape.
 */
export function redactSecrets(text: string, known: readonly string[] = []): Redaction {
	if (KUBECONFIG.test(text)) return { text: '[redacted kubeconfig]', count: 1 };
	return redactText(text, known);
}

