import { KubeError } from '../errors';
import { type KubeObject, validateName, validateNamespace } from '../resources';

export const MAX_INT32 = 2_147_483_647;

/** A replica count or weight the API server would accept; checked before any request. */
export function wholeNumber(value: unknown, what: string, min: number, max = MAX_INT32): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
		throw new KubeError('invalid', `${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`, `Set ${what} to a whole number between ${min} and ${max}.`);
	}
	return n;
}

export function checkTarget(namespace: string | undefined, name: string, what: string, namespaced = true): void {
	const problem = (namespaced ? validateNamespace(namespace ?? '') : undefined) ?? validateName(name, what);
	if (problem) throw new KubeError('invalid', problem, `Set ${namespaced && !namespace ? 'Namespace' : what} to the object's name as kubectl shows it.`);
}

export function refused(message: string, fix: string): KubeError {
	return new KubeError('refused', message, fix);
}

export function annotationsOf(obj: KubeObject): Record<string, string> {
	return obj.metadata.annotations ?? {};
}

export function numberOrNull(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A parameter that must be set when no proposal supplies it. */
export function requireValue(value: string, label: string): string {
	if (!value) throw new KubeError('invalid', `${label} is empty`, `Set ${label}, or send an item that carries a proposal approved by the Policy Gate.`);
	return value;
}

/** The live object is no longer what the gated proposal stated: the verdict judged a state that is gone. */
export function stateMoved(what: string, field: string, live: number, stated: number): KubeError {
	return refused(
		`Refusing to act: ${what} has ${field} ${live} now, but the proposal the verdict judged stated ${stated}; the state changed since the Policy Gate decided`,
		'Nothing was changed and the verdict is not spent. Build the proposal from a live read right before the Policy Gate (the next run does), and evaluate again.',
	);
}
