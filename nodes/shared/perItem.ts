import { type IBinaryKeyData, type IDataObject, type IExecuteFunctions, type INodeExecutionData, NodeOperationError } from 'n8n-workflow';

/** What one item's run gets: the item, and where its results and warnings go. */
export interface ItemRun {
	itemIndex: number;
	item: INodeExecutionData;
	/** Adds an output item paired with this input item, on output `output` (default the first). */
	emit(json: IDataObject, extra?: { binary?: IBinaryKeyData; output?: number }): void;
	/** A warning for the output pane, shown once however many items raise it. */
	hint(message: string): void;
}

export interface Failure {
	error: unknown;
	nodeError: NodeOperationError;
	item: INodeExecutionData;
	itemIndex: number;
}

export interface PerItemOptions {
	/** How many outputs the node has (default 1). */
	outputs?: number;
	/** How a failure reads in n8n; default: the error's own message, with describe's text as the description. */
	toNodeError?: (error: unknown, itemIndex: number) => NodeOperationError;
	/** The description of a failure that is not yet a node error (a fix, the server's words). */
	describe?: (error: unknown) => string | undefined;
	/**
	 * With Continue On Fail: the item a failure becomes. A node without it
	 * stops on every failure, whatever the setting.
	 */
	failedItem?: (failure: Failure) => IDataObject;
	/** The output failed items go to (default the first). */
	failedOutput?: number;
	/**
	 * Items run side by side, at most this many at once (default 1: one after
	 * another). Outputs keep the input order; without Continue On Fail the
	 * first failing item in that order fails the node, as it would one by one.
	 */
	concurrency?: number;
}

/** A failure as n8n shows it: the message, the item, and a description when there is one. */
export function toNodeError(fn: IExecuteFunctions, error: unknown, itemIndex: number, describe?: (error: unknown) => string | undefined): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	return new NodeOperationError(fn.getNode(), error as Error, { itemIndex, message: (error as Error).message, description: describe?.(error) });
}

/** Warnings for the output pane (each once). */
export function warningHints(fn: IExecuteFunctions, messages: Iterable<string>): void {
	const unique = [...new Set(messages)];
	if (unique.length > 0) fn.addExecutionHints(...unique.map((message) => ({ message, type: 'warning' as const, location: 'outputPane' as const })));
}

/**
 * The one per-item loop of the nodes: each input item runs on its own, its
 * outputs paired with it; a failure stops the node, or with Continue On Fail
 * becomes an item that says what went wrong; warnings are collected and
 * shown once as execution hints.
 */
export async function forEachItem(fn: IExecuteFunctions, run: (ctx: ItemRun) => Promise<void>, options: PerItemOptions = {}): Promise<INodeExecutionData[][]> {
	const items = fn.getInputData();
	const outputs: INodeExecutionData[][] = Array.from({ length: options.outputs ?? 1 }, () => []);
	const hints = new Set<string>();
	if ((options.concurrency ?? 1) > 1 && items.length > 1) return sideBySide(fn, items, run, options, outputs, hints);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		const pairedItem = { item: itemIndex };
		try {
			await run({
				itemIndex,
				item,
				emit: (json, extra = {}) => void outputs[extra.output ?? 0].push({ json, ...(extra.binary ? { binary: extra.binary } : {}), pairedItem }),
				hint: (message) => void hints.add(message),
			});
		} catch (error) {
			const nodeError = options.toNodeError ? options.toNodeError(error, itemIndex) : toNodeError(fn, error, itemIndex, options.describe);
			if (!options.failedItem || !fn.continueOnFail()) throw nodeError;
			outputs[options.failedOutput ?? 0].push({ json: options.failedItem({ error, nodeError, item, itemIndex }), pairedItem });
		}
	}
	warningHints(fn, hints);
	return outputs;
}

/** forEachItem with up to `options.concurrency` items in flight: each item's outputs are kept, then merged in input order. */
async function sideBySide(
	fn: IExecuteFunctions,
	items: INodeExecutionData[],
	run: (ctx: ItemRun) => Promise<void>,
	options: PerItemOptions,
	outputs: INodeExecutionData[][],
	hints: Set<string>,
): Promise<INodeExecutionData[][]> {
	const settled: Array<{ emitted: Array<{ output: number; data: INodeExecutionData }>; failed: boolean; error?: unknown }> = new Array(items.length);
	let next = 0;
	const lane = async () => {
		while (next < items.length) {
			const itemIndex = next++;
			const item = items[itemIndex];
			const pairedItem = { item: itemIndex };
			const result: (typeof settled)[number] = { emitted: [], failed: false };
			settled[itemIndex] = result;
			try {
				await run({
					itemIndex,
					item,
					emit: (json, extra = {}) => void result.emitted.push({ output: extra.output ?? 0, data: { json, ...(extra.binary ? { binary: extra.binary } : {}), pairedItem } }),
					hint: (message) => void hints.add(message),
				});
			} catch (error) {
				result.failed = true;
				result.error = error;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 1, items.length) }, lane));
	for (const [itemIndex, result] of settled.entries()) {
		for (const { output, data } of result.emitted) outputs[output].push(data);
		if (!result.failed) continue;
		const nodeError = options.toNodeError ? options.toNodeError(result.error, itemIndex) : toNodeError(fn, result.error, itemIndex, options.describe);
		if (!options.failedItem || !fn.continueOnFail()) throw nodeError;
		outputs[options.failedOutput ?? 0].push({ json: options.failedItem({ error: result.error, nodeError, item: items[itemIndex], itemIndex }), pairedItem: { item: itemIndex } });
	}
	warningHints(fn, hints);
	return outputs;
}
