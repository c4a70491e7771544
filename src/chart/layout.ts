import type { ChartSpec, Scene, Shape } from './types';

const COLORS = {
	background: '#ffffff',
	grid: '#e5e7eb',
	axis: '#6b7280',
	text: '#111827',
	muted: '#4b5563',
	history: '#1f6fb2',
	forecast: '#e8710a',
	band: '#f5a45d',
	now: '#6b7280',
	reference: '#c0392b',
};

const MARGIN = { left: 58, right: 18, top: 60, bottom: 38 };
const FONT = 11;

/** Candidate spacings of time ticks, in seconds. */
const TIME_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600, 2_592_000];

/** Rough width of a label; both renderers draw text at about 0.6 em per character. */
export function textWidth(text: string, size: number): number {
	return text.length * size * 0.6;
}

/**
 * Lays out history, forecast line, band, the decision time and a reference
 * level on shared axes. Times on the x axis are UTC, because the same chart
 * goes to people in several time zones and Prometheus speaks UTC.
 */
export function layoutChart(spec: ChartSpec): Scene {
	const width = spec.width ?? 800;
	const height = spec.height ?? 360;
	const plot = { x: MARGIN.left, y: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };
	const { history, forecast } = spec;
	if (forecast.t.length !== forecast.line.length) throw new Error('forecast.t and forecast.line differ in length');
	const band = forecast.lower && forecast.upper ? { lower: forecast.lower, upper: forecast.upper } : null;

	const times = [...history.t, ...forecast.t, ...(spec.now !== undefined ? [spec.now] : [])].filter(Number.isFinite);
	const values = [
		...history.v.filter((v): v is number => v !== null && Number.isFinite(v)),
		...forecast.line,
		...(band ? [...band.lower, ...band.upper] : []),
		...(spec.reference ? [spec.reference.value] : []),
	].filter(Number.isFinite);
	if (times.length === 0 || values.length === 0) throw new Error('nothing to draw: no finite times or values');
	const t0 = Math.min(...times);
	let t1 = Math.max(...times);
	if (t1 === t0) t1 = t0 + 60;
	let v0 = Math.min(...values);
	let v1 = Math.max(...values);
	// Demand charts read best from zero, unless the series lives far from it (CPU at 90 %).
	if (v0 >= 0 && v0 < 0.5 * v1) v0 = 0;
	if (v1 === v0) v1 = v0 + (Math.abs(v0) || 1);
	const yTicks = niceTicks(v0, v1, 5);
	v0 = Math.min(v0, yTicks[0]);
	v1 = Math.max(v1, yTicks[yTicks.length - 1]);

	const x = (t: number): number => plot.x + ((t - t0) / (t1 - t0)) * plot.width;
	const y = (v: number): number => plot.y + plot.height - ((v - v0) / (v1 - v0)) * plot.height;
	const shapes: Shape[] = [{ kind: 'rect', x: 0, y: 0, width, height, fill: COLORS.background }];

	for (const tick of yTicks) {
		shapes.push({ kind: 'line', points: [[plot.x, y(tick)], [plot.x + plot.width, y(tick)]], stroke: COLORS.grid, width: 1 });
		shapes.push({ kind: 'text', x: plot.x - 6, y: y(tick) + FONT * 0.35, text: formatValue(tick, yTicks), size: FONT, color: COLORS.muted, anchor: 'end' });
	}
	const step = timeStep(t1 - t0, Math.max(2, Math.floor(plot.width / 95)));
	for (let tick = Math.ceil(t0 / step) * step, first = true; tick <= t1; tick += step, first = false) {
		const px = x(tick);
		shapes.push({ kind: 'line', points: [[px, plot.y + plot.height], [px, plot.y + plot.height + 4]], stroke: COLORS.axis, width: 1 });
		shapes.push({ kind: 'text', x: px, y: plot.y + plot.height + 16, text: formatTime(tick, step, first), size: FONT, color: COLORS.muted, anchor: 'middle' });
	}
	shapes.push({ kind: 'line', points: [[plot.x, plot.y + plot.height], [plot.x + plot.width, plot.y + plot.height]], stroke: COLORS.axis, width: 1 });
	shapes.push({ kind: 'text', x: plot.x + plot.width, y: height - 6, text: 'UTC', size: FONT, color: COLORS.muted, anchor: 'end' });

	// Line and band start at the last observation, so the eye follows history into the forecast.
	const lastObserved = lastFinite(history.t, history.v);
	const anchor: Array<[number, number]> = lastObserved && forecast.t.length > 0 && lastObserved[0] < forecast.t[0] ? [[x(lastObserved[0]), y(lastObserved[1])]] : [];
	if (band && forecast.t.length > 0) {
		const upper: Array<[number, number]> = forecast.t.map((t, i) => [x(t), y(band.upper[i])]);
		const lower: Array<[number, number]> = forecast.t.map((t, i): [number, number] => [x(t), y(band.lower[i])]).reverse();
		shapes.push({ kind: 'area', points: [...anchor, ...upper, ...lower], fill: COLORS.band, opacity: 0.35 });
	}
	for (const run of finiteRuns(history.t, history.v)) {
		shapes.push({ kind: 'line', points: run.map(([t, v]) => [x(t), y(v)]), stroke: COLORS.history, width: 1.5 });
	}
	const line: Array<[number, number]> = [...anchor, ...forecast.t.map((t, i): [number, number] => [x(t), y(forecast.line[i])])];
	if (forecast.t.length > 0) shapes.push({ kind: 'line', points: line, stroke: COLORS.forecast, width: 2 });
	if (spec.reference && Number.isFinite(spec.reference.value)) {
		const ry = y(spec.reference.value);
		shapes.push({ kind: 'line', points: [[plot.x, ry], [plot.x + plot.width, ry]], stroke: COLORS.reference, width: 1.5, dash: [6, 4] });
	}
	if (spec.now !== undefined && Number.isFinite(spec.now)) {
		const nx = x(spec.now);
		shapes.push({ kind: 'line', points: [[nx, plot.y], [nx, plot.y + plot.height]], stroke: COLORS.now, width: 1, dash: [4, 3] });
		shapes.push({ kind: 'text', x: nx - 3, y: plot.y + 12, text: 'now', size: FONT, color: COLORS.now, anchor: 'end' });
	}

	if (spec.title) shapes.push({ kind: 'text', x: 10, y: 18, text: clip(spec.title, width - 20, 13), size: 13, color: COLORS.text, anchor: 'start', bold: true });
	if (spec.subtitle) shapes.push({ kind: 'text', x: 10, y: 34, text: clip(spec.subtitle, width - 20, FONT), size: FONT, color: COLORS.muted, anchor: 'start' });
	legend(shapes, spec, width);

	return { width, height, shapes, description: describe(spec) };
}

function legend(shapes: Shape[], spec: ChartSpec, width: number): void {
	const entries: Array<{ label: string; color: string; kind: 'line' | 'area' | 'dash' }> = [{ label: 'history', color: COLORS.history, kind: 'line' }];
	const hasForecast = spec.forecast.t.length > 0;
	if (hasForecast) entries.push({ label: spec.forecast.lineLabel, color: COLORS.forecast, kind: 'line' });
	if (hasForecast && spec.forecast.lower && spec.forecast.upper) entries.push({ label: spec.forecast.bandLabel ?? 'band', color: COLORS.band, kind: 'area' });
	if (spec.reference) entries.push({ label: spec.reference.label, color: COLORS.reference, kind: 'dash' });
	let right = width - MARGIN.right;
	const baseline = MARGIN.top - 10;
	for (const entry of entries.reverse()) {
		const labelWidth = textWidth(entry.label, FONT);
		shapes.push({ kind: 'text', x: right, y: baseline, text: entry.label, size: FONT, color: COLORS.text, anchor: 'end' });
		const swatch = right - labelWidth - 22;
		if (entry.kind === 'area') shapes.push({ kind: 'rect', x: swatch, y: baseline - 9, width: 16, height: 10, fill: entry.color, opacity: 0.35 });
		else {
			shapes.push({
				kind: 'line',
				points: [[swatch, baseline - 4], [swatch + 16, baseline - 4]],
				stroke: entry.color,
				width: 2,
				...(entry.kind === 'dash' ? { dash: [4, 3] as [number, number] } : {}),
			});
		}
		right = swatch - 14;
	}
}

function describe(spec: ChartSpec): string {
	const parts = [spec.title ?? 'Forecast'];
	const n = spec.forecast.t.length;
	if (n > 0) {
		parts.push(
			`${spec.forecast.lineLabel} forecast from ${new Date(spec.forecast.t[0] * 1000).toISOString()} to ${new Date(spec.forecast.t[n - 1] * 1000).toISOString()}`,
		);
	}
	if (spec.reference) parts.push(spec.reference.label);
	return parts.join('; ');
}

/** Round tick values covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count: number): number[] {
	const rough = (max - min) / count;
	const magnitude = 10 ** Math.floor(Math.log10(rough));
	const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
	const first = Math.floor(min / step + 1e-9) * step;
	const ticks: number[] = [];
	for (let k = 0; first + k * step <= max + step * 0.999 && k < 50; k++) ticks.push(roundTo(first + k * step, step));
	return ticks;
}

function roundTo(value: number, step: number): number {
	const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
	return Number(value.toFixed(Math.min(12, decimals)));
}

/** A tick value in few characters: 12k, 1.5M, 0.25. */
export function formatValue(value: number, ticks: readonly number[]): string {
	const span = Math.max(...ticks.map(Math.abs));
	const [divisor, suffix] = span >= 1e9 ? [1e9, 'G'] : span >= 1e6 ? [1e6, 'M'] : span >= 1e4 ? [1e3, 'k'] : [1, ''];
	if (value === 0) return '0';
	const scaled = value / divisor;
	const text = Number(scaled.toPrecision(4)).toString();
	return `${text}${suffix}`;
}

export function timeStep(range: number, maxTicks: number): number {
	return TIME_STEPS.find((step) => range / step <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1];
}

/** Hours and minutes, with the date where it changes: on the first tick and at midnight. */
export function formatTime(seconds: number, step: number, first: boolean): string {
	const iso = new Date(seconds * 1000).toISOString();
	const date = iso.slice(5, 10);
	const time = iso.slice(11, 16);
	if (step >= 86_400) return date;
	return first || time === '00:00' || step >= 21_600 ? `${date} ${time}` : time;
}

function finiteRuns(t: readonly number[], v: ReadonlyArray<number | null>): Array<Array<[number, number]>> {
	const runs: Array<Array<[number, number]>> = [];
	let run: Array<[number, number]> = [];
	for (let i = 0; i < t.length; i++) {
		const value = v[i];
		if (value !== null && Number.isFinite(value) && Number.isFinite(t[i])) run.push([t[i], value]);
		else if (run.length > 0) {
			runs.push(run);
			run = [];
		}
	}
	if (run.length > 0) runs.push(run);
	return runs;
}

function lastFinite(t: readonly number[], v: ReadonlyArray<number | null>): [number, number] | null {
	for (let i = t.length - 1; i >= 0; i--) {
		const value = v[i];
		if (value !== null && Number.isFinite(value)) return [t[i], value];
	}
	return null;
}

function clip(text: string, width: number, size: number): string {
	const max = Math.floor(width / (size * 0.6));
	return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
