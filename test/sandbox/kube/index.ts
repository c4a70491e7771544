export { startKubeSandbox, startKubeSandboxes, type KubeSandbox, type KubeSandboxOptions, type KubeSandboxes, type KubeSandboxesOptions } from './sandbox';
export { runSandboxCli, parseDuration, type SandboxCliIO } from './cli';
export { writeKubeconfig, renderKubeconfig, type KubeconfigCluster } from './kubeconfig';
export { FaultInjector, type Fault, type FaultSpec, type FaultType } from './faults';
export { KubeApi } from './api';
export { ObjectStore, type StoreEvent } from './store';
export { ApiError } from './status';
export type { KubeObject, ObjectMeta, ResourceDef } from './types';
