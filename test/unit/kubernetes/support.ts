import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { KubernetesApi } from '../../../credentials/KubernetesApi.credentials';
import { KubeOpsSigningKey } from '../../../credentials/KubeOpsSigningKey.credentials';
import { buildDecisionRecord } from '../../../src/decision';
import { evaluate } from '../../../src/policy';
import { KubernetesPatch } from '../../../nodes/KubernetesPatch/KubernetesPatch.node';
import { closeN8n, runNode, type RunNodeResult } from '../../harness/n8n';
import { signed, signingKeyCredential } from '../../harness/signing';
import { type KubeObject, type KubeSandbox, renderKubeconfig, startKubeSandbox } from '../../sandbox/kube';

/** Shared by the Kubernetes Patch node tests (test/nodes/kubernetes-*.test.ts): a fresh sandbox per test, the node run in n8n's executor. */

export const CLUSTER = 'prod-eu-1';

export interface Cluster {
	sandbox: KubeSandbox;
	kubeconfig: string;
	credential: ICredentialDataDecryptedObject;
}

export async function startCluster(podStartupMs = 50): Promise<Cluster> {
	const sandbox = await startKubeSandbox({ podStartupMs, clusterName: CLUSTER });
	const kubeconfig = renderKubeconfig([{ name: CLUSTER, url: sandbox.url, caCert: sandbox.caCert, tokens: sandbox.tokens }]);
	return { sandbox, kubeconfig, credential: { source: 'kubeconfig', kubeconfig, timeout: 5000 } };
}

/**
 * A Kubernetes sandbox for a test file: a fresh one for each test, or one for
 * the whole file. The hooks fill the returned object in, so tests read it as
 * they would a variable; n8n's harness is closed after the file.
 */
export function sandboxCluster(scope: 'each test' | 'whole file'): Cluster {
	const cluster = {} as Cluster;
	const start = async () => {
		Object.assign(cluster, await startCluster());
	};
	const stop = async () => {
		await cluster.sandbox?.close();
	};
	if (scope === 'each test') {
		beforeEach(start);
		afterEach(stop);
	} else {
		beforeAll(start);
		afterAll(stop);
	}
	afterAll(() => closeN8n());
	return cluster;
}

export interface RunOptions {
	input?: INodeExecutionData[];
	continueOnFail?: boolean;
	onError?: 'continueErrorOutput' | 'continueRegularOutput' | 'stopWorkflow';
	credential?: ICredentialDataDecryptedObject;
	/** The Kube-Ops Signing Key credential; default the tests' key, null for none. */
	signingKey?: ICredentialDataDecryptedObject | null;
}

export function runPatch(cluster: Cluster, parameters: Record<string, unknown>, options: RunOptions = {}): Promise<RunNodeResult> {
	return runNode({
		node: KubernetesPatch,
		credentialTypes: [KubernetesApi, KubeOpsSigningKey],
		credentials: { kubeOpsKubernetesApi: options.credential ?? cluster.credential, ...(options.signingKey === null ? {} : { kubeOpsSigningKey: options.signingKey ?? signingKeyCredential }) },
		// Tests of manual operations run the node as a plain Kubernetes tool; items with a verdict are checked either way.
		parameters: { requireVerdict: false, ...parameters } as never,
		input: options.input,
		continueOnFail: options.continueOnFail,
		onError: options.onError,
	});
}

export function only(result: RunNodeResult): IDataObject {
	expect(result.error).toBeUndefined();
	expect(result.outputs[0]).toHaveLength(1);
	return result.outputs[0][0].json;
}

export function object(cluster: Cluster, resource: string, name: string, namespace = 'shop'): KubeObject {
	const found = cluster.sandbox.get(resource, namespace, name);
	if (!found) throw new Error(`${resource} ${namespace}/${name} not in the sandbox`);
	return found;
}

export function lastChange(obj: KubeObject): Record<string, unknown> {
	const raw = obj.metadata.annotations?.['kube-ops/last-change'];
	if (!raw) throw new Error(`no kube-ops/last-change on ${obj.metadata.name}`);
	return JSON.parse(raw) as Record<string, unknown>;
}

export function eventsFor(cluster: Cluster, name: string, namespace = 'shop'): KubeObject[] {
	return cluster.sandbox.list('events', namespace).filter((e) => (e.involvedObject as { name?: string }).name === name && e.reportingComponent === 'kube-ops');
}

export const scalingPolicy = { minReplicas: 2, maxReplicas: 20, allowedNamespaces: ['shop'] };

export function scaleProposal(name: string, current: number, proposed: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { action: 'scale', source: 'manual', target: { cluster: CLUSTER, namespace: 'shop', kind: 'Deployment', name, ...extra }, current: { replicas: current }, proposed: { replicas: proposed } };
}

/** What the Policy Gate node puts on its output items: the proposal, its verdict and the decision record. */
export function gated(proposal: Record<string, unknown>, policy: unknown = scalingPolicy, state: unknown = {}, now = new Date()): IDataObject {
	const verdict = signed(evaluate(proposal, policy, state, now));
	const loop = proposal.action === 'rollback' ? 'canary' : proposal.action === 'scale' ? 'scaling' : 'failover';
	const decision = buildDecisionRecord({ time: now, loop, target: proposal.target as never, proposals: [proposal], verdict });
	return JSON.parse(JSON.stringify({ proposal, verdict, decision })) as IDataObject;
}

/**
 * What a write by the node could change in namespace shop (specs, data, labels,
 * annotations, kube-ops Events), leaving out what the controllers keep moving
 * in the background (status, resourceVersion).
 */
export function fingerprint(cluster: Cluster): string {
	const resources = ['deployments.apps', 'horizontalpodautoscalers.autoscaling', 'scaledobjects.keda.sh', 'ingresses.networking.k8s.io', 'configmaps', 'services', 'httproutes.gateway.networking.k8s.io'];
	const objects = resources.flatMap((resource) =>
		cluster.sandbox.list(resource, 'shop').map((o) => ({ resource, name: o.metadata.name, spec: o.spec, data: o.data, labels: o.metadata.labels, annotations: o.metadata.annotations })),
	);
	const events = cluster.sandbox.list('events', 'shop').filter((e) => e.reportingComponent === 'kube-ops').length;
	return JSON.stringify({ objects, events });
}
