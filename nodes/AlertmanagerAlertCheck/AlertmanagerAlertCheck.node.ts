import {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { alertmanagerConnection, checkActive } from '../../src/alertmanager';
import { redact } from '../../src/shared/redact';
import { credentialTestsFor } from '../shared/credentialTests';
import { forEachItem } from '../shared/perItem';

const NOT_ACTIVE = 0;
const ACTIVE_OR_UNKNOWN = 1;

/**
 * Asks the Alertmanager of the credential whether alerts with given labels
 * are active. Items go to "Not Active" only when Alertmanager answered and
 * nothing matches; a firing alert, an error or an unreadable answer goes to
 * "Active or Unknown", so a failback never follows from a broken reply.
 */
export class AlertmanagerAlertCheck implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Alertmanager Alert Check',
		name: 'alertmanagerAlertCheck',
		icon: { light: 'file:alertmanager.svg', dark: 'file:alertmanager.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'is the alert still active?',
		usableAsTool: true,
		description: 'Asks Alertmanager whether alerts with given labels are still active; unknown counts as active',
		defaults: { name: 'Alertmanager Alert Check' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Not Active', 'Active or Unknown'],
		credentials: [{ name: 'kubeOpsAlertmanagerApi', required: true, testedBy: 'kubeOpsAlertmanagerApiTest' }],
		properties: [
			{
				displayName: 'Labels to Match',
				name: 'labels',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Label',
				default: {},
				description: 'An alert counts when it has every one of these labels with exactly this value. Values are escaped into Alertmanager matchers.',
				options: [
					{
						displayName: 'Label',
						name: 'label',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'alertname' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: '={{ $json.alert.labels.alertname }}' },
						],
					},
				],
			},
		],
	};

	methods = { credentialTest: credentialTestsFor('kubeOpsAlertmanagerApiTest') };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		let connection;
		try {
			connection = alertmanagerConnection(await this.getCredentials('kubeOpsAlertmanagerApi'));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), redact((error as Error).message));
		}
		// No Continue On Fail: an item that cannot be checked must not reach "Not Active" (see above), nor vanish.
		return forEachItem(
			this,
			async ({ itemIndex, item, emit }) => {
				const raw = this.getNodeParameter('labels', itemIndex, {}) as { label?: Array<{ name?: unknown; value?: unknown }> };
				const labels: Record<string, string> = {};
				for (const { name, value } of raw.label ?? []) {
					if (typeof value !== 'string' || value === '') {
						throw new NodeOperationError(this.getNode(), `Label "${String(name)}" has no value to match`, { itemIndex, description: 'Set each label\'s value, e.g. {{ $json.alert.labels.region }}; an empty value would match nothing Alertmanager can filter.' });
					}
					labels[String(name ?? '').trim()] = value;
				}
				const check = await checkActive(connection, labels);
				const alertCheck: IDataObject = { active: check.active, count: check.count, filter: check.filter, ...(check.reason ? { reason: check.reason } : {}), ...(connection.insecure ? { insecure: connection.insecure } : {}) };
				emit({ ...item.json, alertCheck }, { output: check.active ? ACTIVE_OR_UNKNOWN : NOT_ACTIVE });
			},
			{ outputs: 2, toNodeError: (error, itemIndex) => (error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), redact((error as Error).message), { itemIndex })) },
		);
	}
}
