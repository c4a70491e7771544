import * as fs from 'node:fs';

import { UsageError, parseArgs } from '../args';
import type { CliCommand, CliIO } from '../command';
import { parseTime } from '../../prometheus';
import { runPolicyCheck } from '../../policy';

const options = {
	policy: { description: 'policy file (YAML or JSON)', valueName: 'file' },
	proposal: { description: 'proposal file (JSON or YAML)', valueName: 'file' },
	state: { description: 'state file: lastActionAt, consecutiveErrors, ... (optional)', valueName: 'file' },
	now: { description: 'evaluate as of this time (default now; RFC 3339 or unix seconds)', valueName: 'time' },
	json: { flag: true, description: 'print the verdict as JSON (the only output format)' },
};

function readFile(path: string, what: string): string {
	try {
		return fs.readFileSync(path, 'utf8');
	} catch (error) {
		throw new Error(`Cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
	}
}

/**
 * `kube-ops policy check`: the same gate the Policy Gate node runs, for a
 * team's own CI. Exit 0 whatever the decision (assert on it with jq), 2 when
 * the policy itself is invalid.
 */
export const policyCommand: CliCommand = {
	name: 'policy',
	summary: 'Check a proposal against a policy and print the verdict (the Policy Gate node, offline).',
	usage: 'policy check --policy <file> --proposal <file> [--state <file>] [--now <t>] --json',
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		const args = parseArgs(argv, options);
		if (args.positionals[0] !== 'check' || args.positionals.length !== 1) throw new UsageError('the only subcommand is "check"');
		if (!args.values.policy) throw new UsageError('--policy is required');
		if (!args.values.proposal) throw new UsageError('--proposal is required');
		const now = args.values.now ? parseTime(args.values.now, io.now(), '--now') : io.now();
		const result = runPolicyCheck({
			policyText: readFile(args.values.policy, 'policy'),
			proposalText: readFile(args.values.proposal, 'proposal'),
			stateText: args.values.state ? readFile(args.values.state, 'state') : undefined,
			now: new Date(now * 1000),
		});
		io.stdout(result.json);
		if (result.exitCode !== 0) io.stderr(`kube-ops policy: the policy is invalid: ${result.verdict.reason}\n`);
		return result.exitCode;
	},
};
