/**
 * A deliberately small argument parser: `--name value`, `--name=value` and
 * boolean `--flag`. Unknown options are errors, so a typo such as `--rnage`
 * never silently runs a different query.
 */
export interface OptionSpec {
	/** Takes a value (default) or is a boolean flag. */
	flag?: boolean;
	description: string;
	valueName?: string;
}

export type ParsedArgs = { values: Record<string, string>; flags: Set<string>; positionals: string[] };

export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'UsageError';
	}
}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
	const values: Record<string, string> = {};
	const flags = new Set<string>();
	const positionals: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) {
			positionals.push(arg);
			continue;
		}
		const eq = arg.indexOf('=');
		const name = arg.slice(2, eq === -1 ? undefined : eq);
		const option = spec[name];
		if (!option) throw new UsageError(`Unknown option --${name}`);
		if (option.flag) {
			if (eq !== -1) throw new UsageError(`--${name} takes no value`);
			flags.add(name);
			continue;
		}
		const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
		if (value === undefined) throw new UsageError(`--${name} needs a value (${option.valueName ?? 'value'})`);
		values[name] = value;
	}
	return { values, flags, positionals };
}

export function usage(command: string, summary: string, spec: Record<string, OptionSpec>): string {
	const lines = [`Usage: kube-ops ${command}`, '', summary, '', 'Options:'];
	for (const [name, option] of Object.entries(spec)) {
		const left = option.flag ? `--${name}` : `--${name} <${option.valueName ?? 'value'}>`;
		lines.push(`  ${left.padEnd(28)} ${option.description}`);
	}
	return lines.join('\n');
}
