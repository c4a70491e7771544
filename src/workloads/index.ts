export { readPrescalingWorkloads, type PrescalingWorkload } from './prescaling';
export { readCanaries, canariesFor, type WatchedCanary } from './canaries';
