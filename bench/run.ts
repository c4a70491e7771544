/**
 * `npm run bench`: every benchmark, figures on stdout and kept under
 * bench/results/. Arguments pass through (e.g. --only m4, --only simulate, --only loops, --no-prophet).
 */
import { runForecastBenchmarks } from './forecast';
import { runLoopsBenchmarks } from './loops';
import { runSimulateBenchmarks } from './simulate';

async function main(args: string[]): Promise<void> {
	const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
	// A forecast run rewrites forecast.{json,md} with the sections it ran, so it must not run for --only simulate.
	if (only !== 'simulate' && only !== 'loops') await runForecastBenchmarks(args);
	if (!only || only === 'simulate') await runSimulateBenchmarks(args);
	// Starts n8n in queue mode with the whole ops stack (about 10 minutes here).
	if (!only || only === 'loops') await runLoopsBenchmarks(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
