import { UsageError, parseArgs } from '../args';
import type { CliCommand, CliIO } from '../command';
import { parseTime } from '../../prometheus';
import { runPolicyCheck } from '../policyCheck';
import { readCliFile, readSigningKeyFile } from '../files';

const options = {
	policy: { description: 'policy file (YAML or JSON)', valueName: 'file' },
	proposal: { description: 'proposal file (JSON or YAML)', valueName: 'file' },
	state: { description: 'state file: lastActionAt, consecutiveErrors, ... (optional)', valueName: 'file' },
	now: { description: 'evaluate as of this time (default now; RFC 3339 or unix seconds)', valueName: 'time' },
	'signing-key-file': { description: 'sign the verdict with this key (the Kube-Ops Signing Key, 32+ characters); without it the verdict is advisory', valueName: 'file' },
	json: { flag: true, description: 'print the verdict as JSON (the only output format)' },
};

const UNSIGNED_NOTE =
	'kube-ops policy: the verdict is unsigned (advisory): every mutating path (Kubernetes Patch, Load Balancer Drain, kube-ops kube, kube-ops lb --item) refuses it; sign it with --signing-key-file <file> holding the Policy Gate\'s Kube-Ops Signing Key\n';

/**
 * `kube-ops policy check`: the same gate the Policy Gate node runs, for a
 * team's own CI. Exit 0 whatever the decision (assert on it with jq), 2 when
 * the policy itself is invalid. Signed with --signing-key-file, an apply
 * verdict can be carried out by `kube-ops kube` or `kube-ops lb --item`.
 */
export const policyCommand: CliCommand = {
	name: 'policy',
	summary: 'Check a proposal against a policy and print the verdict (the Policy Gate node, offline).',
	usage: 'policy check --policy <file> --proposal <file> [--state <file>] [--now <t>] [--signing-key-file <file>] --json',
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		const args = parseArgs(argv, options);
		if (args.positionals[0] !== 'check' || args.positionals.length !== 1) throw new UsageError('the only subcommand is "check"');
		if (!args.values.policy) throw new UsageError('--policy is required');
		if (!args.values.proposal) throw new UsageError('--proposal is required');
		const key = args.values['signing-key-file'];
		const signingKey = key === undefined ? undefined : readSigningKeyFile(key);
		const now = args.values.now ? parseTime(args.values.now, io.now(), '--now') : io.now();
		const result = runPolicyCheck({
			policyText: readCliFile(args.values.policy, 'policy'),
			proposalText: readCliFile(args.values.proposal, 'proposal'),
			stateText: args.values.state ? readCliFile(args.values.state, 'state') : undefined,
			now: new Date(now * 1000),
			signingKey,
		});
		io.stdout(result.json);
		if (result.exitCode !== 0) io.stderr(`kube-ops policy: the policy is invalid: ${result.verdict.reason}\n`);
		if (!signingKey) io.stderr(UNSIGNED_NOTE);
		return result.exitCode;
	},
};
