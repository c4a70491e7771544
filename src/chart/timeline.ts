import { formatTime, formatValue, niceTicks, textWidth, timeStep } from './layout';
import type { Scene, Shape } from './types';

/**
 * Lines over time with shaded periods: the replay simulator's chart (demand,
 * the ready capacity under each policy, the minutes each was short). Same
 * look and renderers as the forecast chart; times are UTC.
 */
export interface TimelineSpec {
	title?: string;
	subtitle?: string;
	lines: Array<{ label: string; color: string; t: number[]; v: Array<number | null>; width?: number; dash?: [number, number] }>;
	/** Shaded spans [from, to) in unix seconds, drawn behind the lines. */
	periods?: Array<{ label: string; color: string; spans: Array<[number, number]> }>;
	width?: number;
	height?: number;
}

const MARGIN = { left: 58, right: 18, top: 64, bottom: 38 };
const FONT = 11;

export function layoutTimeline(spec: TimelineSpec): Scene {
	const width = spec.width ?? 1000;
	const height = spec.height ?? 400;
	const plot = { x: MARGIN.left, y: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };
	const times = spec.lines.flatMap((l) => l.t).filter(Number.isFinite);
	const values = spec.lines.flatMap((l) => l.v).filter((v): v is number => v !== null && Number.isFinite(v));
	if (times.length === 0 || values.length === 0) throw new Error('nothing to draw: no finite times or values');
	const t0 = Math.min(...times);
	const t1 = Math.max(t0 + 60, Math.max(...times));
	const yTicks = niceTicks(0, Math.max(...values, 1e-9), 5);
	const v1 = yTicks[yTicks.length - 1];
	const x = (t: number): number => plot.x + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * plot.width;
	const y = (v: number): number => plot.y + plot.height - (v / v1) * plot.height;
	const shapes: Shape[] = [{ kind: 'rect', x: 0, y: 0, width, height, fill: '#ffffff' }];

	for (const period of spec.periods ?? []) {
		for (const [from, to] of period.spans) {
			const left = x(from);
			shapes.push({ kind: 'rect', x: left, y: plot.y, width: Math.max(1, x(to) - left), height: plot.height, fill: period.color, opacity: 0.28 });
		}
	}
	for (const tick of yTicks) {
		shapes.push({ kind: 'line', points: [[plot.x, y(tick)], [plot.x + plot.width, y(tick)]], stroke: '#e5e7eb', width: 1 });
		shapes.push({ kind: 'text', x: plot.x - 6, y: y(tick) + FONT * 0.35, text: formatValue(tick, yTicks), size: FONT, color: '#4b5563', anchor: 'end' });
	}
	const step = timeStep(t1 - t0, Math.max(2, Math.floor(plot.width / 95)));
	for (let tick = Math.ceil(t0 / step) * step, first = true; tick <= t1; tick += step, first = false) {
		const px = x(tick);
		shapes.push({ kind: 'line', points: [[px, plot.y + plot.height], [px, plot.y + plot.height + 4]], stroke: '#6b7280', width: 1 });
		shapes.push({ kind: 'text', x: px, y: plot.y + plot.height + 16, text: formatTime(tick, step, first), size: FONT, color: '#4b5563', anchor: 'middle' });
	}
	shapes.push({ kind: 'line', points: [[plot.x, plot.y + plot.height], [plot.x + plot.width, plot.y + plot.height]], stroke: '#6b7280', width: 1 });
	shapes.push({ kind: 'text', x: plot.x + plot.width, y: height - 6, text: 'UTC', size: FONT, color: '#4b5563', anchor: 'end' });

	for (const line of spec.lines) {
		for (const run of runs(line.t, line.v)) {
			shapes.push({ kind: 'line', points: run.map(([t, v]) => [x(t), y(v)]), stroke: line.color, width: line.width ?? 1.5, ...(line.dash ? { dash: line.dash } : {}) });
		}
	}
	if (spec.title) shapes.push({ kind: 'text', x: 10, y: 18, text: spec.title, size: 13, color: '#111827', anchor: 'start', bold: true });
	if (spec.subtitle) shapes.push({ kind: 'text', x: 10, y: 34, text: spec.subtitle, size: FONT, color: '#4b5563', anchor: 'start' });
	legend(shapes, spec, width);
	return { width, height, shapes, description: [spec.title ?? 'Timeline', ...spec.lines.map((l) => l.label), ...(spec.periods ?? []).map((p) => p.label)].join('; ') };
}

function legend(shapes: Shape[], spec: TimelineSpec, width: number): void {
	const entries = [
		...spec.lines.map((l) => ({ label: l.label, color: l.color, area: false, dash: l.dash })),
		...(spec.periods ?? []).map((p) => ({ label: p.label, color: p.color, area: true, dash: undefined })),
	];
	let right = width - MARGIN.right;
	const baseline = MARGIN.top - 12;
	for (const entry of entries.reverse()) {
		shapes.push({ kind: 'text', x: right, y: baseline, text: entry.label, size: FONT, color: '#111827', anchor: 'end' });
		const swatch = right - textWidth(entry.label, FONT) - 22;
		if (entry.area) shapes.push({ kind: 'rect', x: swatch, y: baseline - 9, width: 16, height: 10, fill: entry.color, opacity: 0.28 });
		else shapes.push({ kind: 'line', points: [[swatch, baseline - 4], [swatch + 16, baseline - 4]], stroke: entry.color, width: 2, ...(entry.dash ? { dash: entry.dash } : {}) });
		right = swatch - 14;
	}
}

function runs(t: readonly number[], v: ReadonlyArray<number | null>): Array<Array<[number, number]>> {
	const out: Array<Array<[number, number]>> = [];
	let run: Array<[number, number]> = [];
	for (let i = 0; i < t.length; i++) {
		const value = v[i];
		if (value !== null && Number.isFinite(value)) run.push([t[i], value]);
		else if (run.length > 0) {
			out.push(run);
			run = [];
		}
	}
	if (run.length > 0) out.push(run);
	return out;
}
