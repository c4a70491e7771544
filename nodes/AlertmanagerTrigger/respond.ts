import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Notification } from '../../src/alertmanager';

/** The part of the HTTP response the node uses; both Express's and node:http's responses have it. */
export interface PlainResponse {
	writeHead(status: number, headers: Record<string, string>): unknown;
	end(body: string): unknown;
}

/**
 * Answers a refused request directly (401/400/500 with a JSON reason). The node
 * then returns { noWebhookResponse: true } and no workflowData, so n8n sends
 * nothing more and starts no execution.
 */
export function answer(res: PlainResponse, status: number, body: IDataObject, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
	res.end(JSON.stringify(body));
}

export type Emit = 'alert' | 'group';

const FIRING = 0;
const RESOLVED = 1;

/**
 * Items for the two outputs (Firing, Resolved). Per alert: each alert goes by
 * its own status, so one notification can feed both outputs. Per group: one
 * item, routed by the group's status (firing while any alert still fires).
 */
export function outputItems(notification: Notification, emit: Emit, receivedAt: string): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = [[], []];
	const { group, alerts, dedupeKey } = notification;
	if (emit === 'group') {
		outputs[group.status === 'firing' ? FIRING : RESOLVED].push({ json: { group, alerts, dedupeKey, receivedAt } as unknown as IDataObject });
		return outputs;
	}
	for (const alert of alerts) {
		outputs[alert.status === 'firing' ? FIRING : RESOLVED].push({ json: { alert, group, dedupeKey, receivedAt } as unknown as IDataObject });
	}
	return outputs;
}
