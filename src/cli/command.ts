import type { OptionSpec } from './args';

/** What a subcommand writes to; tests pass their own streams. */
export interface CliIO {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
	now: () => number; // unix seconds
}

export interface CliCommand {
	name: string;
	summary: string;
	usage: string;
	options: Record<string, OptionSpec>;
	/** Returns the process exit code. */
	run: (argv: string[], io: CliIO) => Promise<number>;
}
