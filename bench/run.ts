/**
 * `npm run bench`: every benchmark, figures on stdout and kept under
 * bench/results/. Arguments pass through (e.g. --only m4, --only simulate, --only loops, --no-prophet);
 * `npm run bench -- m4 --train ... --test ...` scores the engine on M4 files you name.
 */
import { UsageError, usage } from '../src/cli/args';
import { runForecastBenchmarks } from './forecast';
import { runLoopsBenchmarks } from './loops';
import { benchCommand } from './m4Command';
import { runSimulateBenchmarks } from './simulate';

const HELP = `Usage: npm run bench -- [--only forecast|m4|ops|speed|simulate|loops] [--no-peers] [--no-prophet] [--series a,b] [--readme] [--workloads 10,50,100] [--docs]
       npm run bench -- m4 --train <Hourly-train.csv> --test <Hourly-test.csv> [--out <forecasts.csv>] [--json]

Without a command: every benchmark (an hour or more), figures on stdout, in bench/results/ and, for a full run,
in docs/benchmarks.md and docs/simulator.md.
  --only <part>    forecast (m4, ops and speed), m4, ops, speed, simulate or loops (n8n queue mode)
  --no-peers       leave out the JavaScript peer forecasters on M4
  --no-prophet     leave out Prophet (the slowest peer)
  --series a,b     simulate only these series (keys in bench/simulate.ts)
  --readme         simulate: rewrite the docs block from the last bench/results/simulate.json, without replaying
  --workloads a,b  loops: the pre-scaling sizes to run (default 10,50,100)
  --docs           loops: rewrite bench/results/loops.md and the docs block from the last loops.json, without running
m4: ${benchCommand.summary}`;

const VALUED = new Set(['--only', '--series', '--workloads']);
const FLAGS = new Set(['--no-peers', '--no-prophet', '--readme', '--docs']);
const PARTS = new Set(['forecast', 'm4', 'ops', 'speed', 'simulate', 'loops']);

/** A mistyped option must not start an hour of benchmarks that ignores it. */
function checkArgs(args: string[]): void {
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (FLAGS.has(arg)) continue;
		if (!VALUED.has(arg)) throw new UsageError(arg.startsWith('-') ? `unknown option ${arg}` : `unknown command "${arg}": the only command is m4; run a part with --only ${[...PARTS].join('|')}`);
		const value = args[++i];
		if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
		if (arg === '--only' && !PARTS.has(value)) throw new UsageError(`--only ${value}: expected one of ${[...PARTS].join(', ')}`);
	}
}

async function m4(args: string[]): Promise<number> {
	const io = { stdout: (text: string) => process.stdout.write(text), stderr: (text: string) => process.stderr.write(text), now: () => Date.now() / 1000 };
	const help = usage(benchCommand.usage, benchCommand.summary, benchCommand.options).replace('Usage: kube-ops bench', 'Usage: npm run bench --');
	if (args.includes('--help')) {
		io.stdout(`${help}\n`);
		return 0;
	}
	try {
		return await benchCommand.run(['m4', ...args], io);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		io.stderr(error instanceof UsageError ? `bench m4: ${message}\n\n${help}\n` : `bench m4: ${message}\n`);
		return error instanceof UsageError ? 2 : 1;
	}
}

async function main(args: string[]): Promise<number> {
	if (args[0] === 'm4') return m4(args.slice(1));
	if (args.includes('--help') || args.includes('-h')) {
		process.stdout.write(`${HELP}\n`);
		return 0;
	}
	try {
		checkArgs(args);
	} catch (error) {
		process.stderr.write(`bench: ${(error as Error).message}\n\n${HELP}\n`);
		return 2;
	}
	const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
	// A forecast run rewrites forecast.{json,md} with the sections it ran, so it must not run for --only simulate.
	if (only !== 'simulate' && only !== 'loops') await runForecastBenchmarks(args);
	if (!only || only === 'simulate') await runSimulateBenchmarks(args);
	// Starts n8n in queue mode with the whole ops stack (about 10 minutes here).
	if (!only || only === 'loops') await runLoopsBenchmarks(args);
	return 0;
}

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
