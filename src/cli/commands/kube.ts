import { UsageError, parseArgs } from '../args';
import type { CliCommand, CliIO } from '../command';
import { readSigningKeyFile } from '../files';
import { cliActor, readItemFile, verdictAgeFlag } from '../gatedItem';
import { kubeConnection } from '../kubeconfig';
import { CARRIED_OPERATIONS, type CarriedOperation, type ChangeRecord, KubeClient, KubeError, admitKubeItem, auditFor, carryOut } from '../../kubernetes';
import { EXIT_REFUSED } from './lb';

const options = {
	item: { description: 'JSON file { "proposal": ..., "verdict": ... } as the Policy Gate\'s Apply output carries it (required)', valueName: 'file' },
	'signing-key-file': { description: 'the Policy Gate\'s Kube-Ops Signing Key (required): verdicts not signed with it are refused', valueName: 'file' },
	kubeconfig: { description: 'kubeconfig file (default $KUBECONFIG or ~/.kube/config)', valueName: 'file' },
	context: { description: 'kubeconfig context (default current-context)', valueName: 'name' },
	'cluster-name': { description: 'the cluster as proposals name it (target.cluster); default the context name', valueName: 'name' },
	'max-verdict-age': { description: 'refuse verdicts older than this (seconds or 5m; default 300, at most 3600)', valueName: 's' },
	'changed-by': { description: 'who acts, for the last-change annotation, the Event and the ledger (default kube-ops CLI, user@host)', valueName: 'who' },
	'dry-run': { flag: true, description: 'send the change with dryRun=All: checked and admitted by the API server, nothing stored, the verdict not spent' },
	json: { flag: true, description: 'print the change record (or { "error": ... }) as JSON' },
};

function isCarried(name: string | undefined): name is CarriedOperation {
	return CARRIED_OPERATIONS.includes(name as CarriedOperation);
}

/**
 * `kube-ops kube`: a gated item carried out from a terminal exactly as
 * Kubernetes Patch carries it out (src/kubernetes/carryOut.ts): signed with
 * the Policy Gate's key, fresh, an apply for this operation on the cluster
 * this kubeconfig reaches, the live state still the one judged, and not used
 * before (the ledger Lease in the target's namespace).
 */
export const kubeCommand: CliCommand = {
	name: 'kube',
	summary: `Carry out a Policy Gate apply verdict on the cluster (${CARRIED_OPERATIONS.join(', ')}), with the same checks and single-use ledger as the Kubernetes Patch node. Exit 3: refused (unsigned, stale, used, live state changed, ...).`,
	usage: `kube <${CARRIED_OPERATIONS.join('|')}> --item <file> --signing-key-file <file> [--kubeconfig <file>] [--context <name>] [--max-verdict-age <s>] [--dry-run] [--json]`,
	options,
	run: async (argv: string[], io: CliIO): Promise<number> => {
		const args = parseArgs(argv, options);
		const operation = args.positionals[0];
		if (!isCarried(operation) || args.positionals.length !== 1) throw new UsageError(`say which operation to carry out: ${CARRIED_OPERATIONS.join(', ')}`);
		if (!args.values.item) throw new UsageError('--item is required: the { proposal, verdict } the Policy Gate issued');
		if (!args.values['signing-key-file']) throw new UsageError('--signing-key-file is required: verdicts are checked against the Policy Gate\'s signing key');
		const key = readSigningKeyFile(args.values['signing-key-file']);
		const item = readItemFile(args.values.item);
		const maxAgeSeconds = verdictAgeFlag(args.values['max-verdict-age']);
		const connection = kubeConnection({ kubeconfig: args.values.kubeconfig, context: args.values.context, clusterName: args.values['cluster-name'] });
		const json = args.flags.has('json');
		const actor = cliActor(args.values['changed-by']);
		let record: ChangeRecord;
		try {
			const client = new KubeClient(connection);
			const { gated, notes } = admitKubeItem(item, { operation, requireVerdict: true, keys: [key], maxAgeSeconds, now: new Date(io.now() * 1000), clusterName: connection.clusterName });
			// requireVerdict makes admission refuse an item without a verdict; a manual change never reaches here.
			if (!gated) throw new Error('internal: an item without a verdict was admitted');
			const changed = await carryOut(client, gated, operation, { dryRun: args.flags.has('dry-run'), audit: auditFor(gated, actor, 'kube-ops-cli'), by: actor });
			record = { ...changed, warnings: [...changed.warnings, ...notes] };
		} catch (error) {
			if (!(error instanceof KubeError)) throw error;
			const details = { message: error.message, kind: error.kind, fix: error.fix, httpStatus: error.details.httpStatus ?? null, kubernetesMessage: error.details.serverMessage ?? null };
			if (json) io.stdout(JSON.stringify({ error: details }, null, 2) + '\n');
			io.stderr(`kube-ops kube: ${error.message}\n  fix: ${error.fix}\n`);
			return error.kind === 'refused' ? EXIT_REFUSED : 1;
		}
		if (json) io.stdout(JSON.stringify(record, null, 2) + '\n');
		else io.stdout(changeText(record));
		for (const warning of record.warnings) io.stderr(`warning: ${warning}\n`);
		return 0;
	},
};

function changeText(record: ChangeRecord): string {
	const { target } = record;
	const what = `${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`;
	const fields = (o: object) => Object.entries(o).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
	const outcome = record.changed ? `${fields(record.before)} -> ${fields(record.after)}` : `already ${fields(record.after)}; nothing changed`;
	return `${record.operation} ${what}: ${outcome}${record.dryRun ? ' (dry run: nothing stored)' : ''}\n`;
}
