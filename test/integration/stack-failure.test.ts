import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { startOpsStack } from '../sandbox/stack';

/*
 * A component that fails to start: the error names it with the tail of what
 * it printed, and everything started alongside it (Prometheus, Alertmanager,
 * the in-process servers) is stopped, no child process left behind.
 */

function children(): string[] {
	const ps = spawnSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,args='], { encoding: 'utf8' });
	return ps.stdout
		.split('\n')
		.map((l) => l.trim())
		.filter((l) => l && !/\bps --ppid\b/.test(l));
}

test('a failing HAProxy fails the start with its name and output, and leaves no process behind', async () => {
	// An "haproxy" first on PATH that rejects every config, as a broken install would.
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-fake-haproxy-'));
	fs.writeFileSync(path.join(dir, 'haproxy'), '#!/bin/sh\necho "[ALERT] simulated: cannot parse config" >&2\nexit 1\n', { mode: 0o755 });
	const savedPath = process.env.PATH;
	process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
	const before = children();
	const lines: string[] = [];
	try {
		const failure = await startOpsStack({ now: Math.floor(Date.now() / 1000), log: (line) => lines.push(line) }).then(
			() => undefined,
			(error: Error) => error,
		);
		expect(failure?.message).toMatch(/^ops stack: haproxy failed to start: .*simulated: cannot parse config/s);
		// Prometheus and Alertmanager did start (in parallel) and were stopped again.
		expect(lines.join('\n')).toMatch(/prometheus up in/);
		expect(lines.join('\n')).toMatch(/alertmanager up in/);
		expect(children()).toEqual(before);
	} finally {
		process.env.PATH = savedPath;
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
