export * from './types';
export { canonicalJson, dedupeKey, sortedUnique } from './dedupe';
export { isRfc3339, validatePayload } from './validate';
export type { ValidateOptions } from './validate';
export { normalise, normaliseAlert } from './normalise';
export { DEFAULT_MAX_BODY_BYTES, bodySize, readNotification } from './request';
export type { IncomingNotification } from './request';
export { checkAuthorization, sameSecret } from './auth';
export type { AuthResult, WebhookAuthentication, WebhookSecrets } from './auth';
