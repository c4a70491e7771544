import type { GatedAdmission } from '../../../src/admission';
import { runOperation } from '../../../src/loadbalancer';
import { TEST_KEY } from '../../harness/signing';
import { gatedDrain, memoryLb, server } from './memoryLb';
import { failoverProposal, gatedItem } from './verdicts';

/*
 * The drift check, attacked: the live read is keyed by server name
 * (trafficStateOf), so two servers with one name could collapse into one,
 * and a server named "__proto__" could disappear; both would make a drift
 * invisible. Cloudflare's load-balancer level names servers by pool
 * name, and pool names are not unique (the provider itself says "N pools are
 * named"); HAProxy accepts "__proto__" as a server name.
 */

const now = new Date();




test('two live servers with one name: the one in maintenance must not hide behind the ready one', async () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now, 'failover', { backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' } }), now);
	const lb = memoryLb([server('us-east', 'ready'), server('us-west', 'maint'), server('us-west', 'ready')]);
	const claims: GatedAdmission[] = [];
	await expect(gatedDrain(lb.provider, item, claims, now)).rejects.toThrow(/us-west/);
	expect(claims).toHaveLength(0);
	expect(lb.calls).not.toContain('drain us-east');
});

test('a live server named "__proto__" is part of the state Status reports and the drain compares', async () => {
	const lb = memoryLb([server('us-east', 'ready'), server('us-west', 'ready'), server('__proto__', 'maint')]);
	const status = (await runOperation(lb.provider, { operation: 'status', backend: 'be_app' })) as { traffic: { servers: Record<string, string> } };
	expect(Object.hasOwn(status.traffic.servers, '__proto__')).toBe(true);
});

test('a change between the compare and the write (while the claim is written to the Lease) is not moved through', async () => {
	const item = gatedItem(failoverProposal('us-east', 'us-west', now, 'failover', { backend: 'be_app', servers: { 'us-east': 'ready', 'us-west': 'ready' } }), now);
	const servers = [server('us-east', 'ready'), server('us-west', 'ready')];
	const lb = memoryLb(servers);
	const claims: GatedAdmission[] = [];
	const racing = runOperation(lb.provider, {
		operation: 'drain',
		backend: 'be_app',
		server: 'us-east',
		gate: {
			item,
			requireVerdict: true,
			keys: [TEST_KEY],
			maxAgeSeconds: 300,
			now,
			// The claim is a Kubernetes write (retries, latency); meanwhile someone puts us-west in maintenance.
			claim: async (g) => {
				claims.push(g);
				servers[1] = server('us-west', 'maint');
			},
		},
	});
	await expect(racing).rejects.toThrow(/us-west was ready and is maint now/);
	expect(lb.calls).not.toContain('drain us-east');
});
