import { createHash, timingSafeEqual } from 'node:crypto';

import { basicCredentials, credentialsFor } from '../shared/authorization';

/**
 * Checks the Authorization header Alertmanager sends (http_config.authorization
 * for Bearer, http_config.basic_auth for Basic). Secrets are compared as
 * SHA-256 digests with timingSafeEqual: equal-length buffers whatever the
 * input, so neither the length nor the content leaks through timing.
 */

export type WebhookAuthentication = 'bearer' | 'basic' | 'none';

export interface WebhookSecrets {
	token?: string;
	user?: string;
	password?: string;
}

export type AuthResult =
	| { ok: true }
	| { ok: false; status: 401; reason: string; challenge: string }
	/** The node's own credential is unusable: no sender can succeed, so it is our fault (5xx). */
	| { ok: false; status: 500; reason: string };

const REALM = 'realm="alertmanager"';

export function sameSecret(given: string, expected: string): boolean {
	const a = createHash('sha256').update(given, 'utf8').digest();
	const b = createHash('sha256').update(expected, 'utf8').digest();
	return timingSafeEqual(a, b);
}

export function checkAuthorization(
	authentication: WebhookAuthentication,
	header: string | undefined,
	secrets: WebhookSecrets,
): AuthResult {
	if (authentication === 'none') return { ok: true };
	if (authentication === 'bearer') {
		const challenge = `Bearer ${REALM}`;
		if (!secrets.token) return { ok: false, status: 500, reason: 'the node\'s credential has no Bearer token; set one in the Alertmanager Webhook credential' };
		const token = credentialsFor(header, 'Bearer');
		if (token === undefined) return { ok: false, status: 401, reason: 'missing Authorization: Bearer header', challenge };
		if (!sameSecret(token, secrets.token)) return { ok: false, status: 401, reason: 'the Bearer token does not match', challenge };
		return { ok: true };
	}
	const challenge = `Basic ${REALM}, charset="UTF-8"`;
	if (!secrets.user || !secrets.password) {
		return { ok: false, status: 500, reason: 'the node\'s credential has no user or password for Basic auth; set both in the Alertmanager Webhook credential' };
	}
	const given = basicCredentials(header);
	if (given === undefined) return { ok: false, status: 401, reason: 'missing Authorization: Basic header', challenge };
	const { user, password } = given;
	// Both compared every time (no short-circuit), so a right user with a wrong password takes as long as a wrong user.
	const userOk = sameSecret(user, secrets.user);
	const passwordOk = sameSecret(password, secrets.password);
	if (!(userOk && passwordOk)) return { ok: false, status: 401, reason: 'the Basic auth user or password does not match', challenge };
	return { ok: true };
}
