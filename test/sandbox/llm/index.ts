export { startLlmTestServer, type LlmTestServer, type LlmTestServerOptions, type RecordedRequest, type BehaviourInput } from './server';
export { promptData, DEFAULT_TRIGGER, type Behaviour, type InjectionVariant, type ChatRequestBody } from './behaviours';
export { INJECTION, scalingContext, failoverContext, canaryContext, type ContextOptions } from './contexts';
