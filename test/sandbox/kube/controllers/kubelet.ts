import { rfc3339 } from '../age';
import { asArray, asObject, getPath } from '../json';
import type { JsonObject, KubeObject } from '../types';
import { type Controller, type ControllerContext, unconditional } from './common';

/**
 * A stand-in for scheduler and kubelet: every pod turns Running and Ready
 * once the configured start-up delay has passed since the kubelet first saw it.
 */
export function createKubelet(): Controller {
	const readyAt = new Map<string, number>();
	return {
		name: 'kubelet',
		reconcile(ctx) {
			const podDef = ctx.api.def('pods');
			const seen = new Set<string>();
			// Only pods still starting are copied: this runs after every write, and most pods run already.
			for (const pod of ctx.api.listWhere(podDef, undefined, (p) => !p.metadata.deletionTimestamp && getPath(p, 'status.phase') === 'Pending')) {
				const uid = pod.metadata.uid as string;
				seen.add(uid);
				let at = readyAt.get(uid);
				if (at === undefined) {
					at = ctx.now + ctx.podStartupMs;
					readyAt.set(uid, at);
				}
				if (ctx.now >= at) start(ctx, pod);
				else ctx.requeueAt(at);
			}
			for (const uid of readyAt.keys()) if (!seen.has(uid)) readyAt.delete(uid);
		},
	};
}

let podIpCounter = 0;

function start(ctx: ControllerContext, pod: KubeObject): void {
	const stamp = rfc3339(ctx.now);
	const containers = asArray(getPath(pod, 'spec.containers')).map(asObject);
	podIpCounter += 1;
	const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: stamp });
	const status: JsonObject = {
		...asObject(pod.status),
		phase: 'Running',
		conditions: [condition('PodReadyToStartContainers'), condition('Initialized'), condition('Ready'), condition('ContainersReady'), condition('PodScheduled')],
		hostIP: '10.0.0.10',
		hostIPs: [{ ip: '10.0.0.10' }],
		podIP: `10.244.${Math.floor(podIpCounter / 250) % 250}.${(podIpCounter % 250) + 1}`,
		startTime: stamp,
		containerStatuses: containers.map((c) => ({
			name: c.name,
			state: { running: { startedAt: stamp } },
			lastState: {},
			ready: true,
			restartCount: 0,
			image: c.image,
			imageID: `${String(c.image)}@sha256:${'0'.repeat(64)}`,
			containerID: `containerd://${(pod.metadata.uid ?? '').replace(/-/g, '')}${String(c.name)}`.slice(0, 77),
			started: true,
		})),
	};
	status.podIPs = [{ ip: status.podIP }];
	ctx.api.update(ctx.api.def('pods'), pod.metadata.namespace, pod.metadata.name as string, unconditional({ ...pod, status }), { subresource: 'status' });
}
