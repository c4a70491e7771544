/*
 * Runs real n8n nodes inside n8n's own workflow executor, for tests.
 *
 * Why this exists: a hand-made `IExecuteFunctions` mock only proves a node
 * works against our idea of n8n. Here the node runs through n8n-core's
 * `WorkflowExecute` on an n8n-workflow `Workflow`, so parameter and expression
 * resolution, `getCredentials`, `continueOnFail`/`onError`, `pairedItem`
 * assignment, error outputs, multiple outputs and `helpers.*` (binary data,
 * HTTP) are n8n's code, exactly as a running n8n 2.x would call them.
 *
 * What is n8n's real code (n8n-core 2.41.1 / n8n-workflow 2.41.0):
 *   WorkflowExecute, ExecutionLifecycleHooks, Workflow and its expression
 *   engine, the node execution contexts and helpers, Credentials + Cipher
 *   (test credential data really is encrypted at rest and decrypted per use),
 *   InstanceSettings, Logger, ErrorReporter, ExternalSecretsProxy,
 *   BinaryDataConfig + BinaryDataService, OutboundHttp.
 *
 * What stands in for n8n's server (packages/cli, which is not a library):
 *   - the node-types registry: n8n builds it by scanning installed packages;
 *     here it is built from the node classes a test hands over;
 *   - the credentials helper: n8n's reads encrypted rows from its database;
 *     this one keeps the test's credential data in memory (encrypted through
 *     n8n's Credentials class) and mirrors the server's defaults/expressions/
 *     `authenticate` handling so `httpRequestWithAuthentication` behaves alike;
 *   - the encryption key provider: the server's KeyManagerService keeps the
 *     data keys in its database; here they are generated in memory;
 *   - `additionalData`: the server fills it with URLs, hooks and callbacks into
 *     its services; sub-workflow calls, task runners and AI features are not
 *     available here and fail loudly if a node reaches for them;
 *   - an item source node: n8n-nodes-base (ManualTrigger etc.) is not
 *     installed, so a tiny node of our own feeds test items downstream.
 *
 * The DI container is process-wide state in n8n-core, so services are set up
 * once per module registry (once per jest test file) under a throwaway
 * n8n user folder; call `closeN8n()` in `afterAll` to remove it. The user's
 * real ~/.n8n is never touched.
 *
 * This file is framework-agnostic on purpose (it is also compiled with the
 * sandbox demo), so it does not use jest globals.
 */
import { Logger } from '@n8n/backend-common';
import { GlobalConfig, InstanceSettingsConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
	BinaryDataConfig,
	BinaryDataService,
	Cipher,
	Credentials,
	EncryptionKeyProxy,
	ErrorReporter,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	InstanceSettings,
	UnrecognizedCredentialTypeError,
	UnrecognizedNodeTypeError,
	WorkflowExecute,
	getAdditionalKeys,
} from 'n8n-core';
import type { KeyInfo } from 'n8n-core';
import type {
	ExecutionError,
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialsExpressionResolveValues,
	IConnections,
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	UserError,
	Workflow,
	deepCopy,
	isExpression,
} from 'n8n-workflow';

/** Package prefix n8n gives node types from this community package. */
export const PACKAGE_NAME = 'n8n-nodes-kube-ops';

/** Node type of the harness's item source node. */
export const SOURCE_NODE_TYPE = 'kubeOpsHarness.items';

/** Name of the source node `runNode` puts in front of the node under test. */
export const SOURCE_NODE_NAME = 'Input';

/** Name `runNode` gives the node under test. */
export const NODE_UNDER_TEST_NAME = 'Node';

/** A node type as a test has it: an instance, or a class with a no-arg constructor. */
export type NodeLike =
	| INodeType
	| IVersionedNodeType
	| (new () => INodeType)
	| (new () => IVersionedNodeType);

/** Where binary data goes: 'default' keeps it base64 in the item (n8n's in-memory mode),
 * 'filesystem' writes it under the harness's temp storage path. */
export type BinaryDataMode = 'default' | 'filesystem';

interface CommonOptions {
	/** Credential data by credential type name, e.g. `{ kubeOpsPrometheusApi: { url: '…' } }`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Credential type definitions, so defaults, `extends` and `authenticate` apply as in n8n. */
	credentialTypes?: Array<ICredentialType | (new () => ICredentialType)>;
	/** Execution mode; n8n uses 'manual' for editor runs, 'trigger' for activated workflows. */
	mode?: WorkflowExecuteMode;
	binaryDataMode?: BinaryDataMode;
	/** `$vars` in expressions. */
	variables?: IDataObject;
}

export interface RunNodeOptions extends CommonOptions {
	node: NodeLike;
	parameters?: INodeParameters;
	/** Items fed to the node by an upstream node; defaults to one empty item. */
	input?: INodeExecutionData[];
	/** Shorthand for `onError: 'continueRegularOutput'`. */
	continueOnFail?: boolean;
	onError?: INode['onError'];
	typeVersion?: number;
	/** Workflow settings (timezone, binaryMode, …); executionOrder defaults to 'v1'. */
	settings?: IWorkflowSettings;
}

export interface RunNodeResult {
	/** One array per output of the node under test (error output last when onError='continueErrorOutput'). */
	outputs: INodeExecutionData[][];
	/**
	 * The node's error as n8n records it in the run data: a plain copy of the
	 * thrown NodeOperationError/NodeApiError/ExpressionError (`{ ...error, message, stack }`),
	 * so `instanceof` does not hold; check `name`, `message`, `description`, `context`, `httpCode`.
	 */
	error?: ExecutionError;
	/** The node under test's task data (status, timings, hints, metadata). */
	taskData?: IRunData[string][number];
	runData: IRunData;
	run: IRun;
}

/** A workflow node as written in tests: id, position and typeVersion may be left out. */
export type WorkflowNodeInput = Omit<INode, 'id' | 'position' | 'typeVersion'> &
	Partial<Pick<INode, 'id' | 'position' | 'typeVersion'>>;

export interface RunWorkflowOptions extends CommonOptions {
	/** Node types the workflow uses; registered as `n8n-nodes-kube-ops.<description.name>`
	 * (or `description.name` as is when it already contains a dot). The source node is always available. */
	nodeTypes: NodeLike[];
	workflow: {
		nodes: WorkflowNodeInput[];
		connections: IConnections;
		settings?: IWorkflowSettings;
		staticData?: IDataObject;
	};
	/** Node to start from; defaults to the one root node (a node with no incoming connection). */
	startNode?: string;
}

export interface RunWorkflowResult {
	run: IRun;
	runData: IRunData;
	/** The execution's error (a plain record, as in `RunNodeResult.error`), if a node stopped the workflow. */
	error?: ExecutionError;
	/** Node names in the order n8n finished them. */
	executionOrder: string[];
	/** Items of `nodeName` on `outputIndex` for run `runIndex` (empty when the node did not run). */
	output(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
}

// ---------------------------------------------------------------------------
// n8n-core services (DI)
// ---------------------------------------------------------------------------

interface HarnessServices {
	tempDir: string;
	binaryDataConfig: BinaryDataConfig;
	binaryDataService: BinaryDataService;
	binaryDataMode?: BinaryDataMode;
}

let services: HarnessServices | undefined;

function setUpServices(): HarnessServices {
	if (services) return services;

	const tempDir = mkdtempSync(path.join(tmpdir(), 'kube-ops-n8n-'));

	// The instance settings would otherwise be read from (or created in) the
	// developer's ~/.n8n; they must be pointed elsewhere before anything asks
	// the container for InstanceSettings or Logger.
	// (The fields are readonly in the types only; the container's instance is
	// the one InstanceSettings and Logger will be built from.)
	const instanceSettingsConfig = Container.get(InstanceSettingsConfig) as {
		-readonly [K in keyof InstanceSettingsConfig]: InstanceSettingsConfig[K];
	};
	instanceSettingsConfig.n8nFolder = path.join(tempDir, '.n8n');
	instanceSettingsConfig.userHome = tempDir;

	// n8n logs to the console at 'info'; tests stay quiet unless asked.
	const globalConfig = Container.get(GlobalConfig);
	if (!process.env.N8N_LOG_LEVEL) globalConfig.logging.level = 'silent';

	// Built by the container from their real dependencies; getting them here
	// just fixes construction order (config above first).
	Container.get(Logger);
	const instanceSettings = Container.get(InstanceSettings);
	Container.get(ErrorReporter);

	// Since n8n 2.x credentials are encrypted with data keys that the server's
	// KeyManagerService keeps in the database, wrapped by the instance key.
	// This provider holds the same two keys in memory: the legacy CBC key
	// (the instance key itself) and an active GCM data key.
	const cipher = Container.get(Cipher);
	const legacyKey: KeyInfo = {
		id: 'legacy',
		value: cipher.encryptDEKWithInstanceKey(instanceSettings.encryptionKey),
		algorithm: 'aes-256-cbc',
		format: 'no-prefix',
	};
	const activeKey: KeyInfo = {
		id: 'harness-gcm',
		value: cipher.encryptDEKWithInstanceKey(randomBytes(32).toString('hex')),
		algorithm: 'aes-256-gcm',
		format: 'prefixed',
	};
	Container.get(EncryptionKeyProxy).setProvider({
		getActiveKey: async () => activeKey,
		getKeyById: async (id) => [activeKey, legacyKey].find((key) => key.id === id) ?? null,
		getLegacyKey: async () => legacyKey,
	});

	const binaryDataConfig = Container.get(BinaryDataConfig);
	binaryDataConfig.localStoragePath = path.join(tempDir, 'storage');
	const binaryDataService = Container.get(BinaryDataService);

	services = { tempDir, binaryDataConfig, binaryDataService };
	return services;
}

async function useBinaryDataMode(mode: BinaryDataMode): Promise<void> {
	const s = setUpServices();
	if (s.binaryDataMode === mode) return;
	s.binaryDataConfig.mode = mode;
	// init() reads the mode and (re)creates the filesystem manager.
	await s.binaryDataService.init();
	s.binaryDataMode = mode;
}

/** Directory holding the harness's n8n user folder and binary data storage. */
export function harnessTempDir(): string {
	return setUpServices().tempDir;
}

/** Bytes of a binary property from an output item, whichever mode stored it. */
export async function getBinaryBuffer(binary: IBinaryData): Promise<Buffer> {
	setUpServices();
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** Removes the harness's temp folder. Call from `afterAll`. */
export function closeN8n(): void {
	if (!services) return;
	rmSync(services.tempDir, { recursive: true, force: true });
	services = undefined;
	Container.reset();
}

// ---------------------------------------------------------------------------
// Node types registry (stand-in for the server's LoadNodesAndCredentials)
// ---------------------------------------------------------------------------

function toNodeType(node: NodeLike): INodeType | IVersionedNodeType {
	return typeof node === 'function' ? new node() : node;
}

function isVersioned(nodeType: INodeType | IVersionedNodeType): nodeType is IVersionedNodeType {
	return 'nodeVersions' in nodeType;
}

/** The type name the harness registers a node under. */
export function nodeTypeName(node: NodeLike): string {
	const { name } = toNodeType(node).description;
	return name.includes('.') ? name : `${PACKAGE_NAME}.${name}`;
}

function defaultVersion(nodeType: INodeType | IVersionedNodeType): number {
	if (isVersioned(nodeType)) return nodeType.description.defaultVersion ?? nodeType.currentVersion;
	const { version, defaultVersion: dv } = nodeType.description;
	if (dv !== undefined) return dv;
	return Array.isArray(version) ? Math.max(...version) : version;
}

class HarnessNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	constructor(nodes: NodeLike[]) {
		this.types.set(SOURCE_NODE_TYPE, new ItemSource());
		for (const node of nodes) {
			const instance = toNodeType(node);
			this.types.set(nodeTypeName(instance), instance);
		}
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) {
			const [packageName] = nodeType.split('.');
			throw new UnrecognizedNodeTypeError(packageName, nodeType);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		const known: IDataObject = {};
		for (const [name, type] of this.types) known[name] = { className: type.constructor.name, sourcePath: '' };
		return known;
	}

	defaultVersionOf(nodeType: string): number {
		return defaultVersion(this.getByName(nodeType));
	}
}

/**
 * Emits the items in its `items` parameter (JSON). Stands in for the trigger or
 * upstream node that would feed the node under test in a real workflow.
 */
class ItemSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Items',
		name: SOURCE_NODE_TYPE,
		group: ['input'],
		version: 1,
		description: 'Test-only: emits the given items',
		defaults: { name: SOURCE_NODE_NAME },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Items (JSON)',
				name: 'items',
				type: 'string',
				default: '[{"json":{}}]',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string;
		const items = JSON.parse(raw) as INodeExecutionData[];
		return [items.map((item) => ({ ...item, pairedItem: { item: 0 } }))];
	}
}

/** A workflow node for the harness's item source, emitting `items`. */
export function sourceNode(
	items: INodeExecutionData[],
	name = SOURCE_NODE_NAME,
): WorkflowNodeInput {
	return {
		name,
		type: SOURCE_NODE_TYPE,
		typeVersion: 1,
		parameters: { items: JSON.stringify(items) },
	};
}

// ---------------------------------------------------------------------------
// Credentials (stand-in for the server's CredentialsHelper + database)
// ---------------------------------------------------------------------------

class HarnessCredentialsHelper extends ICredentialsHelper {
	/** Encrypted credential data by type, as the database would hold it. */
	private readonly store = new Map<string, Credentials>();

	private readonly types = new Map<string, ICredentialType>();

	private constructor(credentialTypes: CommonOptions['credentialTypes'] = []) {
		super();
		for (const type of credentialTypes) {
			const instance = typeof type === 'function' ? new type() : type;
			this.types.set(instance.name, instance);
		}
	}

	static async create(
		credentials: Record<string, ICredentialDataDecryptedObject> = {},
		credentialTypes: CommonOptions['credentialTypes'] = [],
	): Promise<HarnessCredentialsHelper> {
		const helper = new HarnessCredentialsHelper(credentialTypes);
		for (const [type, data] of Object.entries(credentials)) {
			const entry = new Credentials(credentialReference(type), type);
			await entry.setData(deepCopy(data) as ICredentialDataDecryptedObject);
			helper.store.set(type, entry);
		}
		return helper;
	}

	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.types.get(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		return (type.supportedNodes ?? []).some(
			(supported) => supported === nodeType || `${PACKAGE_NAME}.${supported}` === nodeType,
		);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.types.get(typeName)?.authenticate;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			if (!workflow || !node) {
				throw new UserError('Declarative credential authentication needs the workflow and node');
			}
			const resolve = (value: string) => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? String(resolved) : '';
			};
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				target[section] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
					target[section][resolve(key)] = typeof value === 'string' ? resolve(value) : value;
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.get(typeName);
		if (typeof type?.preAuthentication !== 'function') return undefined;
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (!expirable) return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		const reference = node.credentials?.[typeName] ?? credentialReference(typeName);
		await this.updateCredentials(reference, typeName, { ...credentials, ...output });
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.get(typeName);
		if (typeof type?.preAuthentication !== 'function') return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		return (output as ICredentialDataDecryptedObject | undefined) ?? undefined;
	}

	async getCredentials(_nodeCredentials: INodeCredentialsDetails, type: string): Promise<Credentials> {
		const entry = this.store.get(type);
		if (!entry) {
			throw new UserError(`The test gave no credential data for type "${type}"`, {
				extra: { credentialType: type },
			});
		}
		return entry;
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = await (await this.getCredentials(nodeCredentials, type)).getData();
		if (raw === true) return stored;

		let data = stored;
		if (this.types.has(type)) {
			data = NodeHelpers.getNodeParameters(
				this.getCredentialsProperties(type),
				stored as INodeParameters,
				true,
				false,
				null,
				null,
			) as ICredentialDataDecryptedObject;
			if (stored.oauthTokenData !== undefined) data.oauthTokenData = stored.oauthTokenData;
		}

		if (expressionResolveValues) {
			const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
			try {
				data = expressionResolveValues.workflow.expression.getParameterValue(
					data as INodeParameters,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					data,
				) as ICredentialDataDecryptedObject;
			} catch (error) {
				if (error instanceof Error) error.message += ' [Error resolving credentials]';
				throw error;
			}
		}
		return data;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const entry = new Credentials(nodeCredentials, type);
		await entry.setData(deepCopy(data) as ICredentialDataDecryptedObject);
		this.store.set(type, entry);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const entry = await this.getCredentials(nodeCredentials, type);
		await entry.updateData({ oauthTokenData: data.oauthTokenData });
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const definition = this.types.get(type);
		if (!definition) throw new UnrecognizedCredentialTypeError(type);
		if (!definition.extends) return definition.properties;
		const combined: INodeProperties[] = [];
		for (const parent of definition.extends) {
			if (this.types.has(parent)) {
				NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
			}
		}
		NodeHelpers.mergeNodeProperties(combined, definition.properties);
		return combined;
	}
}

function credentialReference(type: string): INodeCredentialsDetails {
	return { id: `${type}-test-id`, name: `${type} (test)` };
}

// ---------------------------------------------------------------------------
// additionalData (stand-in for the server's WorkflowExecuteAdditionalData)
// ---------------------------------------------------------------------------

const BASE_URL = 'http://localhost:5678';

function notAvailable(what: string): () => never {
	return () => {
		throw new UserError(`${what} is not available in the kube-ops n8n test harness`);
	};
}

function buildAdditionalData(
	credentialsHelper: ICredentialsHelper,
	hooks: ExecutionLifecycleHooks,
	executionId: string,
	workflowId: string,
	variables: IDataObject,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		hooks,
		executionId,
		workflowId,
		userId: 'test-user',
		variables,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}/rest`,
		instanceBaseUrl: `${BASE_URL}/`,
		formBaseUrl: `${BASE_URL}/form`,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
		formTestBaseUrl: `${BASE_URL}/form-test`,
		webhookBaseUrl: `${BASE_URL}/webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		mcpBaseUrl: `${BASE_URL}/mcp`,
		mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		executeWorkflow: notAvailable('Executing a sub-workflow'),
		startRunnerTask: notAvailable('The task runner (Code node)'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
	};
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

let executionCounter = 0;

function completeNode(node: WorkflowNodeInput, index: number, nodeTypes: HarnessNodeTypes): INode {
	return {
		...node,
		id: node.id ?? `node-${index}`,
		position: node.position ?? [index * 220, 0],
		typeVersion: node.typeVersion ?? nodeTypes.defaultVersionOf(node.type),
		parameters: deepCopy(node.parameters ?? {}),
	};
}

/** Gives each node a reference to every test credential its type declares but the node lacks. */
function attachCredentials(
	node: INode,
	nodeTypes: HarnessNodeTypes,
	credentials: Record<string, ICredentialDataDecryptedObject>,
): void {
	const declared = nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.credentials;
	for (const { name } of declared ?? []) {
		if (!(name in credentials) || node.credentials?.[name]) continue;
		node.credentials = { ...node.credentials, [name]: credentialReference(name) };
	}
}

function pickStartNode(workflow: Workflow, explicit?: string): INode {
	if (explicit) {
		const node = workflow.getNode(explicit);
		if (!node) throw new UserError(`Start node "${explicit}" is not in the workflow`);
		return node;
	}
	const roots = Object.values(workflow.nodes).filter(
		(node) => !node.disabled && workflow.getParentNodes(node.name).length === 0,
	);
	const sources = roots.filter((node) => node.type === SOURCE_NODE_TYPE);
	const start = sources[0] ?? roots[0] ?? workflow.getStartNode();
	if (!start) throw new UserError('The workflow has no node to start from');
	return start;
}

async function execute(
	options: CommonOptions & {
		nodeTypes: HarnessNodeTypes;
		nodes: INode[];
		connections: IConnections;
		settings?: IWorkflowSettings;
		staticData?: IDataObject;
		startNode?: string;
	},
): Promise<{ run: IRun; executionOrder: string[] }> {
	setUpServices();
	await useBinaryDataMode(options.binaryDataMode ?? 'default');

	executionCounter += 1;
	const executionId = `${executionCounter}`;
	const workflowId = 'kube-ops-test';
	const settings: IWorkflowSettings = { executionOrder: 'v1', ...options.settings };

	const workflow = new Workflow({
		id: workflowId,
		name: 'kube-ops harness',
		nodes: options.nodes,
		connections: options.connections,
		nodeTypes: options.nodeTypes,
		settings,
		staticData: options.staticData,
		active: false,
	});

	const mode = options.mode ?? 'manual';
	const workflowData = {
		id: workflowId,
		name: workflow.name,
		active: false,
		isArchived: false,
		nodes: options.nodes,
		connections: options.connections,
		settings,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});

	const credentialsHelper = await HarnessCredentialsHelper.create(
		options.credentials,
		options.credentialTypes,
	);
	const additionalData = buildAdditionalData(
		credentialsHelper,
		hooks,
		executionId,
		workflowId,
		options.variables ?? {},
	);

	const startNode = pickStartNode(workflow, options.startNode);
	const run = await new WorkflowExecute(additionalData, mode).run({ workflow, startNode });
	return { run, executionOrder };
}

/**
 * Runs one node, fed `input` by the harness's item source node, through n8n's
 * workflow executor. Rejects only when n8n refuses to start the run (e.g. a
 * required parameter is missing: WorkflowHasIssuesError); a node failure is
 * returned as `error`.
 */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const nodeTypes = new HarnessNodeTypes([options.node]);
	const type = nodeTypeName(options.node);
	const credentials = options.credentials ?? {};

	const source = completeNode(sourceNode(options.input ?? [{ json: {} }]), 0, nodeTypes);
	const underTest = completeNode(
		{
			name: NODE_UNDER_TEST_NAME,
			type,
			typeVersion: options.typeVersion,
			parameters: options.parameters ?? {},
			onError: options.onError ?? (options.continueOnFail ? 'continueRegularOutput' : undefined),
		},
		1,
		nodeTypes,
	);
	if (underTest.onError === undefined) delete underTest.onError;
	// Every given credential is referenced, declared or not, so a node asking
	// for a type it does not declare meets n8n's own refusal.
	for (const name of Object.keys(credentials)) {
		underTest.credentials = { ...underTest.credentials, [name]: credentialReference(name) };
	}

	const { run } = await execute({
		...options,
		nodeTypes,
		nodes: [source, underTest],
		connections: {
			[SOURCE_NODE_NAME]: {
				main: [[{ node: NODE_UNDER_TEST_NAME, type: NodeConnectionTypes.Main, index: 0 }]],
			},
		},
		startNode: SOURCE_NODE_NAME,
	});

	const { runData } = run.data.resultData;
	const taskData = runData[NODE_UNDER_TEST_NAME]?.[0];
	const sourceError = runData[SOURCE_NODE_NAME]?.[0]?.error;
	if (sourceError) throw sourceError;
	return {
		outputs: (taskData?.data?.main ?? []).map((items) => items ?? []),
		error: taskData?.error ?? (run.data.resultData.error as ExecutionError | undefined),
		taskData,
		runData,
		run,
	};
}

/**
 * Runs a workflow (nodes + connections, as in an exported workflow JSON)
 * through n8n's workflow executor, starting from its root node. Use
 * `sourceNode(items)` as the first node to feed items in.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunWorkflowResult> {
	const nodeTypes = new HarnessNodeTypes(options.nodeTypes);
	const credentials = options.credentials ?? {};
	const nodes = options.workflow.nodes.map((node, index) => {
		const complete = completeNode(node, index, nodeTypes);
		attachCredentials(complete, nodeTypes, credentials);
		return complete;
	});

	const { run, executionOrder } = await execute({
		...options,
		nodeTypes,
		nodes,
		connections: options.workflow.connections,
		settings: options.workflow.settings,
		staticData: options.workflow.staticData,
	});

	const { runData } = run.data.resultData;
	return {
		run,
		runData,
		error: run.data.resultData.error as ExecutionError | undefined,
		executionOrder,
		output: (nodeName, outputIndex = 0, runIndex = 0) =>
			runData[nodeName]?.[runIndex]?.data?.main?.[outputIndex] ?? [],
	};
}
