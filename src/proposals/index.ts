export { buildFailoverProposal, readFailoverSettings, type FailoverSettings, type FailoverSignalsInput, type ReceiverLimits } from './failover';
export { buildCanaryProposal, type CanarySignalsInput } from './canary';
export { groupSignals, type GroupedSignals } from './signals';
export { SettingsError } from '../shared/settings';
