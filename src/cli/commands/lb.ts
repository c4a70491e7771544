import type { GatedAdmission } from '../../admission';
import { KubeClient, KubeError, claimVerdict } from '../../kubernetes';
import { UsageError, parseArgs, type ParsedArgs } from '../args';
import type { CliCommand, CliIO } from '../command';
import { readSigningKeyFile } from '../files';
import { cliActor, readItemFile, verdictAgeFlag } from '../gatedItem';
import { kubeConnection, loadKubeConfig } from '../kubeconfig';
import {
	BackendStatus,
	CloudflareAuth,
	LoadBalancerError,
	LoadBalancerProvider,
	OperationOutcome,
	OperationRequest,
	PROVIDER_NAMES,
	ProviderName,
	createProvider,
	runOperation,
} from '../../loadbalancer';
import { parseDuration } from '../../prometheus';

const options = {
	provider: { description: `${PROVIDER_NAMES.join(' | ')}`, valueName: 'name' },
	backend: { description: 'haproxy: backend; kubernetes: httproute/<name> or ingress/<canary>; cloudflare: pool:<pool> or lb:<load balancer>; route53: <zone>/<record name>[/<type>]', valueName: 'name' },
	server: { description: 'haproxy: server; kubernetes: Service; cloudflare: origin (in a pool) or pool (in a load balancer); route53: set identifier', valueName: 'name' },
	weight: { description: 'weight: the new weight; restore: the weight to restore to', valueName: 'n' },
	wait: { description: 'drain: wait until the server has 0 sessions (haproxy), or until Route 53 reports INSYNC and then the record\'s TTL (route53), at most this long (30s, 2m)', valueName: 'dur' },
	poll: { description: 'drain --wait: time between two looks at the sessions (default 500ms) or first GetChange interval, doubling (route53, default 2s)', valueName: 'dur' },
	maint: { flag: true, description: 'drain: once the sessions reached 0, put the server in maintenance (haproxy)' },
	force: { flag: true, description: 'allow taking the last serving server of a backend out of traffic' },
	address: { description: 'haproxy: Runtime API, ipv4@host:port or a socket path (level admin)', valueName: 'addr' },
	kubeconfig: { description: 'kubernetes, and with --item the cluster holding the verdict ledger: kubeconfig file (default $KUBECONFIG or ~/.kube/config)', valueName: 'file' },
	context: { description: 'kubeconfig context (default current-context)', valueName: 'name' },
	namespace: { description: 'kubernetes: namespace of the backend (default default)', valueName: 'ns' },
	account: { description: 'cloudflare: account ID', valueName: 'id' },
	zone: { description: 'cloudflare: zone ID (pool-level changes in a load balancer); route53: hosted zone name or ID', valueName: 'id' },
	record: { description: 'route53: record name (with --zone; fully qualified or relative to the zone)', valueName: 'name' },
	type: { description: 'route53: record type (default A)', valueName: 'type' },
	region: { description: 'route53: signing region (default us-east-1; Route 53 is global)', valueName: 'region' },
	'endpoint-url': { description: 'route53: a Route 53-compatible endpoint instead of AWS (testing); credentials come from the AWS default chain (AWS_ACCESS_KEY_ID, ~/.aws, roles)', valueName: 'url' },
	pool: { description: 'cloudflare: shorthand: --pool <p> --server <origin>, or --load-balancer <lb> --pool <p>', valueName: 'id|name' },
	'load-balancer': { description: 'cloudflare: load balancer ID or hostname', valueName: 'id|name' },
	token: { description: 'cloudflare: API token (or env CLOUDFLARE_API_TOKEN; or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY)', valueName: 'token' },
	'api-url': { description: 'cloudflare: API base URL (default https://api.cloudflare.com/client/v4)', valueName: 'url' },
	timeout: { description: 'per request (default 5s for haproxy, 30s otherwise)', valueName: 'dur' },
	item: { description: 'JSON file with { proposal, verdict } from the Policy Gate: act only on its signed apply verdict, once', valueName: 'file' },
	'signing-key-file': { description: 'with --item: the Policy Gate\'s Kube-Ops Signing Key; verdicts not signed with it are refused', valueName: 'file' },
	'max-verdict-age': { description: 'with --item: refuse verdicts older than this (seconds or 5m; default 300, at most 3600, as the node)', valueName: 'dur' },
	'changed-by': { description: 'with --item: who acts, for the verdict ledger (default kube-ops CLI, user@host)', valueName: 'who' },
	json: { flag: true, description: 'print the result as JSON' },
};

const ACTIONS: Record<string, OperationRequest['operation']> = { drain: 'drain', restore: 'restore', weight: 'setWeight', status: 'status' };

/** Exit codes beyond 0/1/2, for scripts: 3 refused by a safety rule, 4 drained but sessions remained at the --wait deadline. */
export const EXIT_REFUSED = 3;
export const EXIT_SESSIONS_REMAIN = 4;

/**
 * `kube-ops lb`: the Load Balancer Drain node's operations on the command
 * line, through the same engine (src/loadbalancer/run.ts), safety rules and
 * verdict check included.
 */
export const lbCommand: CliCommand = {
	name: 'lb',
	summary:
		'Drain, restore, re-weight or list servers at a load balancer (HAProxy Runtime API, Kubernetes HTTPRoute / ingress-nginx canary weights, Cloudflare Load Balancing, AWS Route 53 weighted records). Exit 3: refused by a safety rule; 4: drained, but sessions remained (haproxy) or DNS had not moved traffic (route53) at the --wait deadline.',
	usage: 'lb <drain|restore|weight|status> --provider <p> --backend <b> [--server <s>] [--weight <n>] [--wait <dur>] [--force] [--item <file> --signing-key-file <file> [--kubeconfig <file>] [--context <name>]] [--json]',
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		const args = parseArgs(argv, options);
		const action = args.positionals[0];
		if (!action || !ACTIONS[action] || args.positionals.length !== 1) throw new UsageError('say what to do: drain, restore, weight or status');
		const provider = makeProvider(args);
		const request = readRequest(args, ACTIONS[action], provider.name, io);
		let outcome: OperationOutcome;
		try {
			outcome = await runOperation(provider, request);
		} catch (error) {
			// A KubeError here comes from the verdict ledger: a verdict already used is a refusal like any other.
			if (!(error instanceof LoadBalancerError) && !(error instanceof KubeError)) throw error;
			const details = error instanceof LoadBalancerError ? error.toJSON() : { message: error.message, kind: error.kind, fix: error.fix };
			if (args.flags.has('json')) io.stdout(JSON.stringify({ error: details }, null, 2) + '\n');
			io.stderr(`kube-ops lb: ${error.message}\n${error.fix ? `  fix: ${error.fix}\n` : ''}`);
			return error.kind === 'refused' ? EXIT_REFUSED : 1;
		}
		if (args.flags.has('json')) io.stdout(JSON.stringify(outcome, null, 2) + '\n');
		else io.stdout(outcome.operation === 'status' ? statusTable(outcome) : changeText(outcome));
		if (outcome.operation !== 'status') for (const warning of outcome.warnings) io.stderr(`warning: ${warning}\n`);
		if (outcome.operation === 'drain' && outcome.propagation && !outcome.propagation.completed) return EXIT_SESSIONS_REMAIN;
		return outcome.operation === 'drain' && outcome.wait && !outcome.wait.completed ? EXIT_SESSIONS_REMAIN : 0;
	},
};

function seconds(args: ParsedArgs, name: string): number | undefined {
	const text = args.values[name];
	if (text === undefined) return undefined;
	try {
		return parseDuration(text, `--${name}`);
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
}

function need(args: ParsedArgs, name: string, why: string): string {
	const value = args.values[name];
	if (!value) throw new UsageError(`--${name} is required ${why}`);
	return value;
}

function makeProvider(args: ParsedArgs): LoadBalancerProvider {
	const name = need(args, 'provider', `(${PROVIDER_NAMES.join(', ')})`) as ProviderName;
	const timeout = seconds(args, 'timeout');
	const timeoutMs = timeout === undefined ? undefined : timeout * 1000;
	if (name === 'haproxy') {
		try {
			return createProvider({ provider: 'haproxy', address: need(args, 'address', 'for haproxy: the Runtime API (ipv4@host:port or a socket path)'), timeoutMs });
		} catch (error) {
			if (error instanceof LoadBalancerError) throw new UsageError(`--address: ${error.reason}`);
			throw error;
		}
	}
	if (name === 'kubernetes') {
		return createProvider({ provider: 'kubernetes', kubeConfig: loadKubeConfig({ kubeconfig: args.values.kubeconfig, context: args.values.context }), namespace: args.values.namespace, timeoutMs });
	}
	if (name === 'cloudflare') {
		return createProvider({
			provider: 'cloudflare',
			accountId: need(args, 'account', 'for cloudflare (the account ID)'),
			zoneId: args.values.zone,
			auth: cloudflareAuth(args),
			baseUrl: args.values['api-url'],
			timeoutMs,
		});
	}
	if (name === 'route53') {
		// A person at a shell: the AWS default chain (AWS_* variables, ~/.aws profiles, SSO, instance or web-identity roles).
		return createProvider({ provider: 'route53', region: args.values.region, endpoint: args.values['endpoint-url'], timeoutMs });
	}
	throw new UsageError(`unknown --provider "${name}" (use ${PROVIDER_NAMES.join(', ')})`);
}

function cloudflareAuth(args: ParsedArgs): CloudflareAuth {
	const token = args.values.token ?? process.env.CLOUDFLARE_API_TOKEN;
	if (token) return { type: 'token', token };
	const email = process.env.CLOUDFLARE_EMAIL;
	const key = process.env.CLOUDFLARE_API_KEY;
	if (email && key) return { type: 'key', email, key };
	throw new UsageError('cloudflare needs an API token: --token or env CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)');
}

function target(args: ParsedArgs, provider: ProviderName): { backend: string; server?: string } {
	const { backend, server, pool } = args.values;
	const loadBalancer = args.values['load-balancer'];
	if (provider === 'cloudflare' && (pool !== undefined || loadBalancer !== undefined)) {
		if (backend) throw new UsageError('use either --backend or --pool/--load-balancer');
		if (loadBalancer) return { backend: `lb:${loadBalancer}`, server: pool ?? server };
		return { backend: `pool:${pool}`, server };
	}
	if (pool !== undefined || loadBalancer !== undefined) throw new UsageError('--pool and --load-balancer are for --provider cloudflare');
	const { record, type, zone } = args.values;
	if (provider === 'route53' && record !== undefined) {
		if (backend) throw new UsageError('use either --backend or --zone/--record/--type');
		return { backend: `${need(args, 'zone', 'with --record (the hosted zone name or ID)')}/${record}/${type ?? 'A'}`, server };
	}
	if (provider !== 'route53' && (record !== undefined || type !== undefined || args.values['endpoint-url'] !== undefined || args.values.region !== undefined)) {
		throw new UsageError('--record, --type, --region and --endpoint-url are for --provider route53');
	}
	if (provider === 'route53' && zone !== undefined && !record) throw new UsageError('--zone needs --record for route53 (or give --backend <zone>/<record>/<type>)');
	return { backend: need(args, 'backend', 'to say which backend'), server };
}

function readRequest(args: ParsedArgs, operation: OperationRequest['operation'], provider: ProviderName, io: CliIO): OperationRequest {
	const { backend, server } = target(args, provider);
	if (operation !== 'status' && !server) throw new UsageError(`--server is required for ${operation === 'setWeight' ? 'weight' : operation}`);
	const weightText = args.values.weight;
	const weight = weightText === undefined ? undefined : Number(weightText);
	if (weight !== undefined && !Number.isFinite(weight)) throw new UsageError(`--weight must be a number, not "${weightText}"`);
	if (operation === 'setWeight' && weight === undefined) throw new UsageError('--weight is required for weight');
	if (operation !== 'drain' && (args.values.wait || args.flags.has('maint'))) throw new UsageError('--wait and --maint are for drain');
	const wait = seconds(args, 'wait');
	const poll = seconds(args, 'poll');
	let last = -1;
	return {
		operation,
		backend,
		server,
		weight,
		force: args.flags.has('force'),
		maintAfter: args.flags.has('maint'),
		wait:
			wait === undefined
				? undefined
				: {
						timeoutMs: wait * 1000,
						pollMs: poll === undefined ? undefined : poll * 1000,
						onProgress: provider === 'route53' ? undefined : (p) => {
							if (p.sessions === last) return;
							last = p.sessions;
							io.stderr(`kube-ops lb: ${server}: ${p.sessions} session(s) open after ${(p.elapsedMs / 1000).toFixed(1)}s\n`);
						},
					},
		gate: readGate(args, io),
	};
}

/**
 * Without --item a person moves traffic by hand, as with the provider's own
 * tools. With it, the admission rule of Load Balancer Drain: a verdict signed
 * with --signing-key-file, fresh, for exactly this server, and used once, on
 * the ledger Lease of the cluster --kubeconfig/--context reach.
 */
function readGate(args: ParsedArgs, io: CliIO): OperationRequest['gate'] {
	const file = args.values.item;
	if (!file) {
		if (args.values['signing-key-file'] || args.values['max-verdict-age']) throw new UsageError('--signing-key-file and --max-verdict-age are for --item');
		return { item: {}, requireVerdict: false, keys: [] };
	}
	const keys = [readSigningKeyFile(need(args, 'signing-key-file', 'with --item: verdicts are checked against the Policy Gate\'s signing key'))];
	const item = readItemFile(file);
	const maxAgeSeconds = verdictAgeFlag(args.values['max-verdict-age']);
	const ledger = new KubeClient(kubeConnection({ kubeconfig: args.values.kubeconfig, context: args.values.context }));
	const by = cliActor(args.values['changed-by']);
	const claim = async (gated: GatedAdmission) => void (await claimVerdict(ledger, { namespace: gated.target.namespace, key: gated.claimKey, by }));
	return { item, requireVerdict: true, keys, maxAgeSeconds, now: new Date(io.now() * 1000), claim };
}

function statusTable(status: BackendStatus): string {
	const rows = status.servers.map((s) => [s.server, s.admin, s.health, String(s.weight ?? '-'), String(s.sessions ?? '-'), s.serving ? 'yes' : 'no']);
	const header = ['SERVER', 'ADMIN', 'HEALTH', 'WEIGHT', 'SESSIONS', 'SERVING'];
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
	const notes = (status.notes ?? []).map((n) => `note: ${n}`);
	return [`${status.provider} ${status.endpoint} ${status.backend}: ${status.serving.length} of ${status.servers.length} serving`, line(header), ...rows.map(line), ...notes].join('\n') + '\n';
}

function changeText(result: Exclude<OperationOutcome, { operation: 'status' }>): string {
	const state = (s: typeof result.before) => `${s.admin}, weight ${s.weight ?? '-'}${s.sessions !== null ? `, ${s.sessions} session(s)` : ''}`;
	const lines = [
		`${result.provider} ${result.endpoint} ${result.backend}/${result.server}: ${result.message}`,
		`  before: ${state(result.before)}`,
		`  after:  ${state(result.after)}`,
	];
	if (result.propagation) lines.push(`  dns:    ${result.propagation.note}`);
	if (result.wait) lines.push(`  wait:   ${result.wait.completed ? 'sessions reached 0' : `${result.wait.sessions} session(s) still open`} after ${(result.wait.waitedMs / 1000).toFixed(1)}s`);
	return lines.join('\n') + '\n';
}
