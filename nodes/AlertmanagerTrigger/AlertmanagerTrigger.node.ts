import {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { DEFAULT_LABEL_RULES, DEFAULT_MAX_ALERTS, DEFAULT_MAX_BODY_BYTES, type LabelRule, WebhookAuthentication, WebhookSecrets, checkAuthorization, readNotification } from '../../src/alertmanager';
import { rememberSecret } from '../../src/shared/redact';
import { credentialTestsFor } from '../shared/credentialTests';
import { Emit, answer, outputItems } from './respond';

const CREDENTIAL = 'kubeOpsAlertmanagerWebhookApi';

/** What n8n's server puts on the request beyond node:http's IncomingMessage. */
interface N8nRequest {
	headers: Record<string, string | string[] | undefined>;
	body?: unknown;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export class AlertmanagerTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Alertmanager Trigger',
		name: 'alertmanagerTrigger',
		icon: { light: 'file:alertmanager.svg', dark: 'file:alertmanager.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "one item per " + ($parameter["emit"] ?? "alert") }}',
		description: 'Starts the workflow when Prometheus Alertmanager sends a notification: authenticated, validated, firing and resolved on separate outputs',
		eventTriggerDescription: 'Waiting for Alertmanager to send a notification',
		activationMessage: 'Alertmanager can now post to the production webhook URL.',
		defaults: { name: 'Alertmanager Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Firing', 'Resolved'],
		credentials: [
			{ name: 'kubeOpsAlertmanagerWebhookApi', required: true, testedBy: 'kubeOpsAlertmanagerWebhookApiTest', displayOptions: { show: { authentication: ['bearer', 'basic'] } } },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// Answer as soon as the notification is accepted: Alertmanager must not wait for the workflow,
				// and only retries on 5xx, which n8n sends only when it could not start the execution.
				responseMode: 'onReceived',
				path: '={{$parameter["path"]}}',
				// The URL is <n8n>/webhook/<path>, without the webhook id n8n would otherwise put in front.
				isFullPath: true,
			},
		],
		properties: [
			{
				displayName: 'Path',
				name: 'path',
				type: 'string',
				default: 'alertmanager',
				required: true,
				placeholder: 'alertmanager',
				description: 'The webhook path: Alertmanager\'s webhook_config url is <n8n>/webhook/<path>',
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				default: 'bearer',
				options: [
					{ name: 'Bearer Token', value: 'bearer', description: 'Alertmanager http_config.authorization (type Bearer)' },
					{ name: 'Basic Auth', value: 'basic', description: 'Alertmanager http_config.basic_auth' },
					{ name: 'None', value: 'none', description: 'Anyone who reaches the URL can start the workflow' },
				],
			},
			{
				displayName:
					'Without authentication anyone who can reach this URL can start the workflow (and, through it, fail over regions). Use Bearer or Basic unless the URL is reachable only from Alertmanager.',
				name: 'noAuthNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['none'] } },
			},
			{
				displayName: 'Emit',
				name: 'emit',
				type: 'options',
				default: 'alert',
				options: [
					{ name: 'One Item per Alert', value: 'alert', description: 'Each alert goes to Firing or Resolved by its own status' },
					{ name: 'One Item per Group', value: 'group', description: 'The whole notification as one item, routed by the group\'s status' },
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Max Body Size (Bytes)',
						name: 'maxBodyBytes',
						type: 'number',
						default: DEFAULT_MAX_BODY_BYTES,
						typeOptions: { minValue: 1 },
						description:
							'Larger notifications are refused with 400. n8n\'s own limit (N8N_PAYLOAD_SIZE_MAX, 16 MiB by default) applies first.',
					},
					{
						displayName: 'Max Alerts',
						name: 'maxAlerts',
						type: 'number',
						default: DEFAULT_MAX_ALERTS,
						typeOptions: { minValue: 1 },
						description: 'A notification with more alerts is refused with 400. Set max_alerts on the Alertmanager webhook_config to stay under it.',
					},
					{
						displayName: 'Label Rules',
						name: 'labelRules',
						type: 'fixedCollection',
						typeOptions: { multipleValues: true },
						placeholder: 'Add Rule',
						default: {},
						description:
							'What each label value must look like before the workflow starts; a value that breaks its rule is answered with 400 naming the label. Empty: namespace, service and region must be Kubernetes DNS-1123 labels. Once set, only these rules apply.',
						options: [
							{
								displayName: 'Rule',
								name: 'rule',
								values: [
									{ displayName: 'Label', name: 'label', type: 'string', default: '', placeholder: 'service' },
									{
										displayName: 'Format',
										name: 'format',
										type: 'options',
										default: 'dns1123Label',
										options: [
											{ name: 'Kubernetes Name (DNS-1123 Label)', value: 'dns1123Label', description: 'Lowercase letters, digits and -, at most 63 characters' },
											{ name: 'Kubernetes Subdomain (DNS-1123)', value: 'dns1123Subdomain', description: 'Labels joined by dots, at most 253 characters' },
											{ name: 'Regular Expression', value: 'pattern', description: 'The whole value must match' },
											{ name: 'Anything', value: 'any', description: 'Not checked' },
										],
									},
									{ displayName: 'Pattern', name: 'pattern', type: 'string', default: '', placeholder: '[a-z]{2}-[a-z]+-\\d', displayOptions: { show: { format: ['pattern'] } } },
								],
							},
						],
					},
					{
						displayName: 'Require Version 4',
						name: 'requireVersion4',
						type: 'boolean',
						default: true,
						description: 'Whether to refuse a payload whose version is not "4" (the only version Alertmanager sends)',
					},
				],
			},
		],
	};

	methods = { credentialTest: credentialTestsFor('kubeOpsAlertmanagerWebhookApiTest') };

	// Alertmanager's receivers live in its own config file: there is nothing to register remotely.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject() as unknown as N8nRequest;
		const res = this.getResponseObject();
		const authentication = this.getNodeParameter('authentication', 'bearer') as WebhookAuthentication;
		const emit = this.getNodeParameter('emit', 'alert') as Emit;
		const options = this.getNodeParameter('options', {}) as { maxBodyBytes?: number; requireVersion4?: boolean; maxAlerts?: number; labelRules?: { rule?: LabelRule[] } };

		let secrets: WebhookSecrets = {};
		if (authentication !== 'none') {
			try {
				secrets = (await this.getCredentials(CREDENTIAL)) as WebhookSecrets;
				rememberSecret(...Object.values(secrets));
			} catch (error) {
				answer(res, 500, { status: 'error', reason: `the Alertmanager Webhook credential could not be read: ${(error as Error).message}` });
				return { noWebhookResponse: true };
			}
		}
		const auth = checkAuthorization(authentication, header(req.headers.authorization), secrets);
		if (!auth.ok) {
			answer(res, auth.status, { status: auth.status === 401 ? 'unauthorized' : 'error', reason: auth.reason }, auth.status === 401 ? { 'WWW-Authenticate': auth.challenge } : {});
			return { noWebhookResponse: true };
		}

		// A v1 webhook node always gets the raw bytes from n8n; read them if a server did not.
		if (req.rawBody === undefined && req.body === undefined && typeof req.readRawBody === 'function') {
			await req.readRawBody().catch(() => undefined);
		}
		const read = readNotification(
			{
				contentType: header(req.headers['content-type']),
				contentLength: header(req.headers['content-length']),
				rawBody: req.rawBody,
				parsedBody: req.body,
				maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
			},
			{
				requireVersion4: options.requireVersion4 ?? true,
				maxAlerts: options.maxAlerts ?? DEFAULT_MAX_ALERTS,
				labelRules: options.labelRules?.rule?.length ? options.labelRules.rule : DEFAULT_LABEL_RULES,
			},
		);
		if (!read.ok) {
			answer(res, 400, { status: 'rejected', reason: read.rejection.reason, fix: read.rejection.fix });
			return { noWebhookResponse: true };
		}

		const notification = read.value;
		const accepted: IDataObject = { status: 'accepted', alerts: notification.alerts.length, dedupeKey: notification.dedupeKey };
		return { webhookResponse: accepted, workflowData: outputItems(notification, emit, new Date().toISOString()) };
	}
}
