#!/usr/bin/env node
import { UsageError, usage } from './args';
import type { CliCommand, CliIO } from './command';
import { redact } from '../shared/redact';
import { forecastCommand } from './commands/forecast';
import { kubeCommand } from './commands/kube';
import { lbCommand } from './commands/lb';
import { policyCommand } from './commands/policy';
import { queryCommand } from './commands/query';
import { simulateCommand } from './commands/simulate';

export const commands: CliCommand[] = [queryCommand, policyCommand, forecastCommand, simulateCommand, lbCommand, kubeCommand];

function help(): string {
	return [
		'kube-ops: Kubernetes operations loops (predictive pre-scaling, failover, canary rollback) from the command line',
		'',
		'Commands:',
		...commands.map((c) => `  kube-ops ${c.usage}\n      ${c.summary}`),
		'',
		'Run kube-ops <command> --help for its options.',
	].join('\n');
}

/** Entry point, separate from process handling so tests can call it in-process. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
	const [name, ...rest] = argv;
	if (!name || name === '--help' || name === 'help') {
		io.stdout(help() + '\n');
		return name ? 0 : 2;
	}
	const command = commands.find((c) => c.name === name);
	if (!command) {
		io.stderr(`kube-ops: unknown command "${name}"\n\n${help()}\n`);
		return 2;
	}
	if (rest.includes('--help')) {
		io.stdout(usage(command.usage, command.summary, command.options) + '\n');
		return 0;
	}
	// Errors and logs leave the process: one redactor for them, as for node errors and Events.
	const safe: CliIO = { ...io, stderr: (text) => io.stderr(redact(text)) };
	try {
		return await command.run(rest, safe);
	} catch (error) {
		if (error instanceof UsageError) {
			safe.stderr(`kube-ops ${name}: ${error.message}\n\n${usage(command.usage, command.summary, command.options)}\n`);
			return 2;
		}
		safe.stderr(`kube-ops ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
		return 1;
	}
}

if (require.main === module) {
	const io: CliIO = {
		stdout: (text) => process.stdout.write(text),
		stderr: (text) => process.stderr.write(text),
		now: () => Date.now() / 1000,
	};
	runCli(process.argv.slice(2), io).then(
		(code) => {
			process.exitCode = code;
		},
		(error: unknown) => {
			process.stderr.write(redact(`kube-ops: ${String(error)}\n`));
			process.exitCode = 1;
		},
	);
}
