import * as os from 'node:os';

import { AdmissionError, maxVerdictAge } from '../admission';
import { parseDuration } from '../prometheus';
import { isRecord } from '../shared/records';
import { UsageError } from './args';
import { readCliFile } from './files';

/**
 * What `kube-ops kube` and `kube-ops lb --item` read to carry out a Policy
 * Gate verdict: the item as the gate's Apply output carries it, and the
 * verdict's age limit with the node's default and ceiling.
 */

/** The item file: a JSON object { proposal, verdict } (a decision record beside them is used for the Event). */
export function readItemFile(path: string): Record<string, unknown> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(readCliFile(path, 'item'));
	} catch (error) {
		throw new UsageError(`--item: ${(error as Error).message}`);
	}
	if (!isRecord(parsed)) throw new UsageError(`--item ${path}: expected a JSON object { "proposal": ..., "verdict": ... }`);
	return parsed;
}

/** --max-verdict-age as seconds or a duration (90, 5m); unset = the node's default. */
export function verdictAgeFlag(text: string | undefined): number {
	let seconds: number | undefined;
	try {
		seconds = text === undefined ? undefined : parseDuration(text, '--max-verdict-age');
		return maxVerdictAge(seconds);
	} catch (error) {
		if (error instanceof AdmissionError) throw new UsageError(`--max-verdict-age ${text}: ${error.fix}`);
		throw new UsageError((error as Error).message);
	}
}

/** Who acts from a terminal, for the last-change annotation, the Event and the verdict ledger. */
export function cliActor(changedBy: string | undefined): string {
	if (changedBy?.trim()) return changedBy.trim();
	try {
		return `kube-ops CLI (${os.userInfo().username}@${os.hostname()})`;
	} catch {
		// No passwd entry (a bare container user): the host still says where it ran.
		return `kube-ops CLI (${os.hostname()})`;
	}
}
