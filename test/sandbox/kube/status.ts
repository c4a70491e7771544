import type { JsonObject, ResourceDef } from './types';

/** A field error as the API server reports it in `details.causes`. */
export interface FieldCause {
	reason: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueDuplicate';
	field: string;
	message: string;
}

export interface StatusDetails {
	name?: string;
	group?: string;
	kind?: string;
	uid?: string;
	causes?: { reason?: string; message?: string; field?: string }[];
	retryAfterSeconds?: number;
}

/** A failure that is answered as a metav1.Status with its HTTP code. */
export class ApiError extends Error {
	constructor(
		readonly code: number,
		readonly reason: string,
		message: string,
		readonly details?: StatusDetails,
	) {
		super(message);
		this.name = 'ApiError';
	}

	toStatus(): JsonObject {
		return statusObject(this.code, this.reason, this.message, this.details);
	}
}

export function statusObject(code: number, reason: string, message: string, details?: StatusDetails): JsonObject {
	const status: JsonObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
	if (details) status.details = details;
	status.code = code;
	return status;
}

export function successStatus(details: StatusDetails): JsonObject {
	return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** `deployments.apps` or `configmaps`: how messages name a resource. */
export function qualifiedResource(def: Pick<ResourceDef, 'plural' | 'group'>): string {
	return def.group ? `${def.plural}.${def.group}` : def.plural;
}

function resourceDetails(def: Pick<ResourceDef, 'plural' | 'group'>, name?: string): StatusDetails {
	const details: StatusDetails = {};
	if (name) details.name = name;
	if (def.group) details.group = def.group;
	details.kind = def.plural;
	return details;
}

export const errors = {
	notFound(def: Pick<ResourceDef, 'plural' | 'group'>, name: string): ApiError {
		return new ApiError(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, resourceDetails(def, name));
	},
	alreadyExists(def: Pick<ResourceDef, 'plural' | 'group'>, name: string): ApiError {
		return new ApiError(409, 'AlreadyExists', `${qualifiedResource(def)} "${name}" already exists`, resourceDetails(def, name));
	},
	conflict(def: Pick<ResourceDef, 'plural' | 'group'>, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
		return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${why}`, resourceDetails(def, name));
	},
	invalid(group: string, kind: string, name: string, causes: FieldCause[]): ApiError {
		const qualifiedKind = group ? `${kind}.${group}` : kind;
		const messages = causes.map((c) => `${c.field}: ${c.message}`);
		const joined = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
		const details: StatusDetails = { name, ...(group ? { group } : {}), kind, causes };
		return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, details);
	},
	forbidden(user: string, verb: string, def: Pick<ResourceDef, 'plural' | 'group'>, subresource: string | undefined, namespace: string | undefined, name: string | undefined): ApiError {
		const resource = subresource ? `${def.plural}/${subresource}` : def.plural;
		const subject = name ? `${qualifiedResource(def)} "${name}"` : qualifiedResource(def);
		const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
		return new ApiError(
			403,
			'Forbidden',
			`${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${def.group}" ${scope}`,
			resourceDetails(def, name),
		);
	},
	forbiddenPath(user: string, verb: string, path: string): ApiError {
		return new ApiError(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path "${path}"`, {});
	},
	unauthorized(): ApiError {
		return new ApiError(401, 'Unauthorized', 'Unauthorized');
	},
	badRequest(message: string): ApiError {
		return new ApiError(400, 'BadRequest', message);
	},
	pathNotFound(): ApiError {
		return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
	},
	methodNotAllowed(): ApiError {
		return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
	},
	notAcceptable(accepted: string[]): ApiError {
		return new ApiError(406, 'NotAcceptable', `the server was unable to respond with a content type that the client supports (accepted: ${accepted.join(', ')})`);
	},
	unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
		return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${contentType || 'none'}) - accepted media types include: ${accepted.join(', ')}`);
	},
	unprocessable(message: string): ApiError {
		return new ApiError(422, 'Invalid', message);
	},
	gone(message: string): ApiError {
		return new ApiError(410, 'Expired', message);
	},
	internal(message: string): ApiError {
		return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
	},
	/** What an injected 5xx answers: the reasons client-go maps these codes to. */
	serverError(code: number, message: string, retryAfterSeconds?: number): ApiError {
		const reason = code === 503 ? 'ServiceUnavailable' : code === 504 ? 'Timeout' : code === 429 ? 'TooManyRequests' : 'InternalError';
		const details: StatusDetails = { causes: [{ message }] };
		if (retryAfterSeconds !== undefined) details.retryAfterSeconds = retryAfterSeconds;
		return new ApiError(code, reason, message, details);
	},
};

/** Formats a rejected value the way Go's field errors print it. */
export function formatValue(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value);
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

export const causes = {
	invalid(field: string, value: unknown, detail: string): FieldCause {
		return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${formatValue(value)}: ${detail}` };
	},
	required(field: string, detail = ''): FieldCause {
		return { reason: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
	},
	notSupported(field: string, value: unknown, supported: string[]): FieldCause {
		return {
			reason: 'FieldValueNotSupported',
			field,
			message: `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
		};
	},
	forbidden(field: string, detail: string): FieldCause {
		return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
	},
};
