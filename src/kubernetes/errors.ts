import { redact } from '../shared/redact';

/**
 * What went wrong, in the words an on-call engineer needs: the object, what
 * the API server said, and what to do about it. Every failure the engine
 * raises is a KubeError, so the node and the CLI can show `fix` separately.
 */
export type KubeErrorKind =
	| 'notFound'
	| 'forbidden'
	| 'unauthorized'
	| 'conflict'
	| 'invalid'
	| 'badRequest'
	| 'unsupported'
	| 'server'
	| 'timeout'
	| 'unreachable'
	| 'tls'
	| 'config'
	| 'refused'
	| 'notReady';

export interface KubeErrorDetails {
	httpStatus?: number;
	/** metav1.Status reason, e.g. NotFound, Forbidden, Conflict. */
	reason?: string;
	/** The API server's own message, verbatim. */
	serverMessage?: string;
	/** Write attempts made before giving up (conflicts). */
	attempts?: number;
}

export class KubeError extends Error {
	readonly fix: string;
	readonly details: KubeErrorDetails;

	// Redacted here, where every engine failure is built: the message reaches node errors, outputs and Events.
	constructor(
		readonly kind: KubeErrorKind,
		message: string,
		fix: string,
		details: KubeErrorDetails = {},
		/** The transport failure underneath, for callers that word it themselves (the load-balancer provider). */
		options: { cause?: unknown } = {},
	) {
		super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
		this.name = 'KubeError';
		this.fix = redact(fix);
		this.details = details.serverMessage === undefined ? details : { ...details, serverMessage: redact(details.serverMessage) };
	}
}

export function isKubeError(error: unknown, kind?: KubeErrorKind): error is KubeError {
	return error instanceof KubeError && (kind === undefined || error.kind === kind);
}

/** What a request was about, so a bare 403 or 404 can still name the object. */
export interface RequestSubject {
	verb: string;
	/** Qualified resource, e.g. `deployments.apps` or `configmaps`. */
	resource: string;
	group: string;
	namespace?: string;
	name?: string;
	subresource?: string;
}

export function describeSubject(subject: RequestSubject): string {
	const named = subject.name ? `${subject.resource} "${subject.name}"` : subject.resource;
	const sub = subject.subresource ? ` (${subject.subresource} subresource)` : '';
	return subject.namespace ? `${named}${sub} in namespace "${subject.namespace}"` : `${named}${sub}`;
}

interface StatusBody {
	message?: string;
	reason?: string;
	code?: number;
}

function parseStatus(body: string): StatusBody {
	try {
		const parsed = JSON.parse(body) as unknown;
		if (typeof parsed === 'object' && parsed !== null && (parsed as { kind?: unknown }).kind === 'Status') return parsed as StatusBody;
	} catch {
		// Not JSON: a proxy or load balancer answered, not the API server.
	}
	return {};
}

function clip(text: string, max = 300): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Turns an HTTP error answer into a KubeError that names the object and the fix. */
export function errorFromResponse(status: number, body: string, subject: RequestSubject, server: string): KubeError {
	const parsed = parseStatus(body);
	const serverMessage = parsed.message ?? (body ? clip(body) : undefined);
	const details: KubeErrorDetails = { httpStatus: status, reason: parsed.reason, serverMessage };
	const what = describeSubject(subject);
	const resourcePath = subject.subresource ? `${subject.resource.split('.')[0]}/${subject.subresource}` : subject.resource.split('.')[0];
	switch (status) {
		case 401:
			return new KubeError(
				'unauthorized',
				`The cluster at ${server} rejected the credentials (401 Unauthorized)`,
				'The token or client certificate is invalid or expired. Update the Kubernetes credential (for a cloud kubeconfig, check that its exec plugin still returns a token).',
				details,
			);
		case 403: {
			const scope = subject.namespace ? `in namespace "${subject.namespace}"` : 'at cluster scope';
			return new KubeError(
				'forbidden',
				`Forbidden: cannot ${subject.verb} ${resourcePath} (API group "${subject.group}") ${subject.name ? `"${subject.name}" ` : ''}${scope}`,
				`Grant this identity the verb "${subject.verb}" on "${resourcePath}" in apiGroup "${subject.group}" ${scope} (see deploy/rbac/kube-ops-role.yaml), or use a credential that has it.`,
				details,
			);
		}
		case 404:
			if (parsed.reason === 'NotFound' && subject.name && !/could not find the requested resource/.test(serverMessage ?? '')) {
				return new KubeError(
					'notFound',
					`${subject.resource} "${subject.name}" not found${subject.namespace ? ` in namespace "${subject.namespace}"` : ''}`,
					`Check the name and the namespace (kubectl get ${subject.resource}${subject.namespace ? ` -n ${subject.namespace}` : ''}), and that the credential points at the right cluster.`,
					details,
				);
			}
			return new KubeError(
				'notFound',
				`The cluster does not serve ${subject.resource}${subject.subresource ? `/${subject.subresource}` : ''} (404 for ${what})`,
				subject.subresource === 'scale'
					? `This kind has no scale subresource; scale a Deployment, StatefulSet, ReplicaSet or a custom resource that declares one.`
					: `Check the API version and kind, and that the controller that defines ${subject.resource} (e.g. KEDA, Gateway API, Argo Rollouts) is installed.`,
				details,
			);
		case 409:
			if (parsed.reason === 'AlreadyExists') {
				return new KubeError('conflict', `${what} already exists`, 'Use another name, or change the existing object instead.', details);
			}
			return new KubeError(
				'conflict',
				`Conflict: ${what} was changed by someone else while this change was being written`,
				'Another writer (a controller, GitOps, a person) changed the object at the same time. Run again; if it keeps happening, find out who else writes it.',
				details,
			);
		case 415:
			return new KubeError(
				'unsupported',
				`The cluster does not accept this patch type for ${what}${serverMessage ? `: ${serverMessage}` : ''}`,
				'Custom resources accept merge and JSON patches only; use Merge Patch (or JSON Patch) instead of Strategic Merge Patch.',
				details,
			);
		case 400:
		case 422:
			return new KubeError(
				status === 422 ? 'invalid' : 'badRequest',
				`The API server rejected the change to ${what}: ${serverMessage ?? `HTTP ${status}`}`,
				'Fix the value the API server names above; nothing was changed.',
				details,
			);
		case 429:
			return new KubeError('server', `The API server is throttling requests (429) for ${what}`, 'Retry later (node setting Retry On Fail), or reduce how often the workflow runs.', details);
		default:
			if (status >= 500) {
				return new KubeError(
					'server',
					`The API server failed on ${what} (HTTP ${status}${parsed.reason ? ` ${parsed.reason}` : ''})${serverMessage ? `: ${serverMessage}` : ''}`,
					'A server-side failure: the change may or may not have been made. Check the object, then retry (Retry On Fail in the node settings).',
					details,
				);
			}
			return new KubeError('server', `Unexpected HTTP ${status} from the API server for ${what}${serverMessage ? `: ${serverMessage}` : ''}`, 'Check the server URL: it must be the API server itself, not a dashboard or proxy page.', details);
	}
}

interface NetworkLike {
	name?: string;
	code?: string;
	errno?: string;
	type?: string;
	message?: string;
	cause?: unknown;
}

const tlsCodes = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'CERT_SIGNATURE_FAILURE',
]);

/**
 * Transport failures in words: n8n replaces messages that carry raw codes
 * such as ECONNREFUSED with a generic text, which would hide the cause.
 */
export function errorFromTransport(error: unknown, server: string, subject: RequestSubject, timeoutMs: number): KubeError {
	if (error instanceof KubeError) return error;
	const e = (error ?? {}) as NetworkLike;
	const cause = (e.cause ?? {}) as NetworkLike;
	const code = e.code ?? e.errno ?? cause.code ?? '';
	const what = describeSubject(subject);
	const failed = (kind: KubeErrorKind, message: string, fix: string) => new KubeError(kind, message, fix, {}, { cause: error });
	if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.type === 'aborted' || code === 'ETIMEDOUT') {
		return failed('timeout', `No answer from the API server at ${server} within ${timeoutMs / 1000}s (${subject.verb} ${what})`, 'Check that the API server is reachable from n8n; raise Timeout in the credential if the cluster is slow. A write that timed out may still have been applied: check the object.');
	}
	if (tlsCodes.has(code)) {
		return failed(
			'tls',
			`The API server's TLS certificate is not trusted (${code === 'CERT_HAS_EXPIRED' ? 'certificate expired' : code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'certificate does not match the host name' : 'unknown certificate authority'}) at ${server}`,
			'Put the cluster CA certificate in the credential (certificate-authority-data in the kubeconfig, or CA Certificate). Skipping verification is for testing only.',
		);
	}
	const words: Record<string, string> = {
		ECONNREFUSED: 'connection refused',
		ENOTFOUND: 'host name not found',
		EAI_AGAIN: 'host name lookup failed',
		ECONNRESET: 'connection reset',
		EHOSTUNREACH: 'host unreachable',
		ENETUNREACH: 'network unreachable',
		EPIPE: 'connection closed',
	};
	const word = words[code] ?? (/socket hang up/i.test(e.message ?? '') ? 'connection closed by the server' : undefined);
	if (word) {
		return failed('unreachable', `Cannot reach the API server at ${server} (${word})`, 'Check the server URL and port in the credential, and that n8n can reach the cluster (network policy, VPN, firewall).');
	}
	const message = (e.message ?? String(error)).replace(/\b(E[A-Z]{3,})\b/g, (m) => words[m] ?? m.toLowerCase());
	return failed('unreachable', `Request to the API server at ${server} failed: ${message}`, 'Check the credential (server URL, certificates, auth plugin) and the network path to the cluster.');
}
