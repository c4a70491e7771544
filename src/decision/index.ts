export { buildDecisionRecord, deriveOutcome } from './record';
export { toKubernetesEvent, truncateUtf8, actionsOf, mergeActions, EVENT_MESSAGE_MAX_BYTES } from './event';
export * from './types';
export { runGate, type GateOutput, type GateRun, type GateRunOptions } from './gateRun';
export { LOOP_OF_ACTION, loopOfAction } from './loop';
