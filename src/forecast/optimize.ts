export interface MinimizeOptions {
	/** Simplex edge length per dimension at the start. */
	step?: number | number[];
	maxEvaluations?: number;
	/** Stop once the simplex's function values differ by less than this (relative). */
	tolerance?: number;
	lower?: number[];
	upper?: number[];
}

export interface MinimizeResult {
	x: number[];
	value: number;
	evaluations: number;
}

/**
 * Nelder-Mead simplex search. Bounds are enforced by clamping each candidate,
 * which keeps smoothing parameters inside their admissible region without the
 * distortion a penalty term would add to the objective.
 */
export function minimize(
	objective: (x: number[]) => number,
	start: number[],
	options: MinimizeOptions = {},
): MinimizeResult {
	const dims = start.length;
	const maxEvaluations = options.maxEvaluations ?? 200 * dims;
	const tolerance = options.tolerance ?? 1e-8;
	const lower = options.lower;
	const upper = options.upper;
	const clamp = (x: number[]): number[] =>
		x.map((v, i) => Math.min(Math.max(v, lower ? lower[i] : -Infinity), upper ? upper[i] : Infinity));
	let evaluations = 0;
	const evaluate = (x: number[]): number => {
		evaluations++;
		const value = objective(x);
		return Number.isFinite(value) ? value : Infinity;
	};

	const simplex: number[][] = [clamp(start)];
	for (let d = 0; d < dims; d++) {
		const step = Array.isArray(options.step) ? options.step[d] : (options.step ?? 0.1);
		const vertex = simplex[0].slice();
		vertex[d] += step;
		let clamped = clamp(vertex);
		if (clamped[d] === simplex[0][d]) {
			vertex[d] -= 2 * step;
			clamped = clamp(vertex);
		}
		simplex.push(clamped);
	}
	const values = simplex.map(evaluate);

	while (evaluations < maxEvaluations) {
		const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
		const sortedSimplex = order.map((i) => simplex[i]);
		const sortedValues = order.map((i) => values[i]);
		for (let i = 0; i <= dims; i++) {
			simplex[i] = sortedSimplex[i];
			values[i] = sortedValues[i];
		}
		const best = values[0];
		const worst = values[dims];
		if (Math.abs(worst - best) <= tolerance * (Math.abs(best) + tolerance)) break;

		const centroid = new Array<number>(dims).fill(0);
		for (let i = 0; i < dims; i++) for (let d = 0; d < dims; d++) centroid[d] += simplex[i][d] / dims;
		const along = (t: number): number[] => clamp(centroid.map((c, d) => c + t * (simplex[dims][d] - c)));

		const reflected = along(-1);
		const reflectedValue = evaluate(reflected);
		if (reflectedValue < values[0]) {
			const expanded = along(-2);
			const expandedValue = evaluate(expanded);
			if (expandedValue < reflectedValue) {
				simplex[dims] = expanded;
				values[dims] = expandedValue;
			} else {
				simplex[dims] = reflected;
				values[dims] = reflectedValue;
			}
			continue;
		}
		if (reflectedValue < values[dims - 1]) {
			simplex[dims] = reflected;
			values[dims] = reflectedValue;
			continue;
		}
		const outside = reflectedValue < values[dims];
		const contracted = along(outside ? -0.5 : 0.5);
		const contractedValue = evaluate(contracted);
		if (contractedValue < (outside ? reflectedValue : values[dims])) {
			simplex[dims] = contracted;
			values[dims] = contractedValue;
			continue;
		}
		for (let i = 1; i <= dims; i++) {
			simplex[i] = clamp(simplex[i].map((v, d) => simplex[0][d] + 0.5 * (v - simplex[0][d])));
			values[i] = evaluate(simplex[i]);
		}
	}
	let bestIndex = 0;
	for (let i = 1; i <= dims; i++) if (values[i] < values[bestIndex]) bestIndex = i;
	return { x: simplex[bestIndex], value: values[bestIndex], evaluations };
}

/** Golden-section search for a one-parameter objective on [lower, upper]. */
export function minimizeScalar(
	objective: (x: number) => number,
	lower: number,
	upper: number,
	tolerance = 1e-4,
): { x: number; value: number } {
	const ratio = (Math.sqrt(5) - 1) / 2;
	let a = lower;
	let b = upper;
	let c = b - ratio * (b - a);
	let d = a + ratio * (b - a);
	let fc = objective(c);
	let fd = objective(d);
	while (b - a > tolerance) {
		if (fc < fd) {
			b = d;
			d = c;
			fd = fc;
			c = b - ratio * (b - a);
			fc = objective(c);
		} else {
			a = c;
			c = d;
			fc = fd;
			d = a + ratio * (b - a);
			fd = objective(d);
		}
	}
	return fc < fd ? { x: c, value: fc } : { x: d, value: fd };
}
