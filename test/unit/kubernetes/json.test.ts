import fc from 'fast-check';

import { deepEqual, isPlainMergePatch, mergePatchIsNoop, projectOnto, valuesAtPaths } from '../../../src/kubernetes/json';
import { mergePatch } from '../../sandbox/kube/patch';

/** The local reasoning about patches: what before/after show, and when a patch would change nothing. */

const deployment = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } } } };

test('projectOnto shows the fields a merge patch names, in its shape, null where absent', () => {
	expect(projectOnto(deployment, { spec: { replicas: 5, paused: true }, metadata: { labels: { tier: 'x' } } })).toEqual({ spec: { replicas: 3, paused: null }, metadata: { labels: { tier: null } } });
	expect(projectOnto(deployment, { spec: { template: { spec: { containers: [] } } } })).toEqual({ spec: { template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } } } });
	expect(projectOnto(deployment, { $patch: 'replace', spec: { replicas: 1 } })).toEqual({ spec: { replicas: 3 } });
});

test('valuesAtPaths reads each JSON pointer (escaped keys, array indices, "-" and from)', () => {
	const obj = { metadata: { annotations: { 'a/b': '1' } }, spec: { list: [10, 20] } };
	expect(valuesAtPaths(obj, [{ path: '/metadata/annotations/a~1b' }, { path: '/spec/list/1' }, { path: '/spec/list/-' }, { path: '/spec/missing' }, { path: '/spec/x', from: '/spec/list/0' }])).toEqual({
		'/metadata/annotations/a~1b': '1',
		'/spec/list/1': 20,
		'/spec/list/-': [10, 20],
		'/spec/missing': null,
		'/spec/list/0': 10,
		'/spec/x': null,
	});
});

test('mergePatchIsNoop agrees with RFC 7386 merge (the sandbox\'s independent implementation) on random documents', () => {
	const key = fc.constantFrom('a', 'b', 'c', 'replicas');
	const leaf = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', 'y'), fc.boolean());
	const { doc } = fc.letrec((tie) => ({
		doc: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('doc'), fc.array(leaf, { maxLength: 2 })), { maxKeys: 3 }),
	}));
	const { patch } = fc.letrec((tie) => ({
		patch: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, fc.constant(null), tie('patch'), fc.array(leaf, { maxLength: 2 })), { maxKeys: 3 }),
	}));
	fc.assert(
		fc.property(doc, patch, (d, p) => mergePatchIsNoop(d, p) === deepEqual(mergePatch(d, p), d)),
		{ numRuns: 2000 },
	);
	// Patching a document with its own content never changes it.
	fc.assert(fc.property(doc, (d) => mergePatchIsNoop(d, d)), { numRuns: 500 });
});

test('strategic merge patches without lists or directives mean the same as merge patches', () => {
	expect(isPlainMergePatch({ spec: { replicas: 2, selector: { matchLabels: { a: 'b' } } } })).toBe(true);
	expect(isPlainMergePatch({ spec: { template: { spec: { containers: [{ name: 'x' }] } } } })).toBe(false);
	expect(isPlainMergePatch({ metadata: { $patch: 'replace' } })).toBe(false);
});
