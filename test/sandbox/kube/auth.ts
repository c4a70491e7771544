import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errors } from './status';
import type { ResourceDef } from './types';

export interface SandboxUser {
	name: string;
	token: string;
	/** Namespaces the user may touch; undefined means the whole cluster. */
	namespaces?: string[];
	/** Only the admin may use the sandbox's own /_sandbox endpoints. */
	admin: boolean;
}

export interface TokenOptions {
	admin?: string;
	limited?: string;
	/** Where the limited token is allowed (default: `shop`). */
	limitedNamespaces?: string[];
}

export function randomToken(prefix: string): string {
	return `${prefix}-${randomBytes(18).toString('base64url')}`;
}

function sameToken(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Bearer-token authentication with two users and a namespace-scoped
 * authorizer: enough to exercise 401 and RBAC-style 403 answers.
 */
export class Authenticator {
	readonly admin: SandboxUser;
	readonly limited: SandboxUser;

	constructor(options: TokenOptions = {}) {
		this.admin = { name: 'sandbox-admin', token: options.admin ?? randomToken('admin'), admin: true };
		this.limited = {
			name: 'sandbox-limited',
			token: options.limited ?? randomToken('limited'),
			namespaces: options.limitedNamespaces ?? ['shop'],
			admin: false,
		};
		if (this.admin.token === this.limited.token) throw new Error('the admin and limited tokens must differ');
	}

	/** The user behind the request's bearer token; anonymous requests are rejected, as with --anonymous-auth=false. */
	authenticate(req: IncomingMessage): SandboxUser {
		const header = req.headers.authorization ?? '';
		const m = header.match(/^Bearer\s+(.+)$/i);
		if (!m) throw errors.unauthorized();
		const token = m[1].trim();
		for (const user of [this.admin, this.limited]) if (sameToken(user.token, token)) return user;
		throw errors.unauthorized();
	}

	authorize(user: SandboxUser, verb: string, def: ResourceDef, subresource: string | undefined, namespace: string | undefined, name: string | undefined): void {
		if (!user.namespaces) return;
		const allowedNamespaces = user.namespaces;
		if (def.namespaced) {
			if (namespace && allowedNamespaces.includes(namespace)) return;
			throw errors.forbidden(user.name, verb, def, subresource, namespace, name);
		}
		// A namespace-scoped user may still read the namespaces it was granted.
		if (def.plural === 'namespaces' && def.group === '' && verb === 'get' && name && allowedNamespaces.includes(name)) return;
		throw errors.forbidden(user.name, verb, def, subresource, undefined, name);
	}
}
