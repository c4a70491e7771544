import { buildDecisionRecord } from '../../../src/decision';
import { LAST_CHANGE_ANNOTATION, annotationKeyProblem, changeEvent, validatePatchBody } from '../../../src/kubernetes';
import { lastChangeValue } from '../../../src/kubernetes/audit';
import { type JsonPatchOp, backoffMs, guardedPatch } from '../../../src/kubernetes/change';
import { resources } from '../../../src/kubernetes/resources';
import { evaluate } from '../../../src/policy';

/** How a change is written: precondition, audit annotation, Event. */

const current = { metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '42', annotations: { a: 'b' } } };
const at = new Date('2026-03-10T12:00:00.123Z');
const audit = { actor: 'n8n workflow "x" (id 1), execution 2', now: () => at };

test('a merge patch gets the resourceVersion precondition and the audit annotation, keeping its own metadata', () => {
	const body = guardedPatch({ patchType: 'merge', patch: { metadata: { annotations: { x: 'y' }, labels: { l: '1' } }, spec: { replicas: 2 } }, to: {} }, current, 'A');
	expect(body).toEqual({ metadata: { annotations: { x: 'y', [LAST_CHANGE_ANNOTATION]: 'A' }, labels: { l: '1' }, resourceVersion: '42' }, spec: { replicas: 2 } });
	const own = guardedPatch({ patchType: 'merge', patch: { metadata: { resourceVersion: '40' } }, to: {}, ownPrecondition: true }, current, 'A');
	expect(own).toEqual({ metadata: { resourceVersion: '40', annotations: { [LAST_CHANGE_ANNOTATION]: 'A' } } });
});

test('a JSON patch gets the precondition and the annotation as operations before its own', () => {
	const ops = [{ op: 'replace' as const, path: '/spec/replicas', value: 2 }];
	expect(guardedPatch({ patchType: 'json', patch: ops, to: {} }, current, 'A')).toEqual([
		{ op: 'replace', path: '/metadata/resourceVersion', value: '42' },
		{ op: 'add', path: '/metadata/annotations/kube-ops~1last-change', value: 'A' },
		...ops,
	]);
	const bare = { metadata: { name: 'web', resourceVersion: '7' } };
	expect((guardedPatch({ patchType: 'json', patch: ops, to: {} }, bare, 'A') as JsonPatchOp[])[1]).toEqual({ op: 'add', path: '/metadata/annotations', value: { [LAST_CHANGE_ANNOTATION]: 'A' } });
});

test('the last-change annotation: who, when, from, to, decision; large values point to the Event', () => {
	expect(JSON.parse(lastChangeValue('scale', { replicas: 3 }, { replicas: 7 }, { ...audit, decision: { id: 'scaling-1' } as never }))).toEqual({
		operation: 'scale',
		by: audit.actor,
		at: '2026-03-10T12:00:00.123Z',
		decisionId: 'scaling-1',
		from: { replicas: 3 },
		to: { replicas: 7 },
	});
	const big = JSON.parse(lastChangeValue('patch', { data: 'x'.repeat(5000) }, {}, audit));
	expect(big).toMatchObject({ operation: 'patch', from: '(too large for an annotation; see the Event)' });
});

test('a plain Event and one from the decision record, both on the changed object (with its uid)', () => {
	const change = { operation: 'hpaBounds', res: resources.hpa, object: current, before: { minReplicas: 2 }, after: { minReplicas: 7 }, dryRun: false };
	const plain = changeEvent(change, audit);
	expect(plain).toMatchObject({
		metadata: { namespace: 'shop', name: expect.stringMatching(/^web\.[0-9a-f]{16}$/) },
		involvedObject: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '42' },
		reason: 'HPABoundsSet',
		type: 'Normal',
		message: `hpaBounds horizontalpodautoscalers/web: {"minReplicas":2} → {"minReplicas":7} by ${audit.actor}`,
		firstTimestamp: '2026-03-10T12:00:00Z',
		reportingComponent: 'kube-ops',
	});
	const proposal = { action: 'scale', source: 'manual', target: { cluster: 'c', namespace: 'shop', kind: 'Deployment', name: 'web' }, current: { replicas: 3 }, proposed: { replicas: 7 } };
	const verdict = evaluate(proposal, { minReplicas: 1, maxReplicas: 9 }, {}, at);
	const decision = buildDecisionRecord({ time: at, loop: 'scaling', target: proposal.target, proposals: [proposal], verdict });
	const fromDecision = changeEvent(change, { ...audit, decision });
	expect(fromDecision).toMatchObject({
		reason: 'ScaleApplied',
		metadata: { name: expect.stringMatching(/^web\.[0-9a-f]{16}$/), annotations: { 'kube-ops/decision-id': decision.id } },
		involvedObject: { kind: 'HorizontalPodAutoscaler', uid: 'u-1' },
	});
	expect(fromDecision.message).toMatch(/actions: hpaBounds succeeded/);
	// A record that does not survive the trip through n8n still gives the plain Event.
	expect(changeEvent(change, { ...audit, decision: { ...decision, time: 'yesterday' } })).toMatchObject({ reason: 'HPABoundsSet', message: expect.stringMatching(/\(decision scaling-/) });
});

test('backoff grows, is jittered and capped', () => {
	for (const attempt of [1, 2, 3, 10]) {
		const ms = backoffMs(attempt);
		expect(ms).toBeGreaterThanOrEqual(Math.min(1000, 50 * 2 ** (attempt - 1)));
		expect(ms).toBeLessThan(1050);
	}
});

test('annotation keys and patch bodies are checked before anything is sent', () => {
	expect(annotationKeyProblem('example.com/owner')).toBeUndefined();
	expect(annotationKeyProblem('owner')).toBeUndefined();
	expect(annotationKeyProblem('Example.com/owner')).toMatch(/prefix "Example.com" is not a DNS subdomain/);
	expect(annotationKeyProblem(`a/${'x'.repeat(64)}`)).toMatch(/1-63/);
	expect(annotationKeyProblem('a/-x')).toMatch(/starting and ending/);
	expect(() => validatePatchBody('merge', { kind: 'Service' })).toThrow('The patch changes kind');
	expect(() => validatePatchBody('json', [{ op: 'copy', path: '/a' }])).toThrow('JSON patch operation 0 (copy) has no "from"');
	expect(() => validatePatchBody('json', [{ op: 'add', path: '/a' }])).toThrow('JSON patch operation 0 (add) has no "value"');
	expect(validatePatchBody('strategic', { spec: { replicas: 1 } })).toEqual({ spec: { replicas: 1 } });
});
