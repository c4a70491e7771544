/** In-place iterative radix-2 FFT; length must be a power of two. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
	const n = re.length;
	for (let i = 1, j = 0; i < n; i++) {
		let bit = n >> 1;
		for (; j & bit; bit >>= 1) j ^= bit;
		j ^= bit;
		if (i < j) {
			[re[i], re[j]] = [re[j], re[i]];
			[im[i], im[j]] = [im[j], im[i]];
		}
	}
	for (let size = 2; size <= n; size <<= 1) {
		const angle = ((inverse ? 2 : -2) * Math.PI) / size;
		const stepRe = Math.cos(angle);
		const stepIm = Math.sin(angle);
		const half = size >> 1;
		for (let start = 0; start < n; start += size) {
			let wRe = 1;
			let wIm = 0;
			for (let k = 0; k < half; k++) {
				const a = start + k;
				const b = a + half;
				const tRe = re[b] * wRe - im[b] * wIm;
				const tIm = re[b] * wIm + im[b] * wRe;
				re[b] = re[a] - tRe;
				im[b] = im[a] - tIm;
				re[a] += tRe;
				im[a] += tIm;
				const nextRe = wRe * stepRe - wIm * stepIm;
				wIm = wRe * stepIm + wIm * stepRe;
				wRe = nextRe;
			}
		}
	}
	if (inverse) {
		for (let i = 0; i < n; i++) {
			re[i] /= n;
			im[i] /= n;
		}
	}
}

/**
 * Sample autocorrelation at lags 0..maxLag in O(n log n), so that testing a
 * weekly season at 5-minute sampling (lag 2016) stays cheap.
 */
export function autocorrelationFft(values: ArrayLike<number>, maxLag: number): Float64Array {
	const n = values.length;
	let size = 1;
	while (size < 2 * n) size <<= 1;
	const re = new Float64Array(size);
	const im = new Float64Array(size);
	let mean = 0;
	for (let i = 0; i < n; i++) mean += values[i];
	mean /= n;
	for (let i = 0; i < n; i++) re[i] = values[i] - mean;
	fft(re, im);
	for (let i = 0; i < size; i++) {
		re[i] = re[i] * re[i] + im[i] * im[i];
		im[i] = 0;
	}
	fft(re, im, true);
	const acf = new Float64Array(maxLag + 1);
	if (re[0] <= 0) return acf;
	for (let lag = 0; lag <= maxLag && lag < n; lag++) acf[lag] = re[lag] / re[0];
	return acf;
}
