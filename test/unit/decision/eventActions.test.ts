import { actionsOf, mergeActions } from '../../../src/decision';

/*
 * The actions a decision's Event already carries are read back from the
 * cluster (annotation kube-ops/actions) by the next step of the decision:
 * anyone allowed to write Events can put anything there.
 */

const event = (raw: string) => ({ metadata: { annotations: { 'kube-ops/actions': raw } } });

test('hostile annotations read as no actions or only the well-formed ones, never as a throw', () => {
	expect(actionsOf(undefined)).toEqual([]);
	expect(actionsOf({ metadata: {} })).toEqual([]);
	for (const raw of ['', '{', 'null', '"scale"', '{"action":"scale","status":"succeeded"}', '1e999', '[[[[[[[[]]]]]]]]']) expect(actionsOf(event(raw))).toEqual([]);
	const mixed = JSON.stringify([
		{ action: 'scale', status: 'succeeded', at: '2026-12-04T00:00:00Z', detail: 'dropped', extra: { deep: [1, 2, 3] } },
		{ action: 'drain', status: 'approved-by-me' },
		{ action: 42, status: 'succeeded' },
		{ action: 'undo', status: 'failed', error: { message: 'not text' } },
		null,
		'scale',
		{ action: '__proto__', status: 'skipped' },
	]);
	expect(actionsOf(event(mixed))).toEqual([
		{ action: 'scale', status: 'succeeded', at: '2026-12-04T00:00:00Z' },
		{ action: 'undo', status: 'failed' },
		{ action: '__proto__', status: 'skipped' },
	]);
});

test('merging says each action once and keeps at most the last 20', () => {
	const many = Array.from({ length: 500 }, (_, i) => ({ action: `step${i}`, status: 'succeeded' as const }));
	const merged = mergeActions(many, [{ action: 'scale', status: 'succeeded' }, { action: 'step499', status: 'succeeded' }]);
	expect(merged).toHaveLength(20);
	expect(merged.at(-1)).toEqual({ action: 'scale', status: 'succeeded' });
	expect(merged.filter((a) => a.action === 'step499')).toHaveLength(1);
	expect(mergeActions([{ action: 'scale', status: 'succeeded' }], [{ action: 'scale', status: 'failed', error: 'x' }])).toHaveLength(2);
});
