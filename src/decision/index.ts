export { buildDecisionRecord, deriveOutcome } from './record';
export { toKubernetesEvent, truncateUtf8, actionsOf, mergeActions, EVENT_MESSAGE_MAX_BYTES } from './event';
export * from './types';
