import { RateLimiter, parseRuntimeAddress, parseServersState, parseStat, waitForSessions } from '../../../src/loadbalancer';
import type { Clock } from '../../../src/loadbalancer';

test('Runtime API addresses: as the stats socket line writes them, and short', () => {
	expect(parseRuntimeAddress('ipv4@127.0.0.1:9999')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9999 });
	expect(parseRuntimeAddress('127.0.0.1:9999')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9999 });
	expect(parseRuntimeAddress('ipv6@[::1]:9999')).toEqual({ kind: 'tcp', host: '::1', port: 9999 });
	expect(parseRuntimeAddress('lb.internal:9999')).toEqual({ kind: 'tcp', host: 'lb.internal', port: 9999 });
	expect(parseRuntimeAddress('unix@/run/haproxy/admin.sock')).toEqual({ kind: 'unix', path: '/run/haproxy/admin.sock' });
	expect(parseRuntimeAddress(' /run/haproxy/admin.sock ')).toEqual({ kind: 'unix', path: '/run/haproxy/admin.sock' });
	expect(() => parseRuntimeAddress('')).toThrow(/it is empty/);
	expect(() => parseRuntimeAddress('127.0.0.1')).toThrow(/expected host:port/);
	expect(() => parseRuntimeAddress('127.0.0.1:99999')).toThrow(/port 99999 is out of range/);
	expect(() => parseRuntimeAddress('abns@haproxy')).toThrow(/unknown prefix "abns@"/);
});

// Captured from HAProxy 2.6.12 (Debian 12): us-east drained and down, us-west in maintenance.
const SERVERS_STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 be_app 1 us-east 127.0.0.1 0 8 1 1 1 8 2 0 6 0 0 0 - 19001 - 0 0 - - 0
3 be_app 2 us-west 127.0.0.1 0 1 0 50 0 1 0 0 0 0 0 0 - 19002 - 0 0 - - 0

`;
const STAT = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,
be_app,us-east,0,0,2,3,,9,0,0,,0,,0,0,0,0,DOWN,1,1,0,
be_app,spare,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,1,0,1,
be_app,BACKEND,0,0,2,3,999,9,0,0,0,0,,0,0,0,0,UP,1,1,1,

`;

test('show servers state and show stat parse into rows keyed by their headers', () => {
	const rows = parseServersState(SERVERS_STATE);
	expect(rows).toHaveLength(2);
	expect(rows[0]).toMatchObject({ be_name: 'be_app', srv_name: 'us-east', srv_op_state: '0', srv_admin_state: '8', srv_uweight: '1', srv_port: '19001' });
	expect(rows[1]).toMatchObject({ srv_name: 'us-west', srv_admin_state: '1', srv_uweight: '0', srv_iweight: '50' });
	const stat = parseStat(STAT);
	expect(stat.map((r) => [r.svname, r.scur, r.status, r.bck])).toEqual([
		['us-east', '2', 'DOWN', '0'],
		['spare', '0', 'no check', '1'],
		['BACKEND', '2', 'UP', '1'],
	]);
	expect(parseServersState("Can't find backend.\n")).toEqual([]);
});

function fakeClock(): Clock & { t: number } {
	const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
	return clock;
}

test('waitForSessions reports each change and stops at 0', async () => {
	const counts = [3, 3, 2, 2, 1, 0];
	const clock = fakeClock();
	const seen: number[] = [];
	const report = await waitForSessions(async () => counts.shift() ?? 0, { timeoutMs: 10_000, pollMs: 100, onProgress: (p) => seen.push(p.sessions) }, clock);
	expect(report).toEqual({
		completed: true,
		sessions: 0,
		waitedMs: 500,
		progress: [
			{ sessions: 3, elapsedMs: 0 },
			{ sessions: 2, elapsedMs: 200 },
			{ sessions: 1, elapsedMs: 400 },
			{ sessions: 0, elapsedMs: 500 },
		],
	});
	expect(seen).toEqual([3, 3, 2, 2, 1, 0]);
});

test('waitForSessions gives up at the deadline with the last count', async () => {
	const clock = fakeClock();
	const report = await waitForSessions(async () => 4, { timeoutMs: 1000, pollMs: 300 }, clock);
	expect(report).toEqual({ completed: false, sessions: 4, waitedMs: 1000, progress: [{ sessions: 4, elapsedMs: 0 }, { sessions: 4, elapsedMs: 1000 }] });
});

test('the Cloudflare rate limiter: 1,200 per 5 minutes, sliding, and blocked after a 429', () => {
	let now = 0;
	const limiter = new RateLimiter(1200, 300_000, () => now);
	for (let i = 0; i < 1200; i++) {
		expect(limiter.take()).toBe(0);
		now += 100;
	}
	// 1,200 requests in 120 s: the next one waits until the first leaves the window.
	expect(limiter.take()).toBe(180);
	now = 300_000;
	expect(limiter.take()).toBe(0);
	limiter.block(60);
	expect(limiter.take()).toBe(60);
	now += 60_000;
	expect(limiter.take()).toBe(0);
});
