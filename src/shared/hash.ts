import { createHash } from 'node:crypto';
import { snapshot, type Plain } from './snapshot';

export const UNHASHABLE = 'unhashable';

// Sorted keys (by code unit) and no whitespace make the text independent of how the
// value was built or serialised, so equal values give the same hash. Non-finite
// numbers get bare tokens (never produced for a string, which is always quoted) so
// NaN and "NaN" cannot collide. Keys whose value is undefined are left out, as
// JSON.stringify does (a snapshot never has them; hand-built objects may).
export function canonicalJson(value: Plain | PlainWithUndefined): string {
	if (value === null) return 'null';
	switch (typeof value) {
		case 'boolean':
			return value ? 'true' : 'false';
		case 'number':
			return Number.isFinite(value) ? JSON.stringify(value) : String(value);
		case 'string':
			return quote(value);
	}
	let out: string;
	if (Array.isArray(value)) {
		out = '[';
		for (let index = 0; index < value.length; index += 1) out += (index > 0 ? ',' : '') + canonicalJson(value[index] as Plain);
		return `${out}]`;
	}
	const keys = Object.keys(value).sort();
	out = '{';
	let first = true;
	for (let index = 0; index < keys.length; index += 1) {
		const key = keys[index] as string;
		const item = value[key];
		if (item === undefined) continue;
		out += `${first ? '' : ','}${quote(key)}:${canonicalJson(item)}`;
		first = false;
	}
	return `${out}}`;
}

/** A JSON-like object built in code, where a field may be present but undefined. */
export interface PlainWithUndefined {
	[key: string]: Plain | PlainWithUndefined | undefined;
}

// Most keys and values need no escaping; skipping JSON.stringify for them keeps
// hashing off the profile of a gate that runs on every loop iteration.
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quote(text: string): string {
	return PLAIN_TEXT.test(text) ? `"${text}"` : JSON.stringify(text);
}

export function sha256(text: string): string {
	return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

export function hashPlain(value: Plain): string {
	return sha256(canonicalJson(value));
}

// The identity a mutating node compares against verdict.proposalHash.
export function hashProposal(proposal: unknown): string {
	const copy = snapshot(proposal);
	if (!copy.ok || copy.value === undefined) return UNHASHABLE;
	return hashPlain(copy.value);
}

/** The fields of a verdict its digest leaves out (the hash itself, and the signature made over it). */
interface Digestible {
	verdictHash?: unknown;
	signature?: unknown;
}

// The verdict's own hash: everything the gate decided. The signature is over
// this digest, so it cannot be part of it.
export function verdictDigest(verdict: Digestible): string {
	const { verdictHash: _ignored, signature: _signature, ...body } = verdict;
	return hashPlain(body as unknown as Plain);
}
