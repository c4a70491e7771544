import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, VersionedNodeType } from 'n8n-workflow';

import {
	NODE_UNDER_TEST_NAME,
	PACKAGE_NAME,
	closeN8n,
	getBinaryBuffer,
	harnessTempDir,
	nodeTypeName,
	runNode,
	runWorkflow,
	sourceNode,
} from '../harness/n8n';

// Test-only node types. Each is a plain n8n node class, as a package would ship it.

function describeNode(
	name: string,
	extra: Partial<INodeTypeDescription> = {},
): INodeTypeDescription {
	return {
		displayName: name,
		name,
		group: ['transform'],
		version: 1,
		description: `Harness test node ${name}`,
		defaults: { name },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
		...extra,
	};
}

/** Multiplies a number per item; the factor is a parameter and usually an expression. */
class Doubler implements INodeType {
	description = describeNode('testDoubler', {
		properties: [
			{ displayName: 'Value', name: 'value', type: 'number', default: 0 },
			{ displayName: 'Label', name: 'label', type: 'string', default: 'none' },
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		return [
			items.map((_item, itemIndex) => ({
				json: {
					value: this.getNodeParameter('value', itemIndex) as number,
					label: this.getNodeParameter('label', itemIndex) as string,
				},
				pairedItem: { item: itemIndex },
			})),
		];
	}
}

/** Has a required parameter, which n8n checks before running anything. */
class NeedsQuery implements INodeType {
	description = describeNode('testNeedsQuery', {
		properties: [{ displayName: 'Query', name: 'query', type: 'string', required: true, default: '' }],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [[{ json: { query: this.getNodeParameter('query', 0) as string } }]];
	}
}

/** Returns items without pairedItem, leaving n8n to assign it. */
class NoPairing implements INodeType {
	description = describeNode('testNoPairing');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item) => ({ json: { seen: item.json.x } }))];
	}
}

const someApi: ICredentialType = {
	name: 'someApi',
	displayName: 'Some API',
	properties: [
		{ displayName: 'URL', name: 'url', type: 'string', default: 'http://default.invalid' },
		{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
	],
};

/** Reads its credential and reports what it got. */
class CredentialUser implements INodeType {
	description = describeNode('testCredentialUser', {
		credentials: [{ name: 'someApi', required: true }],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentials = await this.getCredentials('someApi');
		return [[{ json: { url: credentials.url, token: credentials.token } }]];
	}
}

const bearerApi: ICredentialType = {
	name: 'bearerApi',
	displayName: 'Bearer API',
	properties: [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
	],
	authenticate: {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } },
	},
};

/** Calls an HTTP API through n8n's authenticated request helper. */
class HttpCaller implements INodeType {
	description = describeNode('testHttpCaller', {
		credentials: [{ name: 'bearerApi', required: true }],
		properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '/' }],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('bearerApi');
		const body = (await this.helpers.httpRequestWithAuthentication.call(this, 'bearerApi', {
			method: 'GET',
			url: `${baseUrl}${this.getNodeParameter('path', 0) as string}`,
			json: true,
		})) as IDataObject;
		return [[{ json: body }]];
	}
}

/** Fails on items with `fail: true`, following n8n's continueOnFail convention. */
class Failer implements INodeType {
	description = describeNode('testFailer');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				if (items[itemIndex].json.fail === true) {
					throw new NodeOperationError(this.getNode(), `Item ${itemIndex} is broken`, {
						itemIndex,
						description: 'The item asked to fail',
					});
				}
				out.push({ json: { ok: itemIndex }, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({
						json: { error: (error as Error).message },
						pairedItem: { item: itemIndex },
					});
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

/** Throws without looking at continueOnFail, to show what n8n's engine does then. */
class AlwaysThrows implements INodeType {
	description = describeNode('testAlwaysThrows');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		throw new NodeOperationError(this.getNode(), 'Nope');
	}
}

/** Routes even numbers to output 0 and odd ones to output 1. */
class Splitter implements INodeType {
	description = describeNode('testSplitter', {
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['even', 'odd'],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const even: INodeExecutionData[] = [];
		const odd: INodeExecutionData[] = [];
		this.getInputData().forEach((item, index) => {
			(Number(item.json.n) % 2 === 0 ? even : odd).push({ json: item.json, pairedItem: { item: index } });
		});
		return [even, odd];
	}
}

/** Writes a text file as binary data through n8n's helpers. */
class BinaryMaker implements INodeType {
	description = describeNode('testBinaryMaker');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const text = `hello ${String(items[itemIndex].json.name)}`;
			const data = await this.helpers.prepareBinaryData(Buffer.from(text), 'hello.txt', 'text/plain');
			out.push({ json: { length: text.length }, binary: { data }, pairedItem: { item: itemIndex } });
		}
		return [out];
	}
}

/** Reads binary data produced upstream back through n8n's helpers. */
class BinaryReader implements INodeType {
	description = describeNode('testBinaryReader');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			await Promise.all(
				this.getInputData().map(async (_item, itemIndex) => {
					const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, 'data');
					return { json: { text: buffer.toString('utf8') }, pairedItem: { item: itemIndex } };
				}),
			),
		];
	}
}

/** Reports which of its versions n8n picked. */
class Versioned extends VersionedNodeType {
	constructor() {
		const versionNode = (version: number): INodeType => ({
			description: describeNode('testVersioned', { version }),
			async execute(this: IExecuteFunctions) {
				return [[{ json: { version, typeVersion: this.getNode().typeVersion } }]];
			},
		});
		super(
			{ 1: versionNode(1), 2: versionNode(2) },
			{ displayName: 'Versioned', name: 'testVersioned', group: ['transform'], description: '', defaultVersion: 2 },
		);
	}
}

/** Loads the ESM-only Kubernetes client from inside node execution. */
class KubeClientProbe implements INodeType {
	description = describeNode('testKubeClientProbe');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const k8s = require('@kubernetes/client-node') as typeof import('@kubernetes/client-node');
		const kc = new k8s.KubeConfig();
		kc.loadFromOptions({
			clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
			users: [{ name: 'u', token: 't' }],
			contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
			currentContext: 'ctx',
		});
		return [
			[
				{
					json: {
						kubeConfig: typeof k8s.KubeConfig,
						server: kc.getCurrentCluster()?.server ?? null,
						appsApi: typeof kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment,
					},
				},
			],
		];
	}
}

afterAll(() => closeN8n());

describe('n8n test harness', () => {
	it('resolves parameters and expressions per item and keeps pairedItem', async () => {
		const { outputs, error } = await runNode({
			node: Doubler,
			parameters: { value: '={{ $json.x * 2 }}', label: '=item {{ $itemIndex }} of {{ $input.all().length }}' },
			input: [{ json: { x: 1 } }, { json: { x: 21 } }],
		});

		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(1);
		expect(outputs[0]).toEqual([
			{ json: { value: 2, label: 'item 0 of 2' }, pairedItem: { item: 0 } },
			{ json: { value: 42, label: 'item 1 of 2' }, pairedItem: { item: 1 } },
		]);
	});

	it('applies parameter defaults and lets n8n assign pairedItem the node left out', async () => {
		const defaults = await runNode({ node: new Doubler(), input: [{ json: {} }] });
		expect(defaults.outputs[0][0].json).toEqual({ value: 0, label: 'none' });

		const unpaired = await runNode({ node: NoPairing, input: [{ json: { x: 'a' } }, { json: { x: 'b' } }] });
		expect(unpaired.outputs[0]).toEqual([
			{ json: { seen: 'a' }, pairedItem: { item: 0 } },
			{ json: { seen: 'b' }, pairedItem: { item: 1 } },
		]);
	});

	it('refuses to start, as n8n does, when a required parameter is empty', async () => {
		await expect(runNode({ node: NeedsQuery })).rejects.toMatchObject({
			name: 'WorkflowHasIssuesError',
		});
		const { outputs } = await runNode({ node: NeedsQuery, parameters: { query: 'up' } });
		expect(outputs[0][0].json).toEqual({ query: 'up' });
	});

	it('reports an expression error the way n8n does', async () => {
		const { outputs, error } = await runNode({
			node: Doubler,
			parameters: { value: "={{ $('Missing').item.json.x }}" },
			input: [{ json: {} }],
		});
		expect(outputs).toEqual([]);
		expect(error).toMatchObject({
			name: 'ExpressionError',
			message: "Referenced node doesn't exist",
			context: { parameter: 'value' },
		});
	});

	it('resolves a property path through undefined to undefined, as n8n expressions do', async () => {
		const { outputs, error } = await runNode({
			node: Doubler,
			parameters: { value: '={{ $json.x.y.z }}' },
			input: [{ json: {} }],
		});
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toEqual({ value: undefined, label: 'none' });
	});

	it('gives the node its credentials through this.getCredentials', async () => {
		const { outputs, error } = await runNode({
			node: CredentialUser,
			credentials: { someApi: { url: 'https://prom.example', token: 's3cret' } },
		});
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toEqual({ url: 'https://prom.example', token: 's3cret' });
	});

	it('applies credential type defaults and resolves credential expressions', async () => {
		const { outputs } = await runNode({
			node: CredentialUser,
			credentials: { someApi: { token: '={{ "tok-" + $json.tenant }}' } },
			credentialTypes: [someApi],
			input: [{ json: { tenant: 'blue' } }],
		});
		expect(outputs[0][0].json).toEqual({ url: 'http://default.invalid', token: 'tok-blue' });
	});

	it("authenticates this.helpers.httpRequestWithAuthentication with the credential's generic auth", async () => {
		const server = createServer((req, res) => {
			const ok = req.headers.authorization === 'Bearer t0k';
			res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
			res.end(JSON.stringify(ok ? { path: req.url, auth: 'ok' } : { error: 'unauthorized' }));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		try {
			const ok = await runNode({
				node: HttpCaller,
				parameters: { path: '/api/v1/query' },
				credentials: { bearerApi: { baseUrl, token: 't0k' } },
				credentialTypes: [bearerApi],
			});
			expect(ok.error).toBeUndefined();
			expect(ok.outputs[0][0].json).toEqual({ path: '/api/v1/query', auth: 'ok' });

			const denied = await runNode({
				node: HttpCaller,
				credentials: { bearerApi: { baseUrl, token: 'wrong' } },
				credentialTypes: [bearerApi],
			});
			expect(denied.error).toMatchObject({ name: 'NodeApiError', httpCode: '401' });
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('fails the way n8n does when the node has no credentials set', async () => {
		const { outputs, error } = await runNode({ node: CredentialUser });
		expect(outputs).toEqual([]);
		expect(error).toMatchObject({
			name: 'NodeOperationError',
			message: 'Node does not have any credentials set',
		});
	});

	it('surfaces a NodeOperationError when continueOnFail is off', async () => {
		const { outputs, error, run } = await runNode({
			node: Failer,
			input: [{ json: { fail: false } }, { json: { fail: true } }],
		});
		expect(outputs).toEqual([]);
		// n8n keeps a plain copy of the thrown error in the run data, not the instance.
		expect(error).not.toBeInstanceOf(NodeOperationError);
		expect(error).toMatchObject({
			name: 'NodeOperationError',
			message: 'Item 1 is broken',
			description: 'The item asked to fail',
			context: { itemIndex: 1 },
			node: { name: NODE_UNDER_TEST_NAME },
		});
		expect(run.status).toBe('error');
		expect(run.data.resultData.error).toMatchObject({ name: 'NodeOperationError', message: 'Item 1 is broken' });
		expect(run.data.resultData.lastNodeExecuted).toBe(NODE_UNDER_TEST_NAME);
	});

	it('turns the failure into an error item when continueOnFail is on', async () => {
		const { outputs, error, run } = await runNode({
			node: Failer,
			continueOnFail: true,
			input: [{ json: { fail: false } }, { json: { fail: true } }],
		});
		expect(error).toBeUndefined();
		expect(run.status).toBe('success');
		expect(outputs[0]).toEqual([
			{ json: { ok: 0 }, pairedItem: { item: 0 } },
			{ json: { error: 'Item 1 is broken' }, pairedItem: { item: 1 } },
		]);
	});

	it("routes error items to n8n's error output with onError=continueErrorOutput", async () => {
		const { outputs } = await runNode({
			node: Failer,
			onError: 'continueErrorOutput',
			input: [{ json: { fail: false } }, { json: { fail: true } }],
		});
		expect(outputs).toHaveLength(2);
		expect(outputs[0]).toEqual([{ json: { ok: 0 }, pairedItem: { item: 0 } }]);
		// n8n merges the input item that failed into the error item.
		expect(outputs[1]).toEqual([
			{ json: { fail: true, error: 'Item 1 is broken' }, pairedItem: { item: 1 } },
		]);
	});

	it('passes the input through and records the error when a node throws under continueOnFail', async () => {
		const { outputs, error } = await runNode({
			node: AlwaysThrows,
			continueOnFail: true,
			input: [{ json: { keep: 1 } }],
		});
		expect(error).toMatchObject({ name: 'NodeOperationError', message: 'Nope' });
		expect(outputs[0].map((item) => item.json)).toEqual([{ keep: 1 }]);

		// The workflow goes on to the next node and finishes successfully.
		const flow = await runWorkflow({
			nodeTypes: [AlwaysThrows, NoPairing],
			workflow: {
				nodes: [
					sourceNode([{ json: { x: 'kept' } }]),
					{ name: 'Throw', type: nodeTypeName(AlwaysThrows), parameters: {}, onError: 'continueRegularOutput' },
					{ name: 'After', type: nodeTypeName(NoPairing), parameters: {} },
				],
				connections: {
					Input: { main: [[{ node: 'Throw', type: 'main', index: 0 }]] },
					Throw: { main: [[{ node: 'After', type: 'main', index: 0 }]] },
				},
			},
		});
		expect(flow.run.status).toBe('success');
		expect(flow.runData.Throw[0].error?.message).toBe('Nope');
		expect(flow.output('After').map((item) => item.json)).toEqual([{ seen: 'kept' }]);
	});

	it('returns one array per output for a node with two outputs', async () => {
		const { outputs } = await runNode({
			node: Splitter,
			input: [1, 2, 3, 4, 5].map((n) => ({ json: { n } })),
		});
		expect(outputs).toHaveLength(2);
		expect(outputs[0].map((item) => item.json.n)).toEqual([2, 4]);
		expect(outputs[1].map((item) => item.json.n)).toEqual([1, 3, 5]);
		expect(outputs[1].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }, { item: 4 }]);
	});

	it('produces binary data in memory (n8n default mode)', async () => {
		const { outputs, error } = await runNode({ node: BinaryMaker, input: [{ json: { name: 'kube' } }] });
		expect(error).toBeUndefined();
		const [item] = outputs[0];
		expect(item.json).toEqual({ length: 10 });
		expect(item.binary?.data).toMatchObject({
			fileName: 'hello.txt',
			mimeType: 'text/plain',
			fileExtension: 'txt',
			bytes: 10,
		});
		expect(item.binary?.data.id).toBeUndefined();
		expect(Buffer.from(item.binary!.data.data, 'base64').toString()).toBe('hello kube');
	});

	it('produces binary data on the filesystem under the harness temp dir', async () => {
		const { outputs } = await runNode({
			node: BinaryMaker,
			binaryDataMode: 'filesystem',
			input: [{ json: { name: 'disk' } }],
		});
		const binary = outputs[0][0].binary!.data;
		expect(binary.id).toMatch(/^filesystem-v2:/);
		expect((await getBinaryBuffer(binary)).toString()).toBe('hello disk');
		const stored = readdirSync(path.join(harnessTempDir(), 'storage'), { recursive: true });
		expect(stored.length).toBeGreaterThan(0);
	});

	it('runs a multi-node workflow, following only the outputs that carry items', async () => {
		const result = await runWorkflow({
			nodeTypes: [Doubler, Splitter, BinaryMaker, BinaryReader],
			workflow: {
				nodes: [
					sourceNode([1, 2, 3].map((n) => ({ json: { n, name: `n${n}` } })), 'Start'),
					{ name: 'Route', type: nodeTypeName(Splitter), parameters: {} },
					{ name: 'Double', type: nodeTypeName(Doubler), parameters: { value: '={{ $json.n * 2 }}' } },
					{ name: 'Make file', type: `${PACKAGE_NAME}.testBinaryMaker`, parameters: {} },
					{ name: 'Read file', type: nodeTypeName(BinaryReader), parameters: {} },
					{ name: 'Unreached', type: nodeTypeName(Doubler), parameters: {} },
				],
				connections: {
					Start: { main: [[{ node: 'Route', type: 'main', index: 0 }]] },
					Route: {
						main: [
							[{ node: 'Double', type: 'main', index: 0 }],
							[{ node: 'Make file', type: 'main', index: 0 }],
						],
					},
					Double: { main: [[]] },
					'Make file': { main: [[{ node: 'Read file', type: 'main', index: 0 }]] },
					'Read file': { main: [[{ node: 'Unreached', type: 'main', index: 0 }]] },
				},
			},
		});

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(result.executionOrder).toEqual(['Start', 'Route', 'Double', 'Make file', 'Read file', 'Unreached']);
		expect(result.output('Double').map((item) => item.json.value)).toEqual([4]);
		expect(result.output('Read file').map((item) => item.json.text)).toEqual(['hello n1', 'hello n3']);

		// An output with no items does not run the node behind it.
		const evensOnly = await runWorkflow({
			nodeTypes: [Splitter, Doubler],
			workflow: {
				nodes: [
					sourceNode([{ json: { n: 2 } }]),
					{ name: 'Route', type: nodeTypeName(Splitter), parameters: {} },
					{ name: 'Odd branch', type: nodeTypeName(Doubler), parameters: {} },
				],
				connections: {
					Input: { main: [[{ node: 'Route', type: 'main', index: 0 }]] },
					Route: { main: [[], [{ node: 'Odd branch', type: 'main', index: 0 }]] },
				},
			},
		});
		expect(evensOnly.executionOrder).toEqual(['Input', 'Route']);
		expect(evensOnly.runData['Odd branch']).toBeUndefined();
		expect(evensOnly.output('Odd branch')).toEqual([]);
	});

	it('feeds a node chain through a workflow with expressions referencing other nodes', async () => {
		const result = await runWorkflow({
			nodeTypes: [Doubler, BinaryMaker, BinaryReader],
			workflow: {
				nodes: [
					sourceNode([{ json: { name: 'a' } }, { json: { name: 'b' } }]),
					{ name: 'Make file', type: nodeTypeName(BinaryMaker), parameters: {} },
					{ name: 'Read file', type: nodeTypeName(BinaryReader), parameters: {} },
					{
						name: 'Label',
						type: nodeTypeName(Doubler),
						parameters: { value: "={{ $('Make file').item.json.length }}", label: '={{ $json.text }}' },
					},
				],
				connections: {
					Input: { main: [[{ node: 'Make file', type: 'main', index: 0 }]] },
					'Make file': { main: [[{ node: 'Read file', type: 'main', index: 0 }]] },
					'Read file': { main: [[{ node: 'Label', type: 'main', index: 0 }]] },
				},
			},
			binaryDataMode: 'filesystem',
		});

		expect(result.error).toBeUndefined();
		expect(result.output('Label').map((item) => item.json)).toEqual([
			{ value: 7, label: 'hello a' },
			{ value: 7, label: 'hello b' },
		]);
	});

	it('attaches test credentials to workflow nodes that declare them', async () => {
		const result = await runWorkflow({
			nodeTypes: [CredentialUser],
			credentials: { someApi: { url: 'https://wf.example', token: 't' } },
			workflow: {
				nodes: [sourceNode([{ json: {} }]), { name: 'Use creds', type: nodeTypeName(CredentialUser), parameters: {} }],
				connections: { Input: { main: [[{ node: 'Use creds', type: 'main', index: 0 }]] } },
			},
		});
		expect(result.output('Use creds')[0].json).toEqual({ url: 'https://wf.example', token: 't' });
	});

	it('picks the node version the way n8n does for versioned node types', async () => {
		const latest = await runNode({ node: Versioned });
		expect(latest.outputs[0][0].json).toEqual({ version: 2, typeVersion: 2 });
		const v1 = await runNode({ node: new Versioned(), typeVersion: 1 });
		expect(v1.outputs[0][0].json).toEqual({ version: 1, typeVersion: 1 });
	});

	it('loads the ESM-only @kubernetes/client-node inside a node run by n8n', async () => {
		const { outputs, error } = await runNode({ node: KubeClientProbe });
		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toEqual({
			kubeConfig: 'function',
			server: 'https://127.0.0.1:6443',
			appsApi: 'function',
		});
	});
});
