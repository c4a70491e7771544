export * from './types';
export * from './client';
export * from './errors';
export * from './duration';
export * from './rangePlan';
export { describeNonFinite } from './samples';
export { DEFAULT_TIMEOUT_MS } from './transport';
export * from './credentialFields';
export * from './request';
