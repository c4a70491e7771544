import * as k8s from '@kubernetes/client-node';

import { DEFAULT_TIMEOUT_MS, type KubeConnection } from '../kubernetes';
import { UsageError } from './args';

export interface KubeconfigFlags {
	kubeconfig?: string;
	context?: string;
	/** What proposals call this cluster (target.cluster); default the context's name, as the node's credential does. */
	clusterName?: string;
}

/**
 * The kubeconfig a person's kubectl uses (--kubeconfig, else $KUBECONFIG or
 * ~/.kube/config), loaded by client-node so exec plugins, token files and
 * relative certificate paths work as they do for kubectl.
 */
export function loadKubeConfig(flags: KubeconfigFlags): k8s.KubeConfig {
	const kubeConfig = new k8s.KubeConfig();
	try {
		if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
		else kubeConfig.loadFromDefault();
	} catch (error) {
		throw new UsageError(`--kubeconfig ${flags.kubeconfig ?? '(default)'}: ${(error as Error).message}`);
	}
	if (flags.context) {
		const names = kubeConfig.getContexts().map((c) => c.name);
		if (!names.includes(flags.context)) throw new UsageError(`--context ${flags.context} is not in the kubeconfig (it has: ${names.join(', ') || 'no contexts'})`);
		kubeConfig.setCurrentContext(flags.context);
	}
	if (!kubeConfig.getCurrentCluster()) throw new UsageError('no Kubernetes cluster: give --kubeconfig (and --context) or set KUBECONFIG');
	return kubeConfig;
}

/** A connection for the engine's KubeClient, named as the Kubernetes API credential would name it. */
export function kubeConnection(flags: KubeconfigFlags): KubeConnection {
	const kubeConfig = loadKubeConfig(flags);
	const clusterName = flags.clusterName?.trim() || kubeConfig.getCurrentContext() || undefined;
	return { kubeConfig, server: kubeConfig.getCurrentCluster()?.server ?? '', clusterName, timeoutMs: DEFAULT_TIMEOUT_MS };
}
