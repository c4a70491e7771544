export { AdmissionError, DEFAULT_MAX_VERDICT_AGE_SECONDS, MAX_VERDICT_AGE_SECONDS, admit, maxVerdictAge, targetOf, type Admission, type AdmissionOptions, type GatedAdmission } from './admit';
export { PermitError, operationsFor, permitFor, type KubeOperation, type MutatingOperation, type Permit, type TrafficOperation } from './permits';
