/**
 * `npm run bench`: every benchmark, figures on stdout and kept under
 * bench/results/. Arguments pass through (e.g. --only m4, --no-prophet).
 */
import { runForecastBenchmarks } from './forecast';

runForecastBenchmarks(process.argv.slice(2)).catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
