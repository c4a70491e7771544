import { isObject } from './json';

/**
 * The subset of Kubernetes JSONPath that CRD printer columns and scale
 * subresource paths use: `.a.b`, `.a[0]`, `.a[*].b` and
 * `.a[?(@.type=="Ready")].status`. Returns every match.
 */
export function jsonPathAll(root: unknown, expression: string): unknown[] {
	const path = expression.trim().replace(/^\{/, '').replace(/\}$/, '').replace(/^\$/, '');
	let current: unknown[] = [root];
	const step = /\.([A-Za-z0-9_\-$]+)|\['([^']+)'\]|\[(\d+|\*)\]|\[\?\(@\.([A-Za-z0-9_.\-]+)\s*==\s*["']([^"']*)["']\)\]/y;
	let index = 0;
	while (index < path.length) {
		step.lastIndex = index;
		const m = step.exec(path);
		if (!m) throw new Error(`unsupported JSONPath ${expression}`);
		index = step.lastIndex;
		const next: unknown[] = [];
		for (const value of current) {
			if (m[1] !== undefined || m[2] !== undefined) {
				const key = m[1] ?? m[2];
				if (isObject(value) && value[key] !== undefined) next.push(value[key]);
			} else if (m[3] !== undefined) {
				if (!Array.isArray(value)) continue;
				if (m[3] === '*') next.push(...value);
				else if (value[Number(m[3])] !== undefined) next.push(value[Number(m[3])]);
			} else if (m[4] !== undefined) {
				if (!Array.isArray(value)) continue;
				for (const item of value) {
					let field: unknown = item;
					for (const part of m[4].split('.')) field = isObject(field) ? field[part] : undefined;
					if (field !== undefined && String(field) === m[5]) next.push(item);
				}
			}
		}
		current = next;
	}
	return current;
}

export function jsonPathFirst(root: unknown, expression: string): unknown {
	return jsonPathAll(root, expression)[0];
}

/** Writes a simple dotted path such as `.spec.replicas` (what scale subresources use). */
export function jsonPathSet(root: Record<string, unknown>, expression: string, value: unknown): void {
	const steps = expression.replace(/^\./, '').split('.');
	let current: Record<string, unknown> = root;
	for (const key of steps.slice(0, -1)) {
		if (!isObject(current[key])) current[key] = {};
		current = current[key] as Record<string, unknown>;
	}
	current[steps[steps.length - 1]] = value;
}
