import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeConnectionTypes } from 'n8n-workflow';

import { Forecast } from '../../nodes/Forecast/Forecast.node';
import { PolicyGate } from '../../nodes/PolicyGate/PolicyGate.node';
import { closeN8n, runWorkflow, sourceNode } from '../harness/n8n';
import { nycTaxi } from '../unit/forecast/fixtures';

/** The pre-scaling loop's middle: Forecast -> Policy Gate in one n8n workflow, on the real taxi series. */

afterAll(() => closeN8n());

const policy = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'policy', 'scaling-policy.yaml'), 'utf8');

test('a backtested forecast is applied within the policy; a series without a forecast is held at its current count', async () => {
	const taxi = nycTaxi();
	// 2014-07-01 00:00 .. 2014-07-15 00:00, as `kube-ops forecast --until "2014-07-15 00:00:00"` reads it.
	const values = taxi.t.slice(0, 673).map((t, i) => [t, taxi.v[i]]);
	const main = (node: string) => ({ main: [[{ node, type: NodeConnectionTypes.Main, index: 0 }]] });
	const result = await runWorkflow({
		nodeTypes: [Forecast, PolicyGate],
		workflow: {
			nodes: [
				sourceNode([
					{ json: { metric: { namespace: 'shop', deployment: 'checkout' }, currentReplicas: 4, values } },
					{ json: { metric: { namespace: 'shop', deployment: 'cart' }, currentReplicas: 5, values: [] } },
				]),
				{
					name: 'Forecast',
					type: 'n8n-nodes-kube-ops.forecast',
					parameters: {
						horizon: '4h',
						perPodCapacity: 2000,
						runInterval: '1h',
						buildProposal: true,
						cluster: 'prod-eu-1',
						currentReplicas: '={{ $json.currentReplicas }}',
						options: { decisionTime: 'lastPoint' },
					},
				},
				{ name: 'Policy Gate', type: 'n8n-nodes-kube-ops.policyGate', parameters: { policy, now: '2025-03-10T12:00:00Z' } },
			],
			connections: { Input: main('Forecast'), Forecast: main('Policy Gate') },
		},
	});
	expect(result.error).toBeUndefined();
	expect(result.executionOrder).toEqual(['Input', 'Forecast', 'Policy Gate']);

	const [applied] = result.output('Policy Gate', 0);
	expect(applied.pairedItem).toEqual({ item: 0 });
	const json = applied.json as { recommendation: { replicas: number }; proposal: { evidence: { backtest: { mape: number } } }; verdict: { decision: string; value: number; checks: Array<{ rule: string; passed: boolean; measured: unknown }> } };
	// The floor the forecast recommends (it depends on the model the backtest picks) is what the gate applies:
	// above the current 4, within the policy's step.
	expect(json.recommendation.replicas).toBeGreaterThan(4);
	expect(json.recommendation.replicas).toBeLessThanOrEqual(8);
	expect(json.verdict).toMatchObject({ decision: 'apply', value: json.recommendation.replicas });
	const accuracy = json.verdict.checks.find((c) => c.rule === 'accuracyGate');
	expect(accuracy?.passed).toBe(true);
	expect(accuracy?.measured).toBeCloseTo(json.proposal.evidence.backtest.mape, 6);
	expect(json.proposal.evidence.backtest.mape).toBeGreaterThan(0.05);
	expect(json.proposal.evidence.backtest.mape).toBeLessThan(0.15);

	expect(result.output('Policy Gate', 1)).toHaveLength(0);
	const [held] = result.output('Policy Gate', 2);
	expect(held.pairedItem).toEqual({ item: 1 });
	const heldJson = held.json as { noForecast: string; verdict: { decision: string; value: number; reason: string } };
	expect(heldJson.noForecast).toBe('no data: the series is empty');
	expect(heldJson.verdict.decision).toBe('hold');
	expect(heldJson.verdict.value).toBe(5);
});
