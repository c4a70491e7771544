import { deflateSync } from 'node:zlib';

import { GLYPH_ADVANCE, GLYPH_ASCENT, GLYPH_ROWS, GLYPH_WIDTH, glyph } from './font';
import type { Scene, Shape } from './types';

/**
 * Rasterises a scene into a PNG with no dependency beyond node:zlib: chat
 * tools and most mail clients show PNG inline but not SVG. Lines and areas
 * are anti-aliased; text uses the built-in bitmap font.
 */
export function sceneToPng(scene: Scene, pixelRatio = 2): Buffer {
	const canvas = new Canvas(Math.round(scene.width * pixelRatio), Math.round(scene.height * pixelRatio));
	for (const s of scene.shapes) draw(canvas, s, pixelRatio);
	return canvas.encode();
}

function draw(canvas: Canvas, s: Shape, r: number): void {
	switch (s.kind) {
		case 'rect':
			canvas.fillPolygon(
				[
					[s.x * r, s.y * r],
					[(s.x + s.width) * r, s.y * r],
					[(s.x + s.width) * r, (s.y + s.height) * r],
					[s.x * r, (s.y + s.height) * r],
				],
				parseColor(s.fill),
				s.opacity ?? 1,
			);
			return;
		case 'area':
			canvas.fillPolygon(
				s.points.map(([x, y]) => [x * r, y * r]),
				parseColor(s.fill),
				s.opacity,
			);
			return;
		case 'line': {
			const points = s.points.map(([x, y]): [number, number] => [x * r, y * r]);
			const segments = s.dash ? dashed(points, s.dash[0] * r, s.dash[1] * r) : [points];
			canvas.stroke(segments, parseColor(s.stroke), s.width * r);
			return;
		}
		case 'text': {
			// Integer scaling keeps the bitmap glyphs crisp; about 0.7 em cap height like a sans-serif font.
			const scale = Math.max(1, Math.round((s.size * 0.7 * r) / GLYPH_ASCENT));
			const chars = [...s.text];
			const width = (chars.length * GLYPH_ADVANCE - 1) * scale;
			let x = s.x * r - (s.anchor === 'end' ? width : s.anchor === 'middle' ? width / 2 : 0);
			const top = Math.round(s.y * r) - GLYPH_ASCENT * scale;
			const color = parseColor(s.color);
			for (const char of chars) {
				canvas.glyph(glyph(char), Math.round(x), top, scale, color, s.bold === true);
				x += GLYPH_ADVANCE * scale;
			}
			return;
		}
	}
}

// Module-level aliases: under a vm context (jest, sandboxed code) every global lookup inside the pixel loops is slow.
const { round, min, max, floor, ceil, sqrt } = Math;

type Rgb = [number, number, number];

function parseColor(hex: string): Rgb {
	const match = /^#([0-9a-f]{6})$/i.exec(hex);
	if (!match) throw new Error(`colour ${hex} is not #rrggbb`);
	const value = parseInt(match[1], 16);
	return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Splits a polyline into its dashes. */
function dashed(points: ReadonlyArray<[number, number]>, on: number, off: number): Array<Array<[number, number]>> {
	const dashes: Array<Array<[number, number]>> = [];
	let current: Array<[number, number]> = [];
	let drawing = true;
	let left = on;
	for (let i = 1; i < points.length; i++) {
		let [x0, y0] = points[i - 1];
		const [x1, y1] = points[i];
		let length = Math.hypot(x1 - x0, y1 - y0);
		while (length > 0) {
			const step = Math.min(left, length);
			const f = step / length;
			const x = x0 + (x1 - x0) * f;
			const y = y0 + (y1 - y0) * f;
			if (drawing) {
				if (current.length === 0) current.push([x0, y0]);
				current.push([x, y]);
			}
			[x0, y0] = [x, y];
			length -= step;
			left -= step;
			if (left <= 1e-9) {
				if (drawing && current.length > 1) dashes.push(current);
				current = [];
				drawing = !drawing;
				left = drawing ? on : off;
			}
		}
	}
	if (drawing && current.length > 1) dashes.push(current);
	return dashes;
}

class Canvas {
	private readonly pixels: Uint8Array;
	/** Per-pixel coverage of the stroke being drawn, so joints of one polyline are not painted twice. */
	private readonly coverage: Float32Array;

	constructor(
		readonly width: number,
		readonly height: number,
	) {
		this.pixels = new Uint8Array(width * height * 3).fill(255);
		this.coverage = new Float32Array(width * height);
	}

	private blend(index: number, [r, g, b]: Rgb, alpha: number): void {
		if (alpha <= 0) return;
		const a = min(1, alpha);
		const p = index * 3;
		this.pixels[p] = round(this.pixels[p] + (r - this.pixels[p]) * a);
		this.pixels[p + 1] = round(this.pixels[p + 1] + (g - this.pixels[p + 1]) * a);
		this.pixels[p + 2] = round(this.pixels[p + 2] + (b - this.pixels[p + 2]) * a);
	}

	/** Even-odd fill, four sub-scanlines per row for smooth edges. */
	fillPolygon(points: ReadonlyArray<[number, number]>, color: Rgb, opacity: number): void {
		if (points.length < 3) return;
		const ys = points.map(([, y]) => y);
		const top = max(0, floor(min(...ys)));
		const bottom = min(this.height - 1, ceil(max(...ys)));
		const row = new Float32Array(this.width);
		for (let py = top; py <= bottom; py++) {
			row.fill(0);
			let touched = false;
			for (let sub = 0; sub < 4; sub++) {
				const sy = py + (sub + 0.5) / 4;
				const crossings: number[] = [];
				for (let i = 0; i < points.length; i++) {
					const [xa, ya] = points[i];
					const [xb, yb] = points[(i + 1) % points.length];
					if (ya <= sy !== yb <= sy) crossings.push(xa + ((sy - ya) / (yb - ya)) * (xb - xa));
				}
				crossings.sort((a, b) => a - b);
				for (let k = 0; k + 1 < crossings.length; k += 2) {
					const x0 = max(0, crossings[k]);
					const x1 = min(this.width, crossings[k + 1]);
					for (let px = floor(x0); px < x1; px++) {
						row[px] += (min(px + 1, x1) - max(px, x0)) / 4;
						touched = true;
					}
				}
			}
			if (!touched) continue;
			for (let px = 0; px < this.width; px++) if (row[px] > 0) this.blend(py * this.width + px, color, row[px] * opacity);
		}
	}

	/** Each run is a polyline of the given width; coverage is the distance from the pixel centre to the nearest segment. */
	stroke(runs: ReadonlyArray<ReadonlyArray<[number, number]>>, color: Rgb, width: number): void {
		const half = max(0.5, width / 2);
		const touched: number[] = [];
		for (const run of runs) {
			for (let i = 0; i + 1 < run.length; i++) {
				const [x0, y0] = run[i];
				const [x1, y1] = run[i + 1];
				const left = max(0, floor(min(x0, x1) - half - 1));
				const right = min(this.width - 1, ceil(max(x0, x1) + half + 1));
				const top = max(0, floor(min(y0, y1) - half - 1));
				const bottom = min(this.height - 1, ceil(max(y0, y1) + half + 1));
				const dx = x1 - x0;
				const dy = y1 - y0;
				const length2 = dx * dx + dy * dy;
				for (let py = top; py <= bottom; py++) {
					for (let px = left; px <= right; px++) {
						const cx = px + 0.5;
						const cy = py + 0.5;
						const u = length2 > 0 ? max(0, min(1, ((cx - x0) * dx + (cy - y0) * dy) / length2)) : 0;
						const ex = cx - (x0 + u * dx);
						const ey = cy - (y0 + u * dy);
						const distance = sqrt(ex * ex + ey * ey);
						const cover = min(1, half + 0.5 - distance);
						if (cover <= 0) continue;
						const index = py * this.width + px;
						if (this.coverage[index] === 0) touched.push(index);
						if (cover > this.coverage[index]) this.coverage[index] = cover;
					}
				}
			}
			for (const index of touched) {
				this.blend(index, color, this.coverage[index]);
				this.coverage[index] = 0;
			}
			touched.length = 0;
		}
	}

	glyph(rows: Uint8Array, left: number, top: number, scale: number, color: Rgb, bold: boolean): void {
		for (let r = 0; r < GLYPH_ROWS; r++) {
			const bits = rows[r];
			if (bits === 0) continue;
			for (let c = 0; c < GLYPH_WIDTH; c++) {
				if (!(bits & (1 << (GLYPH_WIDTH - 1 - c)))) continue;
				const extra = bold ? max(1, scale >> 1) : 0;
				for (let y = top + r * scale; y < top + (r + 1) * scale; y++) {
					if (y < 0 || y >= this.height) continue;
					for (let x = left + c * scale; x < left + (c + 1) * scale + extra; x++) {
						if (x >= 0 && x < this.width) this.blend(y * this.width + x, color, 1);
					}
				}
			}
		}
	}

	encode(): Buffer {
		const stride = this.width * 3;
		const raw = Buffer.alloc((stride + 1) * this.height);
		for (let y = 0; y < this.height; y++) {
			// Filter 1 (Sub): flat backgrounds become runs of zeros, which deflate well.
			const out = y * (stride + 1);
			raw[out] = 1;
			for (let i = 0; i < stride; i++) {
				const value = this.pixels[y * stride + i];
				raw[out + 1 + i] = (value - (i >= 3 ? this.pixels[y * stride + i - 3] : 0)) & 255;
			}
		}
		const header = Buffer.alloc(13);
		header.writeUInt32BE(this.width, 0);
		header.writeUInt32BE(this.height, 4);
		header[8] = 8; // bit depth
		header[9] = 2; // truecolour RGB
		return Buffer.concat([
			Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
			chunk('IHDR', header),
			chunk('IDAT', deflateSync(raw, { level: 9 })),
			chunk('IEND', Buffer.alloc(0)),
		]);
	}
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

export function crc32(data: Uint8Array): number {
	let c = 0xffffffff;
	for (const byte of data) c = CRC_TABLE[(c ^ byte) & 255] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
