/** Deterministic test series: seeded noise so every run sees the same numbers. */

export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function gaussian(random: () => number): () => number {
	return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface SyntheticOptions {
	length: number;
	intervalSeconds?: number;
	level?: number;
	dailyAmplitude?: number;
	weeklyAmplitude?: number;
	noise?: number;
	trendPerStep?: number;
	seed?: number;
}

/** Traffic-like series: a level, a daily wave, an optional weekend dip, a trend and Gaussian noise. */
export function syntheticTraffic(options: SyntheticOptions): { t: number[]; v: number[] } {
	const interval = options.intervalSeconds ?? 300;
	const normal = gaussian(seededRandom(options.seed ?? 1));
	const t: number[] = [];
	const v: number[] = [];
	const start = 1_700_000_000 - (1_700_000_000 % 86_400);
	for (let i = 0; i < options.length; i++) {
		const time = start + i * interval;
		const dayPhase = ((time % 86_400) / 86_400) * 2 * Math.PI;
		const weekday = Math.floor(time / 86_400) % 7;
		let value = (options.level ?? 100) + (options.trendPerStep ?? 0) * i;
		value += (options.dailyAmplitude ?? 0) * Math.sin(dayPhase);
		if (weekday >= 5) value -= options.weeklyAmplitude ?? 0;
		value += (options.noise ?? 0) * normal();
		t.push(time);
		v.push(value);
	}
	return { t, v };
}
