export { buildDecisionRecord, deriveOutcome } from './record';
export { toKubernetesEvent, truncateUtf8, EVENT_MESSAGE_MAX_BYTES } from './event';
export * from './types';
