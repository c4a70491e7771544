/**
 * Local polynomial (degree 0 or 1) smoothing with tricube weights, following
 * the loess variant of Cleveland et al. (1990) used inside STL. Positions are
 * the indices 0..n-1; `weights` (optional) multiply the tricube weights and
 * carry both gaps (0) and robustness weights.
 */

/** Scratch buffer reused between calls to avoid allocating per estimate. */
let scratch = new Float64Array(256);

/**
 * Estimate at position `x` from the points [left, right]. Returns NaN when
 * every point in the window has zero weight.
 */
export function loessEstimate(
	y: ArrayLike<number>,
	n: number,
	span: number,
	degree: number,
	x: number,
	left: number,
	right: number,
	weights: ArrayLike<number> | null,
): number {
	if (scratch.length < n) scratch = new Float64Array(2 * n);
	const w = scratch;
	let h = Math.max(x - left, right - x);
	if (span > n) h += Math.floor((span - n) / 2);
	const h9 = 0.999 * h;
	const h1 = 0.001 * h;
	let total = 0;
	for (let j = left; j <= right; j++) {
		const r = Math.abs(j - x);
		let wj = 0;
		if (r <= h9) {
			if (r <= h1) wj = 1;
			else {
				// Multiplications instead of ** : this loop dominates the whole decomposition.
				const u = r / h;
				const c = 1 - u * u * u;
				wj = c * c * c;
			}
			if (weights) wj *= weights[j];
		}
		w[j] = wj;
		total += wj;
	}
	if (total <= 0) return NaN;
	for (let j = left; j <= right; j++) w[j] /= total;
	if (h > 0 && degree > 0) {
		let centre = 0;
		for (let j = left; j <= right; j++) centre += w[j] * j;
		let spread = 0;
		for (let j = left; j <= right; j++) {
			const d = j - centre;
			spread += w[j] * d * d;
		}
		if (Math.sqrt(spread) > 0.001 * (n - 1)) {
			const slope = (x - centre) / spread;
			for (let j = left; j <= right; j++) w[j] *= slope * (j - centre) + 1;
		}
	}
	let estimate = 0;
	for (let j = left; j <= right; j++) estimate += w[j] * y[j];
	return estimate;
}

/**
 * Smooths the whole series, estimating every `jump`-th point exactly and
 * interpolating linearly in between (the speed trick of STL).
 */
export function loessSmooth(
	y: ArrayLike<number>,
	n: number,
	span: number,
	degree: number,
	jump: number,
	weights: ArrayLike<number> | null,
	out: Float64Array,
): void {
	if (n < 2) {
		if (n === 1) out[0] = y[0];
		return;
	}
	const step = Math.max(1, Math.min(jump, n - 1));
	const half = Math.floor((span + 1) / 2);
	const estimateAt = (i: number): void => {
		let left: number;
		let right: number;
		if (span >= n) {
			left = 0;
			right = n - 1;
		} else if (i < half) {
			left = 0;
			right = span - 1;
		} else if (i >= n - half) {
			left = n - span;
			right = n - 1;
		} else {
			left = i - half + 1;
			right = i + half - 1;
		}
		const value = loessEstimate(y, n, span, degree, i, left, right, weights);
		out[i] = Number.isNaN(value) ? y[i] : value;
	};
	let last = 0;
	for (let i = 0; i < n; i += step) {
		estimateAt(i);
		last = i;
	}
	if (step === 1) return;
	if (last !== n - 1) estimateAt(n - 1);
	for (let i = 0; i < n - 1; i += step) {
		const end = Math.min(i + step, n - 1);
		const slope = (out[end] - out[i]) / (end - i);
		for (let j = i + 1; j < end; j++) out[j] = out[i] + slope * (j - i);
	}
}
