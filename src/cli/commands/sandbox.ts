import type { CliCommand, CliIO } from '../command';

// The sandbox option parser lives with the sandbox (runSandboxCli); this
// table only feeds `kube-ops sandbox --help`.
const options = {
	kubeconfig: { description: 'where to write the kubeconfig (bearer tokens; one context per cluster)', valueName: 'file' },
	port: { description: 'port of the first cluster, the next ones use p+1, ... (default: free ports)', valueName: 'p' },
	clusters: { description: 'one API server per cluster/region, e.g. us-east,us-west (default: sandbox)', valueName: 'a,b' },
	'pod-startup': { description: 'time a pod takes to become Ready, e.g. 2s, 500ms (default 1s)', valueName: 'duration' },
	namespace: { description: 'default namespace of the contexts', valueName: 'ns' },
	'no-seed': { flag: true, description: 'start empty (namespaces default and kube-system only)' },
	verbose: { flag: true, description: 'log every request' },
};

/** Extra hooks for embedding and tests; the command line never sets them. */
export interface SandboxCommandIO extends CliIO {
	signal?: AbortSignal;
	onReady?: (info: { kubeconfigPath: string; clusters: { name: string; url: string }[] }) => void;
}

/**
 * `kube-ops sandbox kube ...`: a local Kubernetes API (HTTPS, real REST
 * semantics, the demo shop seeded) to try the nodes and kubectl against.
 * Runs in the foreground until Ctrl-C.
 */
export const sandboxCommand: CliCommand = {
	name: 'sandbox',
	summary: 'Run a local Kubernetes API sandbox (HTTPS, seeded demo shop) for kubectl and the nodes; Ctrl-C stops it.',
	usage: 'sandbox kube --kubeconfig <file> [--port <p>] [--clusters us-east,us-west] [--pod-startup <duration>]',
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		// Loaded on demand: every other command starts without the sandbox's code.
		const { runSandboxCli } = await import('../../../test/sandbox/kube/cli');
		const hooks = io as SandboxCommandIO;
		return runSandboxCli(argv, { stdout: io.stdout, stderr: io.stderr, signal: hooks.signal, onReady: hooks.onReady });
	},
};
