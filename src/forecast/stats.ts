export function mean(values: ArrayLike<number>): number {
	let sum = 0;
	for (let i = 0; i < values.length; i++) sum += values[i];
	return values.length > 0 ? sum / values.length : NaN;
}

/** Linear-interpolated quantile (type 7, as R's default), NaN entries ignored. */
export function quantile(values: ArrayLike<number>, p: number): number {
	const sorted = finiteSorted(values);
	return quantileOfSorted(sorted, p);
}

export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
	const n = sorted.length;
	if (n === 0) return NaN;
	if (n === 1) return sorted[0];
	const position = Math.min(Math.max(p, 0), 1) * (n - 1);
	const below = Math.floor(position);
	const above = Math.min(below + 1, n - 1);
	return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

export function median(values: ArrayLike<number>): number {
	return quantile(values, 0.5);
}

export function finiteSorted(values: ArrayLike<number>): Float64Array {
	const kept: number[] = [];
	for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) kept.push(values[i]);
	return Float64Array.from(kept).sort();
}

/** Median absolute deviation scaled to match the standard deviation of normal data. */
export function mad(values: ArrayLike<number>): number {
	const centre = median(values);
	const deviations = new Float64Array(values.length);
	for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i] - centre);
	return 1.4826 * median(deviations);
}

export function variance(values: ArrayLike<number>): number {
	const m = mean(values);
	let sum = 0;
	for (let i = 0; i < values.length; i++) sum += (values[i] - m) ** 2;
	return values.length > 1 ? sum / (values.length - 1) : 0;
}

/** Sample autocorrelation at lags 0..maxLag of a gap-free series. */
export function autocorrelation(values: ArrayLike<number>, maxLag: number): Float64Array {
	const n = values.length;
	const m = mean(values);
	const centred = new Float64Array(n);
	let denominator = 0;
	for (let i = 0; i < n; i++) {
		centred[i] = values[i] - m;
		denominator += centred[i] * centred[i];
	}
	const acf = new Float64Array(maxLag + 1);
	if (denominator === 0) return acf;
	for (let lag = 0; lag <= maxLag && lag < n; lag++) {
		let sum = 0;
		for (let i = lag; i < n; i++) sum += centred[i] * centred[i - lag];
		acf[lag] = sum / denominator;
	}
	return acf;
}

/** Ordinary least squares line through (i, values[i]). */
export function linearFit(values: ArrayLike<number>): { intercept: number; slope: number } {
	const n = values.length;
	const meanX = (n - 1) / 2;
	const meanY = mean(values);
	let sxy = 0;
	let sxx = 0;
	for (let i = 0; i < n; i++) {
		sxy += (i - meanX) * (values[i] - meanY);
		sxx += (i - meanX) ** 2;
	}
	const slope = sxx > 0 ? sxy / sxx : 0;
	return { intercept: meanY - slope * meanX, slope };
}

export function allFinite(values: ArrayLike<number>): boolean {
	for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
	return true;
}
