import { runBuilt } from '../harness/built';

/** `npm run demo`, the README's main job, runs to the end on the local stack. */
test('the demo queries the real series and runs one pre-scaling pass against the Kubernetes sandbox', () => {
	const result = runBuilt('test/sandbox/demo.js', []);
	expect(result.stderr).toBe('');
	expect(result.status).toBe(0);
	const out = result.stdout;
	expect(out).toMatch(/Prometheus http:\/\/127\.0\.0\.1:\d+ up in [\d.]+ s with 619,020 backfilled samples/);
	expect(out).toMatch(/last 14d at step 1m: 20,161 points per series,\n.*fetched in 2 requests and stitched/);
	expect(out).toMatch(/-> value null \(a gap, not a zero\)/);
	expect(out).toMatch(/Prometheus rejected the query "rate\(taxi_passengers\[5m\)" \(bad_data: .*parse error/);
	expect(out).toMatch(/forecast: .*backtest MAPE [\d.]+ %/);
	expect(out).toMatch(/Policy Gate: (apply|approve|hold|reject) /);
	// Either the floor was raised and the Deployment became ready, or the gate held it and nothing changed.
	expect(out).toMatch(/HPA shop\/web \{"minReplicas":2,"maxReplicas":20\} -> \{"minReplicas":(\d+),"maxReplicas":20\}.*\n.*Deployment shop\/web: (\d+)\/\1 ready|nothing applied: only an apply verdict acts/);
});
