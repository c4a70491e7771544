import * as fs from 'node:fs';

import { type SigningKey, SigningKeyError, signingKey } from '../policy';
import { UsageError } from './args';

/** A file the user named, or an error naming it and what is wrong (no such file, a directory, no permission). */
export function readCliFile(path: string, what: string): string {
	try {
		return fs.readFileSync(path, 'utf8');
	} catch (error) {
		throw new Error(`Cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
	}
}

/**
 * The Policy Gate's signing key from --signing-key-file: the same text as the
 * Kube-Ops Signing Key credential (at least 32 characters). A key that cannot
 * be used is a usage mistake (exit 2), caught before anything is read or changed.
 */
export function readSigningKeyFile(path: string): SigningKey {
	let text: string;
	try {
		text = readCliFile(path, 'signing key');
	} catch (error) {
		throw new UsageError(`--signing-key-file: ${(error as Error).message}`);
	}
	try {
		return signingKey(text);
	} catch (error) {
		if (error instanceof SigningKeyError) throw new UsageError(`--signing-key-file ${path}: ${error.message}`);
		throw error;
	}
}
