import { runDevBuilt } from '../harness/built';

/**
 * `npm run demo`, the README's main job, runs its three scenarios to the end
 * (`--once`: without it the demo keeps n8n open until Ctrl-C).
 */
test('the demo runs the three shipped workflows in a real n8n and says what each loop decided', () => {
	const result = runDevBuilt('test/sandbox/demo.js', ['--once'], {}, 900_000);
	expect(result.stderr).toBe('');
	expect(result.status).toBe(0);
	const out = result.stdout;
	expect(out).toMatch(/workflows imported and published/);
	expect(out).toMatch(/1\. Predictive pre-scaling[\s\S]*Policy Gate: apply[\s\S]*minReplicas \d+ -> \d+[\s\S]*second run: Policy Gate: hold \(decided by cooldown\)/);
	expect(out).toMatch(/3\. Alertmanager-driven failover[\s\S]*us-east kept its traffic, recorded as a failure[\s\S]*failover us-east -> us-west[\s\S]*ready before us-east was drained[\s\S]*0 of them acted[\s\S]*us-east serves again/);
	expect(out).toMatch(/2\. Canary rollback[\s\S]*canary weight now 0, canary replicas 0[\s\S]*search canary \(no traffic\): Policy Gate: hold/);
}, 900_000);
