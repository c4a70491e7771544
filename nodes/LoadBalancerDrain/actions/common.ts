import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { LoadBalancerProvider, OperationRequest } from '../../../src/loadbalancer';
import { textParameter } from '../../shared/parameters';

export type LbOperation = OperationRequest['operation'];
export type ProviderChoice = 'haproxy' | 'cloudflare' | 'kubernetes' | 'route53';

export interface Target {
	backend: string;
	server?: string;
}

/** One provider: its target fields, and how to reach it and name a target from the node's parameters. */
export interface ProviderAction {
	description: INodeProperties[];
	/** A stable key for the connection an item needs, so items that share it share one provider. */
	connectionKey(fn: IExecuteFunctions, itemIndex: number): string;
	connect(fn: IExecuteFunctions, itemIndex: number): Promise<LoadBalancerProvider>;
	target(fn: IExecuteFunctions, itemIndex: number, operation: LbOperation): Target;
}

/** One operation: its fields, and the engine request for one item. */
export interface OperationAction {
	description: INodeProperties[];
	/** The operation from the node's parameters; the router adds the admission rule (gate). */
	request(fn: IExecuteFunctions, itemIndex: number, target: Target, provider: ProviderChoice): Omit<OperationRequest, 'gate'>;
}

export function showFor(operations: LbOperation[], providers?: ProviderChoice[], extra: Record<string, Array<string | boolean>> = {}): IDisplayOptions {
	return { show: { operation: operations, ...(providers ? { provider: providers } : {}), ...extra } };
}

export const text = textParameter;
