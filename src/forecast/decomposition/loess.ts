/**
 * Local polynomial (degree 0 or 1) smoothing with tricube weights, following
 * the loess variant of Cleveland et al. (1990) used inside STL. Positions are
 * the indices 0..n-1; `weights` (optional) multiply the tricube weights and
 * carry both gaps (0) and robustness weights.
 */

/**
 * Estimate at position `x` from the points [left, right]. Returns NaN when
 * every point in the window has zero weight. One pass of weighted sums (offsets
 * from x keep them small) gives the local line in closed form: this loop
 * dominates the whole decomposition.
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
	let h = Math.max(x - left, right - x);
	if (span > n) h += Math.floor((span - n) / 2);
	const h9 = 0.999 * h;
	const h1 = 0.001 * h;
	let sw = 0;
	let swd = 0;
	let swdd = 0;
	let swy = 0;
	let swdy = 0;
	for (let j = left; j <= right; j++) {
		const d = j - x;
		const r = d < 0 ? -d : d;
		let wj = 0;
		if (r <= h9) {
			if (r <= h1) wj = 1;
			else {
				const u = r / h;
				const c = 1 - u * u * u;
				wj = c * c * c;
			}
			if (weights) wj *= weights[j];
		}
		const wy = wj * y[j];
		sw += wj;
		swd += wj * d;
		swdd += wj * d * d;
		swy += wy;
		swdy += wy * d;
	}
	if (sw <= 0) return NaN;
	if (h > 0 && degree > 0) {
		// Weighted centre and spread of the positions, relative to x.
		const centre = swd / sw;
		const spread = swdd / sw - centre * centre;
		if (Math.sqrt(spread) > 0.001 * (n - 1)) {
			const slope = -centre / spread;
			return (swy + slope * (swdy - centre * swy)) / sw;
		}
	}
	return swy / sw;
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
