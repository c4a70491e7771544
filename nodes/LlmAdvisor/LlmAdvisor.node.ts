import {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { AdviceContext, AdviceLoop, AdviceMode, ResponseFormatLevel, advise, llmConnectionFromCredential } from '../../src/llm';
import { credentialTestsFor } from '../shared/credentialTests';
import { forEachItem } from '../shared/perItem';

export class LlmAdvisor implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LLM Advisor',
		name: 'llmAdvisor',
		icon: { light: 'file:llmAdvisor.svg', dark: 'file:llmAdvisor.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] + " · " + $parameter["loop"] }}',
		description: 'Optional: explains a decision or proposes one through an OpenAI-compatible model. It never acts: a proposal goes to the Policy Gate.',
		defaults: { name: 'LLM Advisor' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'kubeOpsOpenAiCompatibleApi', required: true, testedBy: 'openAiCompatibleConnectionTest' }],
		properties: [
			{
				displayName:
					'Advisory only. Alert text is treated as untrusted data; the target is always taken from the context, never from the model. On a timeout, rate limit or bad answer the item passes on with llm.status "unavailable" and the deterministic path goes on alone.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				default: 'explain',
				options: [
					{ name: 'Explain', value: 'explain', description: 'A short human summary of the decision, for chat' },
					{ name: 'Propose', value: 'propose', description: 'A proposal for the Policy Gate, requested with a JSON schema and validated again' },
				],
			},
			{
				displayName: 'Loop',
				name: 'loop',
				type: 'options',
				default: 'scaling',
				options: [
					{ name: 'Scaling', value: 'scaling' },
					{ name: 'Failover', value: 'failover' },
					{ name: 'Canary', value: 'canary' },
				],
			},
			{
				displayName: 'Context',
				name: 'context',
				type: 'json',
				default: '={{ $json.context }}',
				description:
					'What the deterministic side knows: { target, current, deterministic, policy, evidence, alerts }. Alerts are quoted as untrusted data.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{ displayName: 'Timeout (Ms)', name: 'timeoutMs', type: 'number', default: 8000, description: 'Budget for the whole call, fallbacks included' },
					{ displayName: 'Retries', name: 'maxRetries', type: 'number', default: 0, typeOptions: { minValue: 0, maxValue: 3 }, description: 'Retries on 429/5xx within the timeout' },
					{
						displayName: 'Response Format',
						name: 'responseFormat',
						type: 'options',
						default: 'json_schema',
						options: [
							{ name: 'JSON Schema (Strict)', value: 'json_schema' },
							{ name: 'JSON Object', value: 'json_object' },
							{ name: 'None (Prompt Only)', value: 'none' },
						],
						description: 'Where Propose starts; servers that reject one fall back to the next automatically',
					},
				],
			},
		],
	};

	methods = { credentialTest: credentialTestsFor('openAiCompatibleConnectionTest') };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credential = await this.getCredentials('kubeOpsOpenAiCompatibleApi');
		return forEachItem(
			this,
			async ({ itemIndex, item, emit }) => {
				const mode = this.getNodeParameter('mode', itemIndex) as AdviceMode;
				const loop = this.getNodeParameter('loop', itemIndex) as AdviceLoop;
				const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
				const context = this.getNodeParameter('context', itemIndex, undefined) as unknown;
				if (typeof context !== 'object' || context === null || Array.isArray(context)) {
					throw new NodeOperationError(this.getNode(), 'The context is not an object', {
						itemIndex,
						description: 'Map it from the previous node, e.g. {{ $json.context }}, with at least target and current (scaling) or target and regions (failover)',
					});
				}
				const result = await advise({
					mode,
					loop,
					context: context as AdviceContext,
					connection: llmConnectionFromCredential(credential, {
						timeoutMs: options.timeoutMs as number | undefined,
						maxRetries: options.maxRetries as number | undefined,
						responseFormat: options.responseFormat as ResponseFormatLevel | undefined,
					}),
				});
				// The model's proposal replaces the deterministic one only when it exists and validated;
				// otherwise the item keeps what the deterministic path produced.
				const json: IDataObject = { ...item.json, llm: result as unknown as IDataObject };
				if (result.status === 'ok' && result.proposal) json.proposal = result.proposal as unknown as IDataObject;
				emit(json);
			},
			{ failedItem: ({ nodeError, item }) => ({ ...item.json, error: nodeError.message }) },
		);
	}
}
