import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Verdict } from './types';

/**
 * Verdicts are signed so that only a Policy Gate holding the signing key can
 * authorise a change. The verdict hash alone proves integrity against mix-ups,
 * not against a proposer who recomputes it; an HMAC over that hash and the
 * proposal hash cannot be recomputed without the key.
 */

export const SIGNATURE_ALGORITHM = 'HMAC-SHA256';
// Versioned so a later format can never verify as this one.
const CONTEXT = 'kube-ops/verdict/v1';
export const MIN_KEY_LENGTH = 32;

export interface VerdictSignature {
	alg: typeof SIGNATURE_ALGORITHM;
	/** Which key signed: the first 12 hex digits of the key's SHA-256, so a wrong key is named, never shown. */
	keyId: string;
	value: string;
}

export interface SigningKey {
	id: string;
	secret: Buffer;
}

export class SigningKeyError extends Error {}

/** A signing key from text (a credential field or a key file): at least 32 characters, surrounding whitespace ignored. */
export function signingKey(text: unknown): SigningKey {
	if (typeof text !== 'string') throw new SigningKeyError('The signing key is not text');
	const trimmed = text.trim();
	if (trimmed.length < MIN_KEY_LENGTH) {
		throw new SigningKeyError(`The signing key has ${trimmed.length} characters; at least ${MIN_KEY_LENGTH} are needed (e.g. openssl rand -hex 32)`);
	}
	const secret = Buffer.from(trimmed, 'utf8');
	return { id: createHash('sha256').update(secret).digest('hex').slice(0, 12), secret };
}

function mac(key: SigningKey, verdictHash: string, proposalHash: string): string {
	return createHmac('sha256', key.secret).update(`${CONTEXT}\n${verdictHash}\n${proposalHash}`, 'utf8').digest('hex');
}

export function signatureFor(key: SigningKey, verdictHash: string, proposalHash: string): VerdictSignature {
	return { alg: SIGNATURE_ALGORITHM, keyId: key.id, value: mac(key, verdictHash, proposalHash) };
}

export type SignatureCheck = { ok: true; keyId: string } | { ok: false; reason: string };

/**
 * Checks a signature over hashes the caller has already recomputed from the
 * verdict body and the proposal (never the hashes the verdict claims).
 */
export function checkSignature(signature: unknown, keys: readonly SigningKey[], verdictHash: string, proposalHash: string): SignatureCheck {
	if (signature === undefined || signature === null) return { ok: false, reason: 'the verdict is not signed (an advisory verdict, e.g. from a Policy Gate without a signing key or `kube-ops policy check` without --signing-key-file)' };
	if (typeof signature !== 'object' || Array.isArray(signature)) return { ok: false, reason: 'the verdict\'s signature is not an object' };
	const { alg, keyId, value } = signature as Record<string, unknown>;
	if (alg !== SIGNATURE_ALGORITHM) return { ok: false, reason: `the verdict's signature algorithm is ${JSON.stringify(alg)}, not ${SIGNATURE_ALGORITHM}` };
	if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) return { ok: false, reason: 'the verdict\'s signature value is not a hex HMAC-SHA256' };
	if (keys.length === 0) return { ok: false, reason: 'no signing key is configured to verify the verdict with' };
	const given = Buffer.from(value, 'hex');
	for (const key of keys) {
		if (timingSafeEqual(given, Buffer.from(mac(key, verdictHash, proposalHash), 'hex'))) return { ok: true, keyId: key.id };
	}
	const named = typeof keyId === 'string' && /^[0-9a-f]{12}$/.test(keyId) ? keyId : 'unknown';
	return keys.some((key) => key.id === named)
		? { ok: false, reason: 'the verdict\'s signature does not match its content (forged or edited after signing)' }
		: { ok: false, reason: `the verdict was signed with another key (key id ${named}; this node has ${keys.map((k) => k.id).join(', ')})` };
}

/** The verdict with the gate's signature, or as it is without a key. */
export function signVerdict(verdict: Verdict, key: SigningKey | undefined): Verdict {
	return key ? { ...verdict, signature: signatureFor(key, verdict.verdictHash, verdict.proposalHash) } : verdict;
}
