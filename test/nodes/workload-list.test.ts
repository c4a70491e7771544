import { WorkloadList } from '../../nodes/WorkloadList/WorkloadList.node';
import { closeN8n, runNode } from '../harness/n8n';

/** The Workload List node inside n8n's executor: the forms the shipped workflows start from. */

afterAll(() => closeN8n());

const checkout = { cluster: 'us-east', namespace: 'shop', deployment: 'checkout', demandQuery: 'sum(rate(http_requests_total[5m]))', perPodCapacity: 50, minReplicas: 2, maxReplicas: 20 };
const search = { ...checkout, deployment: 'search', perPodCapacity: 12.5, minReplicas: 1, maxReplicas: 8 };
const canary = (service: string) => ({ cluster: 'us-east', region: 'us-east', namespace: 'shop', service, canaryDeployment: `${service}-canary`, canaryIngress: `${service}-canary` });

test('outputs one item per workload once, whatever number of items started the run', async () => {
	const { outputs, error } = await runNode({
		node: WorkloadList,
		parameters: { list: 'prescaling', workloads: { workload: [checkout, search] } },
		input: [{ json: { timestamp: 'a' } }, { json: { timestamp: 'b' } }],
	});
	expect(error).toBeUndefined();
	expect(outputs[0].map((i) => i.json)).toEqual([checkout, search]);
	expect(outputs[0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
});

test('takes numbers typed as text and trims names, as the editor may leave them', async () => {
	const typed = { ...checkout, namespace: ' shop ', perPodCapacity: '50', minReplicas: '2', maxReplicas: '20' };
	const { outputs } = await runNode({ node: WorkloadList, parameters: { list: 'prescaling', workloads: { workload: [typed] } } });
	expect(outputs[0][0].json).toEqual(checkout);
});

test.each([
	[[], /Workloads .*is empty; add at least one Workload/],
	[[{ ...checkout, deployment: 'Checkout_v2' }], /Workloads entry 1: deployment is "Checkout_v2", not a Kubernetes object name/],
	[[{ ...checkout, perPodCapacity: 0 }], /entry 1: perPodCapacity is number 0, not a number above 0/],
	[[checkout, { ...search, maxReplicas: 2, minReplicas: 3 }], /entry 2: maxReplicas \(2\) is below minReplicas \(3\)/],
	[[checkout, { ...search, maxReplicas: 0 }], /entry 2: maxReplicas is number 0, not a whole number of at least 1/],
	[[checkout, { ...search, minReplicas: 1.5 }], /entry 2: minReplicas is number 1.5, not a whole number/],
	[[checkout, { ...checkout, demandQuery: 'up' }], /entry 2: the entry is the same workload as entry 1 \(both would use Lease kube-ops-prescale-checkout in shop\)/],
	[[{ ...checkout, demandQuery: '  ' }], /entry 1: demandQuery is empty; set the PromQL/],
	[[{ ...checkout, namespace: '../kube-system' }], /namespace is "..\/kube-system", not a lower-case DNS label/],
])('stops before any Lease is taken on a wrong entry (%#), naming it and the fix', async (workload, message) => {
	const { outputs, error } = await runNode({ node: WorkloadList, parameters: { list: 'prescaling', workloads: { workload } } });
	expect(error?.message).toMatch(message);
	expect(outputs.flat()).toEqual([]);
});

test('canaries: all on a schedule, only the named ones for alerts, paired to the alert that named them', async () => {
	const parameters = { list: 'canaries', canaries: { canary: [canary('checkout'), canary('search')] } };
	const scheduled = await runNode({ node: WorkloadList, parameters, input: [{ json: { timestamp: 'now' } }] });
	expect(scheduled.outputs[0].map((i) => i.json.service)).toEqual(['checkout', 'search']);

	const alerts = [
		{ json: { alert: { labels: { service: 'billing' } } } },
		{ json: { alert: { labels: { service: 'search' } } } },
		{ json: { alert: { labels: { service: 'search', region: 'us-west' } } } },
	];
	const alerted = await runNode({ node: WorkloadList, parameters, input: alerts });
	expect(alerted.outputs[0].map((i) => ({ service: i.json.service, paired: i.pairedItem }))).toEqual([{ service: 'search', paired: { item: 1 } }]);

	// An alert naming nothing watched looks at nothing; one without a service label looks at all.
	const other = await runNode({ node: WorkloadList, parameters, input: [alerts[0]] });
	expect(other.outputs[0]).toEqual([]);
	const unnamed = await runNode({ node: WorkloadList, parameters, input: [{ json: { alert: { labels: { alertname: 'CanaryErrors' } } } }] });
	expect(unnamed.outputs[0].map((i) => i.json.service)).toEqual(['checkout', 'search']);
	// Hostile label values are only compared, never used as keys of a plain object.
	const hostile = await runNode({ node: WorkloadList, parameters, input: [{ json: { alert: { labels: { service: '__proto__' } } } }, { json: { alert: { labels: { service: ['checkout'] } } } }] });
	expect(hostile.outputs[0]).toEqual([]);
});

test('canaries: one Lease per service and namespace, so a repeated service is refused', async () => {
	const { error } = await runNode({ node: WorkloadList, parameters: { list: 'canaries', canaries: { canary: [canary('checkout'), { ...canary('checkout'), canaryDeployment: 'other' }] } } });
	expect(error?.message).toMatch(/Canaries entry 2: the entry is the same workload as entry 1/);
});
