import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INodeExecutionData } from 'n8n-workflow';

import { Forecast } from '../../nodes/Forecast/Forecast.node';
import { forecast, replicasFromForecast } from '../../src/forecast';
import { evaluate } from '../../src/policy';
import { closeN8n, getBinaryBuffer, runNode } from '../harness/n8n';
import { nycTaxi } from '../unit/forecast/fixtures';

/** The Forecast node inside n8n's own executor, on the real NYC taxi series shaped as Prometheus Query items. */

afterAll(() => closeN8n());

const taxi = nycTaxi();
const DAYS_14 = 14 * 48;
type Pair = [number, number | null];

/** A Prometheus Query range item over `count` points of the taxi series ending at `end` (exclusive). */
function promItem(end: number, count: number, metric: Record<string, string> = { namespace: 'shop', deployment: 'taxi' }, extra: Record<string, unknown> = {}) {
	const values: Pair[] = [];
	for (let i = end - count; i < end; i++) values.push([taxi.t[i], taxi.v[i]]);
	return {
		json: {
			query: 'sum by (namespace, deployment) (rate(passengers[5m]))',
			metric,
			values,
			start: values[0][0],
			end: values[values.length - 1][0],
			step: 1800,
			points: values.length,
			gaps: 0,
			warnings: [],
			...extra,
		},
	};
}

const replay = { options: { decisionTime: 'lastPoint' } };

function run(parameters: Record<string, unknown>, input: INodeExecutionData[], extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({ node: Forecast, parameters: { ...replay, ...parameters } as never, input, ...extra });
}

interface Output {
	metric?: Record<string, string>;
	values?: unknown;
	forecast: {
		kind: string;
		model: string | null;
		reason?: string;
		seasons: number[];
		intervalSeconds: number;
		horizonSteps: number;
		points: Array<{ t: string; mean: number; q: Record<string, number> }>;
		backtest: { mape: number; mase: number; origins: number } | null;
	};
	noForecast?: string;
	recommendation: { kind: string; replicas?: number; demand?: number; quantile?: number; from?: string; to?: string; reason?: string };
	proposal?: Record<string, unknown> & { proposed: { replicas: number }; current: { replicas: number } };
	error?: string;
}

test('forecasts each Prometheus series, scores the backtest and recommends replicas exactly as the engine does', async () => {
	const input = [promItem(DAYS_14 + 500, DAYS_14), promItem(DAYS_14 + 2000, DAYS_14, { namespace: 'shop', deployment: 'taxi-b' })];
	const { outputs, error, taskData } = await run(
		// At 30-minute steps a 15-minute window would lie inside the last observed step: one hour reaches two forecast points.
		{ horizon: '4h', perPodCapacity: 2000, headroom: 0.2, podStartup: '90s', runInterval: '1h', replicaQuantile: 0.9, minReplicas: 2, maxReplicas: 0 },
		input,
	);
	expect(error).toBeUndefined();
	expect(taskData?.hints ?? []).toEqual([]);
	const items = outputs[0];
	expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	for (const [k, item] of items.entries()) {
		const json = item.json as unknown as Output;
		// The 672 pairs are not carried on; the labels and query summary are.
		expect(json.values).toBeUndefined();
		expect(json.metric).toEqual(input[k].json.metric);
		expect(item.json.step).toBe(1800);
		expect(json.forecast.kind).toBe('forecast');
		expect(json.forecast.intervalSeconds).toBe(1800);
		expect(json.forecast.horizonSteps).toBe(8);
		expect(json.forecast.points).toHaveLength(8);
		expect(json.forecast.seasons).toContain(48);
		const lastT = input[k].json.values[DAYS_14 - 1][0] as number;
		expect(json.forecast.points[0].t).toBe(new Date((lastT + 1800) * 1000).toISOString());
		for (const p of json.forecast.points) {
			expect(Object.keys(p.q)).toEqual(['0.5', '0.9', '0.99']);
			expect(p.q['0.5']).toBeLessThanOrEqual(p.q['0.9']);
			expect(p.q['0.9']).toBeLessThanOrEqual(p.q['0.99']);
		}
		expect(json.forecast.backtest?.origins).toBeGreaterThanOrEqual(1);
		expect(json.forecast.backtest?.mase).toBeGreaterThan(0);

		const series = { t: input[k].json.values.map(([t]) => t), v: input[k].json.values.map(([, v]) => v) };
		const engine = forecast(series, { horizon: 8, quantiles: [0.5, 0.9, 0.99] });
		expect(engine.kind).toBe('forecast');
		expect(json.forecast.model).toBe(engine.kind === 'forecast' ? engine.model : null);
		const expected = replicasFromForecast(engine, { perPodCapacity: 2000, headroom: 0.2, leadSeconds: 90, windowSeconds: 3600, quantile: 0.9, minReplicas: 2 });
		expect(expected.kind).toBe('replicas');
		if (expected.kind !== 'replicas') return;
		expect(json.recommendation).toEqual({
			kind: 'replicas',
			replicas: expected.replicas,
			demand: expected.demand,
			quantile: 0.9,
			from: new Date((lastT + 90) * 1000).toISOString(),
			to: new Date((lastT + 3690) * 1000).toISOString(),
			clamped: expected.clamped,
			perPodCapacity: 2000,
			headroom: 0.2,
		});
		expect(json.recommendation.replicas).toBe(Math.max(2, Math.ceil((expected.demand / 2000) * 1.2 - 1e-9)));
	}
});

test('Extra Lead moves the floor\'s window past the pod start-up, as kube-ops simulate --tune replays it', async () => {
	const input = [promItem(DAYS_14 + 500, DAYS_14)];
	const { outputs, error } = await run({ horizon: '4h', perPodCapacity: 2000, headroom: 0, podStartup: '90s', extraLead: '30m', runInterval: '1h', replicaQuantile: 0.8 }, input);
	expect(error).toBeUndefined();
	const json = outputs[0][0].json as unknown as Output;
	const lastT = input[0].json.values[DAYS_14 - 1][0] as number;
	const series = { t: input[0].json.values.map(([t]) => t), v: input[0].json.values.map(([, v]) => v) };
	const expected = replicasFromForecast(forecast(series, { horizon: 8, quantiles: [0.5, 0.8, 0.9, 0.99] }), { perPodCapacity: 2000, headroom: 0, leadSeconds: 1890, windowSeconds: 3600, quantile: 0.8 });
	expect(expected.kind).toBe('replicas');
	expect(json.recommendation).toMatchObject({
		kind: 'replicas',
		replicas: expected.kind === 'replicas' ? expected.replicas : -1,
		from: new Date((lastT + 1890) * 1000).toISOString(),
		to: new Date((lastT + 5490) * 1000).toISOString(),
	});
});

test('Align Window to Steps: a decision one start-up before a step boundary floors that step only; off a boundary, the ordinary window', async () => {
	const input = [promItem(DAYS_14 + 500, DAYS_14)];
	const lastT = input[0].json.values[DAYS_14 - 1][0] as number;
	const series = { t: input[0].json.values.map(([t]) => t), v: input[0].json.values.map(([, v]) => v) };
	const fit = forecast(series, { horizon: 8, quantiles: [0.5, 0.8, 0.9, 0.99] });
	// 30-minute steps, a 30-minute start-up: the decision (the last point) is one start-up before the next step.
	const aligned = await run({ horizon: '4h', perPodCapacity: 2000, headroom: 0, podStartup: '30m', runInterval: '30m', replicaQuantile: 0.8, alignToStep: true }, input);
	expect(aligned.error).toBeUndefined();
	const expected = replicasFromForecast(fit, { perPodCapacity: 2000, headroom: 0, leadSeconds: 1800, windowSeconds: 1800, quantile: 0.8, alignToStep: true });
	expect(expected).toMatchObject({ kind: 'replicas', aligned: true });
	expect((aligned.outputs[0][0].json as unknown as Output).recommendation).toMatchObject({
		kind: 'replicas',
		replicas: expected.kind === 'replicas' ? expected.replicas : -1,
		from: new Date((lastT + 1800) * 1000).toISOString(),
		to: new Date((lastT + 3600) * 1000).toISOString(),
		aligned: true,
	});
	// A 90 s start-up puts the decision 28.5 minutes off the boundary: the ordinary [now + 90 s, + 30 min] window.
	const off = await run({ horizon: '4h', perPodCapacity: 2000, headroom: 0, podStartup: '90s', runInterval: '30m', replicaQuantile: 0.8, alignToStep: true }, input);
	expect((off.outputs[0][0].json as unknown as Output).recommendation).toMatchObject({ from: new Date((lastT + 90) * 1000).toISOString(), to: new Date((lastT + 1890) * 1000).toISOString(), aligned: false });
	// An expression that yields the string "true" is refused by name, not read as off.
	const text = await run({ horizon: '4h', perPodCapacity: 2000, runInterval: '30m', alignToStep: 'true' }, input);
	expect(String(text.error?.message)).toMatch(/Align Window to Steps must be true or false, got "true"/);
});

test('the replica quantile is always forecast, even when not asked for in Quantiles', async () => {
	const { outputs } = await run({ horizon: '2h', quantiles: '0.5', perPodCapacity: 1000, replicaQuantile: 0.95, runInterval: '1h' }, [promItem(DAYS_14, DAYS_14)]);
	const json = outputs[0][0].json as unknown as Output;
	expect(Object.keys(json.forecast.points[0].q)).toEqual(['0.5', '0.95']);
	expect(json.recommendation).toMatchObject({ kind: 'replicas', quantile: 0.95 });
});

describe('series that cannot carry a forecast give a reason, never 0 replicas', () => {
	const t = (i: number) => 1_700_000_000 + 300 * i;
	const cases: Array<[string, Pair[], RegExp]> = [
		['empty', [], /^no data: the series is empty/],
		['constant', Array.from({ length: 600 }, (_, i): Pair => [t(i), 42]), /^series is constant at 42 over 600 points/],
		['too short', Array.from({ length: 40 }, (_, i): Pair => [t(i), 100 + (i % 7)]), /^history too short: 40 points, need at least/],
		['all gaps', Array.from({ length: 50 }, (_, i): Pair => [t(i), null]), /^no data: all 50 values are missing/],
	];

	test.each(cases)('%s', async (_name, values, reason) => {
		const { outputs, error, taskData } = await run({ horizon: '1h', perPodCapacity: 10, minReplicas: 0 }, [{ json: { metric: { deployment: 'web' }, values } }]);
		expect(error).toBeUndefined();
		const json = outputs[0][0].json as unknown as Output;
		expect(outputs[0][0].pairedItem).toEqual({ item: 0 });
		expect(json.noForecast).toMatch(reason);
		expect(json.forecast).toMatchObject({ kind: 'no-forecast', model: null, points: [] });
		expect(json.forecast.reason).toBe(json.noForecast);
		expect(json.recommendation).toEqual({ kind: 'no-recommendation', reason: json.noForecast });
		expect(json.recommendation.replicas).toBeUndefined();
		expect(taskData?.hints?.[0]?.message).toMatch(/^No forecast for 1 of 1 series, so no recommendation \(never 0 replicas\): item 0: /);
	});
});

test('a history that stopped long before the decision time gets a forecast but no recommendation', async () => {
	// Decision time "now" (the default) is years after the taxi data ends.
	const { outputs } = await run({ horizon: '4h', perPodCapacity: 2000, options: {} }, [promItem(DAYS_14, DAYS_14)]);
	const json = outputs[0][0].json as unknown as Output;
	expect(json.forecast.kind).toBe('forecast');
	expect(json.recommendation.kind).toBe('no-recommendation');
	expect(json.recommendation.reason).toMatch(/^stale data: the newest point is from 2014-07-14T23:30:00.000Z, \d+ min before the decision time/);
});

test('a horizon shorter than start-up plus run interval explains what to forecast', async () => {
	const { outputs } = await run({ horizon: '30m', perPodCapacity: 2000, podStartup: '5m', runInterval: '1h' }, [promItem(DAYS_14, DAYS_14)]);
	const json = outputs[0][0].json as unknown as Output;
	expect(json.forecast.kind).toBe('forecast');
	expect(json.recommendation).toEqual({ kind: 'no-recommendation', reason: expect.stringMatching(/^forecast ends too early: .* forecast at least 3 steps$/) });
});

test('without Per-Pod Capacity the node forecasts only', async () => {
	const { outputs } = await run({ horizon: '1h' }, [promItem(DAYS_14, DAYS_14)]);
	const json = outputs[0][0].json as unknown as Output;
	expect(json.forecast.kind).toBe('forecast');
	expect(json.recommendation).toEqual({ kind: 'no-recommendation', reason: 'Per-Pod Capacity is not set, so there is no replica recommendation' });
	expect(json.proposal).toBeUndefined();
});

test('custom seasons as durations, raw Prometheus API values (strings, "NaN") and a nested field', async () => {
	const values = promItem(DAYS_14, DAYS_14).json.values.map(([t, v], i): [number, string] => [t, i === 100 ? 'NaN' : String(v)]);
	const { outputs, error } = await run({ horizon: '3', valuesField: 'data.result', seasonality: 'custom', seasons: '1d' }, [
		{ json: { data: { result: values, resultType: 'matrix' } } },
	]);
	expect(error).toBeUndefined();
	const json = outputs[0][0].json as unknown as Output & { data: Record<string, unknown> };
	expect(json.forecast.seasons).toEqual([48]);
	expect(json.forecast.points).toHaveLength(3);
	expect(json.data).toEqual({ resultType: 'matrix' });
	expect((json.forecast as unknown as { history: { gaps: number } }).history.gaps).toBe(1);
});

describe('malformed input names the item and the field', () => {
	const good = () => promItem(DAYS_14, DAYS_14);
	const cases: Array<[string, Record<string, unknown>, RegExp, RegExp]> = [
		['missing field', { metric: {}, value: [1, '2'] }, /^Item 1 has no field "values"$/, /instant query/],
		['upstream error', { error: 'Prometheus rejected the query' }, /^Item 1 has no field "values"$/, /earlier node: Prometheus rejected the query/],
		['combined output', { series: [{ values: [] }] }, /^Item 1 has no field "values"$/, /One Item per Series/],
		['not a list', { values: { a: 1 } }, /^Item 1: field "values" is an object, not a list of \[timestamp, value\] pairs$/, /Values Field/],
		['not pairs', { values: [[1700000000, 1], 5] }, /^Item 1: values\[1\] is not a \[timestamp, value\] pair \(got 5\)$/, /two-element list/],
		['non-numeric value', { values: [[1700000000, 1], [1700000300, 'lots']] }, /^Item 1: values\[1\]\[1\] "lots" is not a number$/, /gaps/],
		['bad timestamp', { values: [[true, 1]] }, /^Item 1: values\[0\]\[0\] true is not a timestamp$/, /unix seconds/],
	];

	test.each(cases)('%s: stops the node', async (_name, json, message, description) => {
		const { error, outputs } = await run({ horizon: '1h' }, [good(), { json: json as never }]);
		expect(outputs[0] ?? []).toHaveLength(0);
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(description);
	});

	test('with Continue On Fail the bad item becomes an error item, paired, and the others are forecast', async () => {
		const { error, outputs } = await run({ horizon: '1h' }, [good(), { json: { metric: { deployment: 'x' }, values: 'soon' } }, good()], { continueOnFail: true });
		expect(error).toBeUndefined();
		const items = outputs[0];
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[1].json).toEqual({ metric: { deployment: 'x' }, error: 'Item 1: field "values" is a string, not a list of [timestamp, value] pairs' });
		expect((items[0].json as unknown as Output).forecast.kind).toBe('forecast');
		expect((items[2].json as unknown as Output).forecast.kind).toBe('forecast');
	});

	test('a bad parameter says which', async () => {
		const { error } = await run({ horizon: 'soon' }, [good()]);
		expect(error?.message).toBe('Item 0: Horizon: "soon" is not a duration like 90s, 15m, 1h or 1d');
		const quantiles = await run({ horizon: '1h', quantiles: '0.5,90' }, [good()]);
		expect(quantiles.error?.message).toBe('Item 0: Quantiles: "90" is not a level strictly between 0 and 1 (e.g. 0.5,0.9,0.99)');
	});
});

describe('Policy Gate proposal', () => {
	const policy = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'policy', 'scaling-policy.yaml'), 'utf8');
	const proposalParameters = {
		horizon: '4h',
		perPodCapacity: 2000,
		runInterval: '1h',
		minReplicas: 1,
		buildProposal: true,
		cluster: 'prod-eu-1',
		namespace: '={{ $json.metric?.namespace }}',
		kind: 'Deployment',
		targetName: '={{ $json.metric?.deployment }}',
		currentReplicas: '={{ $json.currentReplicas }}',
	};

	test('targets come from the series labels, current replicas from the item; the gate accepts the shape', async () => {
		const { outputs, error } = await run(proposalParameters, [promItem(DAYS_14 + 500, DAYS_14, { namespace: 'shop', deployment: 'checkout' }, { currentReplicas: 4 })]);
		expect(error).toBeUndefined();
		const json = outputs[0][0].json as unknown as Output;
		const proposal = json.proposal!;
		expect(Object.keys(proposal).sort()).toEqual(['action', 'current', 'evidence', 'proposed', 'rationale', 'source', 'target']);
		expect(proposal).toMatchObject({
			action: 'scale',
			source: 'forecast',
			target: { cluster: 'prod-eu-1', namespace: 'shop', kind: 'Deployment', name: 'checkout' },
			current: { replicas: 4 },
			proposed: { replicas: json.recommendation.replicas },
		});
		const evidence = proposal.evidence as { backtest: { mape: number }; forecast: Record<string, unknown> };
		// The gate reads MAPE as a fraction; the forecast reports it in percent.
		expect(evidence.backtest.mape).toBeCloseTo((json.forecast.backtest!.mape as number) / 100, 12);
		expect(evidence.forecast).toMatchObject({ model: json.forecast.model, quantile: 0.9, demand: json.recommendation.demand, perPodCapacity: 2000 });
		expect(proposal.rationale).toMatch(/^p90 demand \d+/);

		const verdict = evaluate(proposal, policy, { consecutiveErrors: 0 }, new Date('2025-03-10T12:00:00Z'));
		expect(verdict.checks.filter((c) => c.rule.startsWith('input.')).every((c) => c.passed)).toBe(true);
		expect(verdict.decision).not.toBe('reject');
	});

	test('no forecast proposes the current count, and the gate holds it', async () => {
		const { outputs } = await run(proposalParameters, [{ json: { metric: { namespace: 'shop', deployment: 'checkout' }, currentReplicas: 6, values: [] } }]);
		const proposal = (outputs[0][0].json as unknown as Output).proposal!;
		expect(proposal).toMatchObject({ current: { replicas: 6 }, proposed: { replicas: 6 }, evidence: { noRecommendation: 'no data: the series is empty' } });
		const verdict = evaluate(proposal, policy, { consecutiveErrors: 0 }, new Date('2025-03-10T12:00:00Z'));
		expect(verdict.decision).toBe('hold');
		expect(verdict.value).toBe(6);
	});

	test('an empty target or current replicas for an item is an error naming it', async () => {
		const { error } = await run(proposalParameters, [promItem(DAYS_14, DAYS_14, { namespace: 'shop' }, { currentReplicas: 3 })]);
		expect(error?.message).toBe('Item 0: the proposal needs Name, and it is empty for this item (check the expression)');
		const noCurrent = await run(proposalParameters, [promItem(DAYS_14, DAYS_14)]);
		expect(noCurrent.error?.message).toBe('Item 0: the proposal needs Current Replicas, and it is empty for this item');
		const noLabels = await run(proposalParameters, [{ json: { values: [], currentReplicas: 2 } }]);
		expect(noLabels.error?.message).toBe('Item 0: the proposal needs Namespace, and it is empty for this item (check the expression)');
		const noCapacity = await run({ ...proposalParameters, perPodCapacity: 0 }, [promItem(DAYS_14, DAYS_14, undefined, { currentReplicas: 3 })]);
		expect(noCapacity.error?.message).toBe('Item 0: Policy Gate Proposal needs Per-Pod Capacity: without it there is no replica count to propose');
	});
});

describe('chart', () => {
	test('SVG: history, forecast band, now marker and capacity line, as binary "chart"', async () => {
		const { outputs, error } = await run({ horizon: '4h', perPodCapacity: 2000, runInterval: '1h', chart: 'svg', chartBand: 'p10-p90' }, [promItem(DAYS_14, DAYS_14)]);
		expect(error).toBeUndefined();
		const item = outputs[0][0];
		expect(item.binary?.chart).toMatchObject({ mimeType: 'image/svg+xml', fileName: 'forecast-taxi.svg', fileExtension: 'svg' });
		const svg = (await getBinaryBuffer(item.binary!.chart)).toString('utf8');
		expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="360"/);
		expect(svg).toContain('<polygon');
		expect(svg).toContain('>p10-p90<');
		expect(svg).toContain('>p50 forecast<');
		expect(svg).toContain('>now<');
		const json = item.json as unknown as Output;
		expect(svg).toContain(`>capacity of ${json.recommendation.replicas} pods<`);
		expect(svg).toContain('{deployment=&quot;taxi&quot;, namespace=&quot;shop&quot;}');
		// The chart's band quantiles are computed for the chart only.
		expect(Object.keys(json.forecast.points[0].q)).toEqual(['0.5', '0.9', '0.99']);
	});

	test('PNG in filesystem binary mode: a valid image, 2x for sharp chat previews', async () => {
		const { outputs, error } = await run({ horizon: '4h', chart: 'png', chartBand: 'p50-p99', binaryProperty: 'image', chartTitle: 'taxi passengers' }, [promItem(DAYS_14, DAYS_14)], {
			binaryDataMode: 'filesystem',
		});
		expect(error).toBeUndefined();
		const binary = outputs[0][0].binary!.image;
		expect(binary).toMatchObject({ mimeType: 'image/png', fileName: 'forecast-taxi.png' });
		const png = await getBinaryBuffer(binary);
		expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		expect(png.toString('ascii', 12, 16)).toBe('IHDR');
		expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1600, 720]);
	});

	test('a series without a forecast still gets a chart of its history', async () => {
		const t = (i: number) => 1_700_000_000 + 300 * i;
		const values = Array.from({ length: 30 }, (_, i): Pair => [t(i), 100 + i]);
		const { outputs } = await run({ horizon: '1h', chart: 'svg' }, [{ json: { values } }]);
		const svg = (await getBinaryBuffer(outputs[0][0].binary!.chart)).toString('utf8');
		expect(svg).toMatch(/no forecast: history too short/);
		expect(svg).not.toContain('<polygon');
	});
});
