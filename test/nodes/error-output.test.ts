import { type IConnections, NodeConnectionTypes } from 'n8n-workflow';

import { HaproxyRuntimeApi } from '../../credentials/HaproxyRuntimeApi.credentials';
import { KubernetesApi } from '../../credentials/KubernetesApi.credentials';
import { KubernetesPatch } from '../../nodes/KubernetesPatch/KubernetesPatch.node';
import { LoadBalancerDrain } from '../../nodes/LoadBalancerDrain/LoadBalancerDrain.node';
import { type WorkflowNodeInput, runWorkflow, sourceNode } from '../harness/n8n';
import { freePort } from '../sandbox/processes';
import { object, sandboxCluster } from '../unit/kubernetes/support';

/**
 * A failed step must stop the steps after it. The shipped workflows let
 * Kubernetes Patch and Load Balancer Drain continue on error (so the failure
 * reaches a decision record with the run's Lease) and route on `error` with an
 * IF node; the nodes themselves also refuse an item that failed upstream, so a
 * workflow edited without that IF still cannot drain a region after a failed
 * wait for Ready. (n8n's "error output" is not used: n8n replaces a failed
 * item's JSON with its error message there, losing the Lease and the verdict.)
 */

const cluster = sandboxCluster('whole file');

const loopContext = { lock: { namespace: 'shop', name: 'kube-ops-failover-web', acquired: true }, dedupeKey: 'sha256:abc' };

function chain(steps: Array<{ name: string; type: string; parameters: Record<string, unknown>; credentials: Record<string, { id: string; name: string }> }>): { nodes: WorkflowNodeInput[]; connections: IConnections } {
	const names = ['Input', ...steps.map((s) => s.name)];
	return {
		nodes: [sourceNode([{ json: loopContext }]), ...steps.map((s) => ({ name: s.name, type: `n8n-nodes-kube-ops.${s.type}`, parameters: s.parameters as never, onError: 'continueRegularOutput' as const, credentials: s.credentials }))],
		connections: Object.fromEntries(names.slice(0, -1).map((from, i) => [from, { main: [[{ node: names[i + 1], type: NodeConnectionTypes.Main, index: 0 }]] }])),
	};
}

const kubeCredential = { kubeOpsKubernetesApi: { id: 'k', name: 'k' } };

test('after a failed wait for Ready, a drain refuses and keeps the run\'s Lease on the item for the record', async () => {
	const fault = cluster.sandbox.faults.add({ type: 'error', status: 403, message: 'injected', path: /^\/apis\/apps\/v1\/namespaces\/shop\/deployments\/web$/, methods: ['GET'] });
	const deadPort = await freePort();
	try {
		const result = await runWorkflow({
			nodeTypes: [KubernetesPatch, LoadBalancerDrain],
			credentialTypes: [KubernetesApi, HaproxyRuntimeApi],
			credentials: { kubeOpsKubernetesApi: cluster.credential, kubeOpsHaproxyRuntimeApi: { address: `ipv4@127.0.0.1:${deadPort}`, timeout: 2000 } },
			workflow: chain([
				{ name: 'Wait', type: 'kubernetesPatch', parameters: { operation: 'waitReady', namespace: 'shop', waitKind: 'Deployment', name: 'web', timeoutSeconds: 5, pollSeconds: 1 }, credentials: kubeCredential },
				{ name: 'Drain', type: 'loadBalancerDrain', parameters: { provider: 'haproxy', operation: 'drain', haproxyBackend: 'be_app', haproxyServer: 'us-east' }, credentials: { kubeOpsHaproxyRuntimeApi: { id: 'h', name: 'h' } } },
			]),
		});
		expect(result.error).toBeUndefined();
		const [waited] = result.output('Wait');
		expect(waited.json).toMatchObject({ ...loopContext, errorKind: 'forbidden', error: expect.stringMatching(/^Forbidden: cannot get deployments/) });
		const [drained] = result.output('Drain');
		// Refused before any connection: the dead Runtime API address is never tried.
		expect(drained.json).toMatchObject({ ...loopContext, error: expect.stringMatching(/^Refusing to drain: an earlier step failed: Forbidden: cannot get deployments/) });
	} finally {
		cluster.sandbox.faults.remove(fault.id);
	}
});

test('after a failed step, Kubernetes Patch changes nothing', async () => {
	const before = object(cluster, 'deployments.apps', 'web').spec as { replicas: number };
	const result = await runWorkflow({
		nodeTypes: [KubernetesPatch],
		credentialTypes: [KubernetesApi],
		credentials: { kubeOpsKubernetesApi: cluster.credential },
		workflow: chain([
			{ name: 'Read', type: 'kubernetesPatch', parameters: { operation: 'read', readKind: 'deployment', namespace: 'shop', name: 'missing' }, credentials: kubeCredential },
			{ name: 'Scale', type: 'kubernetesPatch', parameters: { operation: 'scale', namespace: 'shop', workloadKind: 'deployment', name: 'web', replicas: before.replicas + 5 }, credentials: kubeCredential },
		]),
	});
	const [scaled] = result.output('Scale');
	expect(scaled.json).toMatchObject({ ...loopContext, errorKind: 'refused', error: expect.stringMatching(/^Refusing to scale: an earlier step failed: .*missing/) });
	expect((object(cluster, 'deployments.apps', 'web').spec as { replicas: number }).replicas).toBe(before.replicas);
});
