/* What Set HPA Min/Max and Set KEDA Min/Max share: their fields, the autoscaler a proposal points at, the bounds. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { type Bounds, checkExplicit, findHpaFor, findScaledObjectFor, refusal } from '../../../src/kubernetes';
import { type ActionContext, param, required, showFor, text } from './common';

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
 * With a proposal, the autoscaler to change follows from its target: the
 * autoscaler itself, or the one whose scaleTargetRef is the proposed workload.
 */
export async function resolveName(ctx: ActionContext, kind: 'HorizontalPodAutoscaler' | 'ScaledObject'): Promise<string> {
	const { gated } = ctx;
	const explicit = text(ctx, 'name');
	if (!gated) return required(explicit, kind === 'HorizontalPodAutoscaler' ? 'HPA Name' : 'ScaledObject Name');
	checkExplicit(gated, { namespace: text(ctx, 'namespace') });
	if (gated.target.kind === kind) {
		checkExplicit(gated, { name: explicit }, { name: kind === 'HorizontalPodAutoscaler' ? 'HPA Name' : 'ScaledObject Name' });
		return gated.target.name;
	}
	const workload = { kind: gated.target.kind, name: gated.target.name };
	const found = kind === 'HorizontalPodAutoscaler' ? await findHpaFor(ctx.client, gated.target.namespace, workload) : await findScaledObjectFor(ctx.client, gated.target.namespace, workload);
	if (explicit && explicit !== found) {
		throw refusal(
			`Refusing to act: the ${kind} Name parameter ("${explicit}") is not the ${kind} of the proposal's target (${found} scales ${workload.kind} "${workload.name}")`,
			'Leave the name empty (it follows from the proposal), or fix the workflow so the right proposal reaches this node.',
		);
	}
	return found;
}

export function boundsFor(ctx: ActionContext, operation: 'hpaBounds' | 'kedaBounds', field: string): Bounds {
	const bounds = readBounds(ctx, field);
	if (!ctx.gated) return bounds;
	const permit = ctx.gated.permit;
	if (permit.operation !== operation) throw new Error(`internal: a ${permit.operation} permit reached ${operation}`);
	// A scale verdict sets the floor and nothing else: a ceiling from the node would be a change nobody judged.
	if (bounds.max !== undefined) {
		throw refusal(
			`Refusing to act: the node sets a maximum (${bounds.max}), and the scale verdict authorises only the floor (${permit.min})`,
			'Remove the maximum from this node\'s Bounds; change the ceiling in a separate manual step (Require Policy Gate Verdict off).',
		);
	}
	return { min: permit.min, expectMin: permit.expectReplicas };
}
