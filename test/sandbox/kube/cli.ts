import { startKubeSandboxes } from './sandbox';

export interface SandboxCliIO {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
	/** Stops the sandbox like SIGINT does; for embedding and tests. */
	signal?: AbortSignal;
	/** Called once the servers listen and the kubeconfig is written. */
	onReady?: (info: { kubeconfigPath: string; clusters: { name: string; url: string }[] }) => void;
}

const usage = `Usage: npm run sandbox -- --kubeconfig <file> [--port <p>] [--clusters a,b] [--pod-startup <duration>] [--no-seed] [--namespace <ns>] [--verbose]

Runs a local Kubernetes API (HTTPS, real REST semantics, the demo shop seeded) for kubectl and the
nodes, in the foreground until SIGINT/SIGTERM (Ctrl-C). A development tool: not in the npm package.
  --kubeconfig <file>       where to write the kubeconfig (bearer tokens; one context per cluster)
  --port <p>                port of the first cluster, the next ones use p+1, ... (default: free ports)
  --clusters a,b            one API server per cluster/region (default: sandbox)
  --pod-startup <duration>  time a pod takes to become Ready, e.g. 2s, 500ms (default 1s)
  --namespace <ns>          default namespace of the contexts
  --no-seed                 start empty (namespaces default and kube-system only)
  --verbose                 log every request`;

/** Parses 1500, 1500ms, 2s, 1m. */
export function parseDuration(text: string): number {
	const m = text.trim().match(/^(\d+(?:\.\d+)?)(ms|s|m)?$/);
	if (!m) throw new Error(`invalid duration "${text}" (examples: 500ms, 2s, 1m)`);
	const value = Number(m[1]);
	const unit = m[2] ?? 'ms';
	return Math.round(unit === 'm' ? value * 60_000 : unit === 's' ? value * 1000 : value);
}

function parse(argv: string[]): Record<string, string | true> {
	const out: Record<string, string | true> = {};
	const valued = new Set(['kubeconfig', 'port', 'clusters', 'pod-startup', 'namespace', 'token', 'limited-token', 'limited-namespaces']);
	const flags = new Set(['no-seed', 'verbose', 'help']);
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '-h') {
			out.help = true;
			continue;
		}
		if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
		const eq = arg.indexOf('=');
		const name = arg.slice(2, eq === -1 ? undefined : eq);
		if (flags.has(name)) {
			out[name] = true;
		} else if (valued.has(name)) {
			const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
			if (value === undefined) throw new Error(`--${name} needs a value`);
			out[name] = value;
		} else throw new Error(`unknown option --${name}`);
	}
	return out;
}

/**
 * `npm run sandbox -- ...` (the dev build of this file): starts the sandbox API servers, writes the kubeconfig
 * and stays in the foreground until SIGINT/SIGTERM (or io.signal). Returns
 * the exit code.
 */
export async function runSandboxCli(argv: string[], io: SandboxCliIO = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }): Promise<number> {
	const args = [...argv];
	// The words of the old `kube-ops sandbox kube` command are still accepted.
	if (args[0] === 'sandbox') args.shift();
	if (args[0] === 'kube') args.shift();
	let options: Record<string, string | true>;
	try {
		options = parse(args);
		if (options.help) {
			io.stdout(`${usage}\n`);
			return 0;
		}
		if (typeof options.kubeconfig !== 'string') throw new Error('--kubeconfig <file> is required');
		if (options.port !== undefined && !/^\d+$/.test(String(options.port))) throw new Error('--port must be a number');
	} catch (e) {
		io.stderr(`${(e as Error).message}\n\n${usage}\n`);
		return 2;
	}
	let podStartupMs: number | undefined;
	try {
		podStartupMs = typeof options['pod-startup'] === 'string' ? parseDuration(options['pod-startup']) : undefined;
	} catch (e) {
		io.stderr(`${(e as Error).message}\n`);
		return 2;
	}
	const clusters = typeof options.clusters === 'string' ? options.clusters.split(',') : ['sandbox'];
	const verbose = options.verbose === true;
	let sandboxes;
	try {
		sandboxes = await startKubeSandboxes({
			clusters,
			kubeconfigPath: options.kubeconfig as string,
			port: options.port ? Number(options.port) : 0,
			podStartupMs,
			seed: options['no-seed'] !== true,
			namespace: typeof options.namespace === 'string' ? options.namespace : undefined,
			tokens: {
				admin: typeof options.token === 'string' ? options.token : undefined,
				limited: typeof options['limited-token'] === 'string' ? options['limited-token'] : undefined,
				limitedNamespaces: typeof options['limited-namespaces'] === 'string' ? options['limited-namespaces'].split(',') : undefined,
			},
			log: (line) => {
				if (verbose || !/^(GET|POST|PUT|PATCH|DELETE) /.test(line)) io.stderr(`${line}\n`);
			},
		});
	} catch (e) {
		io.stderr(`could not start the sandbox: ${(e as Error).message}\n`);
		return 1;
	}
	for (const c of sandboxes.clusters) {
		io.stdout(`cluster ${c.clusterName}: ${c.url} (limited token: namespaces ${c.tokens.limitedNamespaces.join(',')})\n`);
	}
	io.stdout(`kubeconfig: ${sandboxes.kubeconfigPath}\n  export KUBECONFIG=${sandboxes.kubeconfigPath}\n  kubectl get deploy -n shop\n`);
	io.stdout('faults: POST /_sandbox/faults with the admin token; Ctrl-C stops\n');
	io.onReady?.({ kubeconfigPath: sandboxes.kubeconfigPath, clusters: sandboxes.clusters.map((c) => ({ name: c.clusterName, url: c.url })) });

	await new Promise<void>((resolve) => {
		const stop = () => {
			process.off('SIGINT', stop);
			process.off('SIGTERM', stop);
			io.signal?.removeEventListener('abort', stop);
			resolve();
		};
		process.on('SIGINT', stop);
		process.on('SIGTERM', stop);
		if (io.signal?.aborted) stop();
		else io.signal?.addEventListener('abort', stop);
	});
	await sandboxes.close();
	io.stdout('sandbox stopped\n');
	return 0;
}

if (require.main === module) {
	runSandboxCli(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(e: unknown) => {
			process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
			process.exit(1);
		},
	);
}
