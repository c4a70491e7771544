import { rfc3339 } from '../age';
import { asNumber, asObject, asString, getPath, semanticEqual } from '../json';
import type { JsonObject, KubeObject } from '../types';
import { type Condition, type Controller, type ControllerContext, recordEvent, setCondition, unconditional } from './common';

/**
 * The bounds half of the horizontal pod autoscaler. It has no metrics
 * pipeline, so it never computes a replica count from load; like the real
 * controller it first forces the target into [minReplicas, maxReplicas]
 * (raising minReplicas scales the target up) and leaves a target at zero alone.
 */
export const hpaController: Controller = {
	name: 'horizontal-pod-autoscaler',
	reconcile(ctx) {
		const hpaDef = ctx.api.def('horizontalpodautoscalers.autoscaling');
		for (const hpa of ctx.api.list(hpaDef, undefined).items) {
			if (hpa.metadata.deletionTimestamp) continue;
			syncHpa(ctx, hpa);
		}
	},
};

function syncHpa(ctx: ControllerContext, hpa: KubeObject): void {
	const { api } = ctx;
	const ref = asObject(getPath(hpa, 'spec.scaleTargetRef'));
	const apiVersion = asString(ref.apiVersion) ?? 'apps/v1';
	const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
	const targetDef = api.registry.byGroupKind(group, String(ref.kind));
	const target = targetDef?.scale ? api.find(targetDef, hpa.metadata.namespace, String(ref.name)) : undefined;
	const previous = asObject(hpa.status);
	let conditions: unknown = previous.conditions;
	const set = (c: Condition) => {
		conditions = setCondition(conditions, c, ctx.now);
	};
	const status: JsonObject = { ...previous };
	if (!targetDef?.scale || !target) {
		set({ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${group ? `${String(ref.kind).toLowerCase()}s.${group}` : String(ref.kind).toLowerCase()} "${String(ref.name)}" not found` });
		status.conditions = conditions;
		write(ctx, hpa, status, previous);
		return;
	}
	const scale = api.scaleOf(targetDef, target);
	const current = asNumber(getPath(scale, 'spec.replicas')) ?? 0;
	const min = asNumber(getPath(hpa, 'spec.minReplicas')) ?? 1;
	const max = asNumber(getPath(hpa, 'spec.maxReplicas')) ?? current;
	let desired = current;
	let reason = '';
	if (current === 0 && min !== 0) {
		set({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
	} else {
		if (current > max) {
			desired = max;
			reason = 'Current number of replicas above Spec.MaxReplicas';
			set({ type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' });
		} else if (current < min) {
			desired = min;
			reason = 'Current number of replicas below Spec.MinReplicas';
			set({ type: 'ScalingLimited', status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' });
		} else {
			set({ type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' });
		}
		set({ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'the HPA was unable to compute the replica count: the sandbox has no metrics API' });
	}
	if (desired !== current) {
		api.updateScale(targetDef, hpa.metadata.namespace, String(ref.name), { spec: { replicas: desired } });
		recordEvent(api, hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`, 'horizontal-pod-autoscaler', ctx.now);
		status.lastScaleTime = rfc3339(ctx.now);
		set({ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
	} else {
		set({ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' });
	}
	status.currentReplicas = asNumber(getPath(scale, 'status.replicas')) ?? 0;
	status.desiredReplicas = desired;
	status.conditions = conditions;
	write(ctx, hpa, status, previous);
}

function write(ctx: ControllerContext, hpa: KubeObject, status: JsonObject, previous: JsonObject): void {
	if (semanticEqual(status, previous)) return;
	ctx.api.update(ctx.api.def('horizontalpodautoscalers.autoscaling'), hpa.metadata.namespace, hpa.metadata.name as string, unconditional({ ...hpa, status }), { subresource: 'status' });
}
