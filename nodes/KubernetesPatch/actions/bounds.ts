/* What Set HPA Min/Max and Set KEDA Min/Max share: their fields, the autoscaler a proposal points at, the bounds. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { type Bounds, type ChangeRecord, carryOut, checkExplicit, refusal, setHpaBounds, setKedaBounds } from '../../../src/kubernetes';
import { type ActionContext, dryRun, param, required, showFor, text } from './common';

export function boundsFields(operation: 'hpaBounds' | 'kedaBounds', min: string, max: string, what: string): INodeProperties[] {
	const show = showFor([operation]);
	return [
		{
			displayName: `${what} Name`,
			name: 'name',
			type: 'string',
			default: '',
			placeholder: operation === 'hpaBounds' ? 'web' : 'worker',
			description: `The ${what}. With a proposal that targets a workload, the ${what} whose scaleTargetRef is that workload is found; a name given here must be that one.`,
			displayOptions: show,
		},
		{
			displayName: 'Bounds',
			name: operation === 'hpaBounds' ? 'bounds' : 'kedaBounds',
			type: 'collection',
			placeholder: 'Add Bound',
			default: {},
			description: `Unset bounds stay as they are. With a scale proposal, ${min} is the verdict's value.`,
			displayOptions: show,
			options: [
				{ displayName: min, name: 'min', type: 'number', default: operation === 'hpaBounds' ? 1 : 0, typeOptions: { minValue: 0 } },
				{ displayName: max, name: 'max', type: 'number', default: 10, typeOptions: { minValue: 1 } },
			],
		},
	];
}

function readBounds(ctx: ActionContext, name: string): Bounds {
	const raw = param<IDataObject>(ctx, name, {});
	return { min: raw.min === undefined ? undefined : Number(raw.min), max: raw.max === undefined ? undefined : Number(raw.max) };
}

/**
 * A change of an autoscaler's bounds: by hand from the parameters, or under a
 * verdict through carryOut, which finds the autoscaler from the proposal's
 * target and sets the verdict's floor. The parameters are checked here: they
 * may repeat the proposal, never widen it.
 */
export async function changeBounds(ctx: ActionContext, operation: 'hpaBounds' | 'kedaBounds', field: string): Promise<ChangeRecord> {
	const kind = operation === 'hpaBounds' ? 'HorizontalPodAutoscaler' : 'ScaledObject';
	const label = operation === 'hpaBounds' ? 'HPA Name' : 'ScaledObject Name';
	const explicit = text(ctx, 'name');
	const bounds = readBounds(ctx, field);
	const { gated } = ctx;
	if (!gated) {
		const set = operation === 'hpaBounds' ? setHpaBounds : setKedaBounds;
		return set(ctx.client, required(text(ctx, 'namespace'), 'Namespace'), required(explicit, label), bounds, ctx.changeOptions(dryRun(ctx)));
	}
	checkExplicit(gated, { namespace: text(ctx, 'namespace') });
	if (gated.target.kind === kind) checkExplicit(gated, { name: explicit }, { name: label });
	// A scale verdict sets the floor and nothing else: a ceiling from the node would be a change nobody judged.
	if (bounds.max !== undefined) {
		throw refusal(
			`Refusing to act: the node sets a maximum (${bounds.max}), and the scale verdict authorises only the floor (${String(gated.verdict.value)})`,
			'Remove the maximum from this node\'s Bounds; change the ceiling in a separate manual step (Require Policy Gate Verdict off).',
		);
	}
	return carryOut(ctx.client, gated, operation, { ...ctx.carryOutOptions(dryRun(ctx)), autoscalerName: explicit || undefined });
}
