import type { IExecuteFunctions } from 'n8n-workflow';

/** A parameter as trimmed text: an expression may give a number, null or nothing, and an empty field means "not set". */
export function textParameter(fn: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = fn.getNodeParameter(name, itemIndex, '') as unknown;
	return value === undefined || value === null ? '' : String(value).trim();
}
