import { type SigningKey, SigningKeyError, signingKey } from './signature';

/** The fields of the Kube-Ops Signing Key credential, as the nodes and the CLI read them. */
export interface SigningKeyFields {
	secret?: unknown;
	previousSecret?: unknown;
}

/** The key to sign with, and every key a verdict may be verified with (the current one first). */
export function keysFromCredential(fields: SigningKeyFields): { signing: SigningKey; verify: SigningKey[] } {
	const signing = signingKey(fields.secret);
	const previous = typeof fields.previousSecret === 'string' && fields.previousSecret.trim() !== '' ? signingKey(fields.previousSecret) : undefined;
	if (previous && previous.id === signing.id) throw new SigningKeyError('The previous key is the same as the signing key');
	return { signing, verify: previous ? [signing, previous] : [signing] };
}
