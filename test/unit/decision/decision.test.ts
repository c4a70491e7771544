import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildDecisionRecord, deriveOutcome, EVENT_MESSAGE_MAX_BYTES, toKubernetesEvent, truncateUtf8, type DecisionRecordInput } from '../../../src/decision';
import { evaluate, hashProposal } from '../../../src/policy';

const NOW = '2025-03-10T12:00:00Z';
const target = { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Deployment', name: 'checkout' };
const proposal = {
	action: 'scale',
	source: 'forecast',
	target,
	current: { replicas: 4 },
	proposed: { replicas: 40 },
	evidence: { backtest: { mape: 0.05, wape: 0.05 } },
};
const verdict = evaluate({ ...proposal, proposed: { replicas: 39 } }, { minReplicas: 2, maxReplicas: 50 }, {}, NOW);

function record(overrides: Partial<DecisionRecordInput> = {}): ReturnType<typeof buildDecisionRecord> {
	return buildDecisionRecord({
		time: NOW,
		loop: 'scaling',
		target,
		input: { query: 'sum(rate(http_requests_total{app="checkout"}[5m]))', window: '7d', forecast: { model: 'holt-winters', horizon: '30m', predicted: 5400, mape: 0.05 } },
		proposals: [{ ...proposal, proposed: { replicas: 39 } }],
		verdict,
		actions: [{ action: 'scale', status: 'succeeded', detail: 'replicas 4 → 8', at: NOW }],
		...overrides,
	});
}

describe('buildDecisionRecord', () => {
	it('builds one record per run with every part the issue asks for', () => {
		const built = record();
		expect(built).toMatchObject({
			time: '2025-03-10T12:00:00.000Z',
			loop: 'scaling',
			target,
			input: { window: '7d', forecast: { model: 'holt-winters' } },
			verdict: { decision: 'apply', value: 8 },
			actions: [{ action: 'scale', status: 'succeeded' }],
			outcome: 'applied',
		});
		expect(built.proposals[0]?.proposalHash).toBe(verdict.proposalHash);
		expect(built.id).toMatch(/^scaling-20250310t120000z-[0-9a-f]{10}$/);
		expect(JSON.parse(JSON.stringify(built))).toEqual(built);
	});

	it('derives a stable id from the content, and honours an explicit one', () => {
		expect(record().id).toBe(record().id);
		expect(record({ time: '2025-03-10T12:00:01Z' }).id).not.toBe(record().id);
		expect(record({ id: 'n8n-exec-4711' }).id).toBe('n8n-exec-4711');
		expect(() => record({ id: '' })).toThrow(TypeError);
		expect(() => record({ time: 'later' })).toThrow(TypeError);
	});

	it('keeps unreadable proposals as a marker instead of throwing', () => {
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		const built = record({ proposals: [cyclic] });
		expect(built.proposals[0]).toEqual({ proposal: { unreadable: '$.self contains a cycle' }, proposalHash: 'unhashable' });
		expect(hashProposal(cyclic)).toBe('unhashable');
	});

	it('derives the outcome from the verdict and the action results', () => {
		expect(deriveOutcome(null, 0, [])).toBe('no-proposal');
		expect(deriveOutcome(null, 1, [])).toBe('pending');
		expect(deriveOutcome('reject', 1, [])).toBe('rejected');
		expect(deriveOutcome('hold', 1, [])).toBe('held');
		expect(deriveOutcome('approve', 1, [])).toBe('awaiting-approval');
		expect(deriveOutcome('approve', 1, [{ action: 'scale', status: 'succeeded' }])).toBe('applied');
		expect(deriveOutcome('apply', 1, [])).toBe('pending');
		expect(deriveOutcome('apply', 1, [{ action: 'scale', status: 'dry-run' }])).toBe('dry-run');
		expect(deriveOutcome('apply', 1, [{ action: 'scale', status: 'succeeded' }, { action: 'annotate', status: 'failed', error: '403' }])).toBe('failed');
	});
});

describe('toKubernetesEvent', () => {
	it('produces a core/v1 Event on the target carrying the decision id', () => {
		const built = record();
		const event = toKubernetesEvent(built, { reportingInstance: 'n8n-prod' });
		expect(event).toMatchObject({
			apiVersion: 'v1',
			kind: 'Event',
			metadata: {
				namespace: 'shop',
				labels: { 'kube-ops/decision-id': built.id, 'kube-ops/loop': 'scaling', 'kube-ops/outcome': 'applied' },
				annotations: {
					'kube-ops/decision-id': built.id,
					'kube-ops/decision': 'apply',
					'kube-ops/proposal-hash': verdict.proposalHash,
					'kube-ops/verdict-hash': verdict.verdictHash,
					'kube-ops/cluster': 'prod-eu-1',
				},
			},
			involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', namespace: 'shop' },
			reason: 'ScaleApplied',
			type: 'Normal',
			action: 'scale',
			source: { component: 'kube-ops' },
			reportingComponent: 'kube-ops',
			reportingInstance: 'n8n-prod',
			firstTimestamp: '2025-03-10T12:00:00Z',
			lastTimestamp: '2025-03-10T12:00:00Z',
			count: 1,
		});
		expect(event.metadata.name).toMatch(/^checkout\.[0-9a-f]{16}$/);
		expect(event.message.startsWith(`[${built.id}] scaling Deployment/checkout in prod-eu-1: applied`)).toBe(true);
		expect(event.message).toContain('clamp.stepUp clamped 39 → 8');
		expect(event.message).toContain('actions: scale succeeded');
	});

	it('uses Warning for refusals, failures, approvals, traffic moves and rollbacks', () => {
		const warning = (overrides: Partial<DecisionRecordInput>): string => toKubernetesEvent(record(overrides)).type;
		const rejected = evaluate({ ...proposal, proposed: { replicas: -1 } }, { minReplicas: 1, maxReplicas: 5 }, {}, NOW);
		expect(warning({ verdict: rejected, actions: [] })).toBe('Warning');
		expect(warning({ actions: [{ action: 'scale', status: 'failed', error: 'conflict' }] })).toBe('Warning');
		const held = evaluate({ ...proposal, proposed: { replicas: 4 } }, { minReplicas: 1, maxReplicas: 5 }, {}, NOW);
		expect(warning({ verdict: held, actions: [] })).toBe('Normal');
		expect(toKubernetesEvent(record({ verdict: held, actions: [] })).reason).toBe('ScaleHeld');
		const canary = record({ loop: 'canary', target: { ...target, kind: 'Rollout' } });
		expect(toKubernetesEvent(canary)).toMatchObject({ type: 'Warning', reason: 'CanaryRolledBack', involvedObject: { apiVersion: 'argoproj.io/v1alpha1' } });
	});

	it('bounds the message to 1 KiB of UTF-8 and keeps the decision id', () => {
		const noisy = record({ actions: Array.from({ length: 50 }, (_, index) => ({ action: `step-${index}`, status: 'failed' as const, error: '🔥 ошибка '.repeat(20) })) });
		const event = toKubernetesEvent(noisy);
		expect(Buffer.byteLength(event.message, 'utf8')).toBeLessThanOrEqual(EVENT_MESSAGE_MAX_BYTES);
		expect(event.message.endsWith('…')).toBe(true);
		expect(event.message).toContain(noisy.id);
	});

	it('truncates on code point boundaries', () => {
		expect(truncateUtf8('abc', 3)).toBe('abc');
		expect(truncateUtf8('😀😀😀', 8)).toBe('😀…');
		expect(Buffer.byteLength(truncateUtf8('é'.repeat(600), 1024), 'utf8')).toBeLessThanOrEqual(1024);
	});
});

describe('property: events are always valid to POST', () => {
	const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
	const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
	const text = fc.string({ unit: 'binary', maxLength: 300 });

	it('keeps names, labels and message within Kubernetes limits for arbitrary records', () => {
		fc.assert(
			fc.property(
				fc.record({
					name: fc.oneof(text, fc.constantFrom('checkout', 'a'.repeat(253), '-.-', '..', 'UPPER_case.Name', '')),
					namespace: fc.oneof(text, fc.constant('shop')),
					kind: fc.oneof(text, fc.constant('Deployment')),
					cluster: text,
					loop: fc.constantFrom('scaling', 'failover', 'canary'),
					id: fc.option(fc.string({ minLength: 1, maxLength: 253, unit: 'grapheme-ascii' }).filter((value) => !/[\u0000-\u001f\u007f]/.test(value))),
					note: text,
					errors: fc.array(text, { maxLength: 8 }),
				}),
				({ name, namespace, kind, cluster, loop, id, note, errors }) => {
					const built = buildDecisionRecord({
						...(id === null ? {} : { id }),
						time: NOW,
						loop,
						target: { name, namespace, kind, cluster },
						input: { note },
						proposals: [note],
						verdict,
						actions: errors.map((error) => ({ action: 'scale', status: 'failed' as const, error })),
					});
					const event = toKubernetesEvent(built);
					assert.ok(Buffer.byteLength(event.message, 'utf8') <= EVENT_MESSAGE_MAX_BYTES);
					assert.match(event.metadata.name, DNS_SUBDOMAIN);
					assert.match(event.metadata.namespace, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
					for (const value of Object.values(event.metadata.labels)) assert.ok(value.length <= 63 && LABEL_VALUE.test(value), value);
					assert.equal(event.metadata.annotations['kube-ops/decision-id'], built.id);
					assert.ok(event.reason.length <= 128 && /^[A-Z][A-Za-z]+$/.test(event.reason));
				},
			),
			{ numRuns: 2000 },
		);
	});
});

describe('secrets never reach an Event or a record', () => {
	it('a password in a URL, a bearer token and a PEM block in the reason, note or action error are redacted', () => {
		const leaky = 'Cannot reach Prometheus at http://kube-ops:pw-in-url-7@prom:9090 (Authorization: Bearer tok-abcdef-123456)';
		const built = record({
			verdict: { ...verdict, reason: leaky },
			input: { note: leaky },
			actions: [{ action: 'scale', status: 'failed', error: `${leaky}\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----`, at: NOW }],
		});
		expect(JSON.stringify(built.actions)).not.toMatch(/pw-in-url-7|tok-abcdef-123456|MIIE/);
		const event = toKubernetesEvent(built);
		expect(event.message).not.toMatch(/pw-in-url-7|tok-abcdef-123456|MIIE/);
		expect(event.message).toContain('http://kube-ops:[redacted]@prom:9090');
	});
});
