import * as fs from 'node:fs';

import { UsageError, parseArgs } from '../src/cli/args';
import type { CliCommand, CliIO } from '../src/cli/command';
import { readCliFile } from '../src/cli/files';
import { M4_HOURLY, runM4, writeM4Submission } from './m4';

const options = {
	train: { description: 'M4 Hourly-train.csv', valueName: 'file' },
	test: { description: 'M4 Hourly-test.csv', valueName: 'file' },
	out: { description: 'write the point forecasts in the M4 submission layout (id,F1..F48)', valueName: 'file' },
	json: { flag: true, description: 'print { series, mase, smape, seconds, failed }' },
};

/**
 * `npm run bench -- m4`: the engine on the M4 Hourly competition data, scored
 * with the official definitions (sMAPE in percent; MASE against the in-sample
 * seasonal naive error with m = 24), so anyone can check the published figure.
 */
export const benchCommand: CliCommand = {
	name: 'bench',
	summary: 'Score the forecast engine on the M4 Hourly data with the official MASE and sMAPE.',
	usage: 'bench m4 --train <Hourly-train.csv> --test <Hourly-test.csv> [--out <forecasts.csv>] --json',
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		const args = parseArgs(argv, options);
		if (args.positionals[0] !== 'm4' || args.positionals.length !== 1) throw new UsageError('the only benchmark is "m4"');
		if (!args.values.train) throw new UsageError('--train is required');
		if (!args.values.test) throw new UsageError('--test is required');
		const result = runM4(readCliFile(args.values.train, 'M4 training'), readCliFile(args.values.test, 'M4 test'));
		if (args.values.out) fs.writeFileSync(args.values.out, writeM4Submission(result.forecasts));
		if (result.failed > 0) io.stderr(`bench m4: no forecast for ${result.failed} series (left out of the means): ${result.failedIds.join(', ')}\n`);
		const { series, mase, smape, seconds, failed } = result;
		if (args.flags.has('json')) io.stdout(JSON.stringify({ series, mase, smape, seconds, failed }) + '\n');
		else {
			io.stdout(
				`M4 Hourly: ${series} series, h = ${M4_HOURLY.horizon}: MASE ${mase.toFixed(3)} (m = ${M4_HOURLY.season}), sMAPE ${smape.toFixed(2)}%, ${seconds.toFixed(1)} s, ${failed} failed\n`,
			);
		}
		return 0;
	},
};
