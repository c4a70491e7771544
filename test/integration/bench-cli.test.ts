import { runDevBuilt } from '../harness/built';

/**
 * `npm run bench -- ...` once built: a mistyped argument must not start an
 * hour of benchmarks that ignores it. (The M4 scorer: cli-forecast.test.ts.)
 */

const bench = (...args: string[]) => runDevBuilt('bench/run.js', args);

test('--help lists the parts and the m4 command, and runs nothing', () => {
	for (const flag of ['--help', '-h']) {
		const help = bench(flag);
		expect(help.status).toBe(0);
		expect(help.stdout).toMatch(/^Usage: npm run bench -- \[--only forecast\|m4\|ops\|speed\|simulate\|loops\]/);
		expect(help.stdout).toContain('npm run bench -- m4 --train <Hourly-train.csv> --test <Hourly-test.csv>');
	}
	expect(bench('m4', '--help').stdout).toMatch(/^Usage: npm run bench -- m4 --train <Hourly-train.csv>/);
});

test.each([
	[['--olny', 'm4'], /^bench: unknown option --olny\n/],
	[['--only'], /^bench: --only needs a value\n/],
	[['--only', '--no-peers'], /^bench: --only needs a value\n/],
	[['--only', 'weather'], /^bench: --only weather: expected one of forecast, m4, ops, speed, simulate, loops\n/],
	[['simulate'], /^bench: unknown command "simulate": the only command is m4; run a part with --only forecast\|m4\|ops\|speed\|simulate\|loops\n/],
	[['--series'], /^bench: --series needs a value\n/],
])('%j is a usage error (exit 2) that shows the usage', (args, message) => {
	const result = bench(...args);
	expect(result.status).toBe(2);
	expect(result.stderr).toMatch(message);
	expect(result.stderr).toContain('Usage: npm run bench --');
	expect(result.stdout).toBe('');
});

test('m4 names a file it cannot read (exit 1)', () => {
	const result = bench('m4', '--train', '/nonexistent/Hourly-train.csv', '--test', '/nonexistent/Hourly-test.csv');
	expect(result.status).toBe(1);
	expect(result.stderr).toBe('bench m4: Cannot read the M4 training file /nonexistent/Hourly-train.csv: no such file\n');
});
