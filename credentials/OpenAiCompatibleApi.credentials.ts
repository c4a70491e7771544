import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/** Any OpenAI-compatible endpoint: OpenAI, Azure OpenAI, vLLM, Ollama, LocalAI. Tested by the LLM Advisor node. */
export class OpenAiCompatibleApi implements ICredentialType {
	name = 'kubeOpsOpenAiCompatibleApi';

	displayName = 'OpenAI-Compatible API (Kube Ops)';

	icon: Icon = { light: 'file:../nodes/LlmAdvisor/llmAdvisor.svg', dark: 'file:../nodes/LlmAdvisor/llmAdvisor.dark.svg' };

	documentationUrl = 'https://platform.openai.com/docs/api-reference/chat';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.openai.com/v1',
			required: true,
			description: 'Usually ends in /v1: https://api.openai.com/v1, http://vllm:8000/v1, http://ollama:11434/v1. For Azure, the resource endpoint.',
		},
		{
			displayName: 'Allow Insecure Connection',
			name: 'allowInsecure',
			type: 'boolean',
			default: false,
			description: 'Whether an http:// base URL is accepted (prompts and the API key travel unencrypted). Only for a local server on a trusted network path, e.g. Ollama or vLLM next to n8n.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Leave empty for servers without keys (local vLLM, Ollama)',
		},
		{
			displayName: 'Model',
			name: 'model',
			type: 'string',
			default: 'gpt-4o-mini',
			required: true,
			description: 'Model name, or the deployment name for Azure OpenAI',
		},
		{
			displayName: 'Azure API Version',
			name: 'azureApiVersion',
			type: 'string',
			default: '',
			placeholder: '2024-10-21',
			description: 'Only for Azure OpenAI: setting it switches to Azure\'s deployment routes',
		},
	];
}
