import { type IDataObject, type IExecuteFunctions, type INodeExecutionData, NodeOperationError } from 'n8n-workflow';

import { AdmissionError, type GatedAdmission, maxVerdictAge } from '../../../src/admission';
import { type KubernetesCredentialFields, KubeClient, claimVerdict, connectionFromCredential } from '../../../src/kubernetes';
import { LoadBalancerError, type LoadBalancerProvider, runOperation } from '../../../src/loadbalancer';
import { UPSTREAM_FAILURE_FIX, gateFieldsOf, upstreamFailure } from '../../../src/policy';
import { forEachItem } from '../../shared/perItem';
import { signingKeysOf } from '../../shared/signingKey';
import type { LbOperation, OperationAction, ProviderAction, ProviderChoice } from './common';
import { drain } from './operations/drain';
import { restore } from './operations/restore';
import { setWeight } from './operations/setWeight';
import { status } from './operations/status';
import { cloudflare } from './providers/cloudflare';
import { haproxy } from './providers/haproxy';
import { kubernetes } from './providers/kubernetes';
import { route53 } from './providers/route53';

export const providers: Record<ProviderChoice, ProviderAction> = { haproxy, cloudflare, kubernetes, route53 };
export const operations: Record<LbOperation, OperationAction> = { drain, restore, setWeight, status };


/** The fix of an engine refusal or a provider failure, for the error's description in the n8n UI. */
function describe(error: unknown): string | undefined {
	return (error instanceof AdmissionError || error instanceof LoadBalancerError) && error.fix ? `Fix: ${error.fix}` : undefined;
}

/**
 * Runs the operation on every item through the engine's runOperation, which
 * checks the item's proposal and verdict first. Proposal, verdict and
 * decision travel on to the output, for the decision record.
 */
export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const choice = this.getNodeParameter('provider', 0) as ProviderChoice;
	const operation = this.getNodeParameter('operation', 0) as LbOperation;
	const provider = providers[choice];
	const action = operations[operation];
	const connections = new Map<string, Promise<LoadBalancerProvider>>();
	const requireVerdict = operation !== 'status' && this.getNodeParameter('requireVerdict', 0, true) !== false;
	let ledger: Promise<KubeClient | undefined> | undefined;
	// The Kubernetes API credential (also the Kubernetes provider's) is where verdicts carried out are recorded.
	const ledgerClient = () =>
		(ledger ??= this.getNode().credentials?.kubeOpsKubernetesApi
			? this.getCredentials('kubeOpsKubernetesApi').then((data) => new KubeClient(connectionFromCredential(data as KubernetesCredentialFields)))
			: Promise.resolve(undefined));

	return forEachItem(
		this,
		async ({ itemIndex, item, emit, hint }) => {
			const json = item.json;
			const failedBefore = upstreamFailure(json);
			if (failedBefore !== undefined && operation !== 'status') {
				throw new NodeOperationError(this.getNode(), `Refusing to ${operation}: an earlier step failed: ${failedBefore}`, { itemIndex, description: UPSTREAM_FAILURE_FIX });
			}
			const key = provider.connectionKey(this, itemIndex);
			if (!connections.has(key)) connections.set(key, provider.connect(this, itemIndex));
			const lb = await (connections.get(key) as Promise<LoadBalancerProvider>);
			const request = action.request(this, itemIndex, provider.target(this, itemIndex, operation), choice);
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			const keys = operation === 'status' ? undefined : await signingKeysOf(this);
			const client = operation === 'status' && choice !== 'kubernetes' ? undefined : await ledgerClient();
			// The Kubernetes provider and the ledger use this credential: say so when it skips TLS verification.
			const insecure = client?.connection.insecure;
			if (insecure) hint(insecure);
			const actor = `n8n workflow ${this.getWorkflow().id ?? '?'}, execution ${this.getExecutionId() ?? '?'}`;
			const claim = client ? async (gated: GatedAdmission) => void (await claimVerdict(client, { namespace: gated.target.namespace, key: gated.claimKey, by: actor })) : undefined;
			const outcome = await runOperation(lb, {
				...request,
				gate: { item: json, requireVerdict, keys: keys?.verify ?? [], maxAgeSeconds: maxVerdictAge(options.maxVerdictAgeSeconds), now: new Date(), claim },
			});
			if (outcome.operation !== 'status') outcome.warnings.forEach((w) => hint(`${outcome.backend}/${outcome.server}: ${w}`));
			emit({ ...(outcome as unknown as IDataObject), ...(insecure ? { insecure } : {}), ...(gateFieldsOf(json) as IDataObject) });
		},
		{
			describe,
			failedItem: ({ error, nodeError, item }) => {
				const details = error instanceof LoadBalancerError ? error.toJSON() : {};
				return { ...(gateFieldsOf(item.json) as IDataObject), error: nodeError.message, ...details, ...(details.kind ? { errorKind: details.kind } : {}) };
			},
		},
	);
}
