import { inflateSync } from 'node:zlib';

import { crc32, formatValue, layoutChart, niceTicks, renderChart, sceneToPng, sceneToSvg, type ChartSpec } from '../../../src/chart';
import { GLYPH_ROWS, glyph } from '../../../src/chart/font';

/** The dependency-free chart renderer: layout shared by SVG and PNG. */

const T0 = 1_800_000_000;

function spec(overrides: Partial<ChartSpec> = {}): ChartSpec {
	const history = Array.from({ length: 24 }, (_, i) => T0 + i * 900);
	const future = Array.from({ length: 8 }, (_, i) => T0 + 24 * 900 + i * 900);
	return {
		title: 'checkout <requests/s> & more',
		subtitle: '12 replicas for p90 demand 540',
		history: { t: history, v: history.map((_, i) => (i === 5 ? null : 400 + 100 * Math.sin(i / 4))) },
		forecast: {
			t: future,
			line: future.map((_, i) => 450 + 10 * i),
			lineLabel: 'p50 forecast',
			lower: future.map((_, i) => 400 + 5 * i),
			upper: future.map((_, i) => 500 + 15 * i),
			bandLabel: 'p10-p90',
		},
		now: T0 + 23 * 900,
		reference: { value: 600, label: 'capacity of 12 pods' },
		...overrides,
	};
}

describe('layout', () => {
	test('axes start at zero for demand-like series and ticks are round numbers', () => {
		expect(niceTicks(0, 640, 5)).toEqual([0, 200, 400, 600, 800]);
		expect(niceTicks(0.11, 0.93, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
		expect(niceTicks(80, 97, 5)).toEqual([80, 85, 90, 95, 100]);
		expect([0, 12_000, 1_500_000].map((v) => formatValue(v, [0, 1_500_000]))).toEqual(['0', '0.012M', '1.5M']);
		expect([0, 2500, 30_000].map((v) => formatValue(v, [0, 30_000]))).toEqual(['0', '2.5k', '30k']);
		expect(formatValue(0.25, [0, 0.25, 0.5])).toBe('0.25');
	});

	test('a gap splits the history line; the forecast line starts at the last observation', () => {
		const scene = layoutChart(spec());
		const lines = scene.shapes.filter((s) => s.kind === 'line' && (s.stroke === '#1f6fb2' || s.stroke === '#e8710a') && s.width > 1.4);
		// History in two runs around the gap at index 5, then the forecast; legend swatches are 2 px too but only two points.
		const long = lines.filter((s) => s.kind === 'line' && s.points.length > 2);
		expect(long.map((s) => (s.kind === 'line' ? s.points.length : 0))).toEqual([5, 18, 9]);
		const [, second, forecastLine] = long;
		if (second.kind !== 'line' || forecastLine.kind !== 'line') throw new Error('not lines');
		expect(forecastLine.points[0]).toEqual(second.points[second.points.length - 1]);
		expect(scene.shapes.filter((s) => s.kind === 'area')).toHaveLength(1);
	});

	test('time labels are UTC with the date on the first tick', () => {
		const texts = layoutChart(spec()).shapes.flatMap((s) => (s.kind === 'text' ? [s.text] : []));
		// T0 = 2027-01-15T08:00:00Z.
		expect(texts).toContain('01-15 08:00');
		expect(texts).toContain('10:00');
		expect(texts).toContain('UTC');
		expect(texts).toContain('now');
	});

	test('nothing finite to draw is an error, not an empty picture', () => {
		expect(() => layoutChart(spec({ history: { t: [T0], v: [null] }, forecast: { t: [], line: [], lineLabel: 'p50' }, reference: undefined }))).toThrow(
			/nothing to draw/,
		);
	});
});

describe('SVG', () => {
	test('is standalone, escaped, and carries a description for screen readers', () => {
		const svg = sceneToSvg(layoutChart(spec({ title: 'a\u0001b <c> & "d"' })));
		expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="360" viewBox="0 0 800 360"')).toBe(true);
		expect(svg).toContain('<title>ab &lt;c&gt; &amp; &quot;d&quot;; p50 forecast forecast from 2027-01-15T14:00:00.000Z');
		expect(svg).not.toMatch(/<script|href=/);
		expect(svg).toContain('stroke-dasharray="6 4"');
		expect(svg.match(/<polyline/g)!.length).toBeGreaterThan(5);
	});
});

describe('PNG', () => {
	function decode(png: Buffer): { width: number; height: number; pixel: (x: number, y: number) => [number, number, number] } {
		expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		let offset = 8;
		let width = 0;
		let height = 0;
		const idat: Buffer[] = [];
		while (offset < png.length) {
			const length = png.readUInt32BE(offset);
			const type = png.toString('ascii', offset + 4, offset + 8);
			const data = png.subarray(offset + 8, offset + 8 + length);
			expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
			if (type === 'IHDR') {
				width = data.readUInt32BE(0);
				height = data.readUInt32BE(4);
				expect([data[8], data[9], data[10], data[11], data[12]]).toEqual([8, 2, 0, 0, 0]);
			}
			if (type === 'IDAT') idat.push(data);
			offset += 12 + length;
		}
		const raw = inflateSync(Buffer.concat(idat));
		const stride = width * 3;
		expect(raw.length).toBe((stride + 1) * height);
		const rows: Uint8Array[] = [];
		for (let y = 0; y < height; y++) {
			const filter = raw[y * (stride + 1)];
			expect(filter).toBe(1);
			const row = new Uint8Array(stride);
			for (let i = 0; i < stride; i++) row[i] = (raw[y * (stride + 1) + 1 + i] + (i >= 3 ? row[i - 3] : 0)) & 255;
			rows.push(row);
		}
		return { width, height, pixel: (x, y) => [rows[y][x * 3], rows[y][x * 3 + 1], rows[y][x * 3 + 2]] };
	}

	test('a valid RGB image at twice the size, CRCs and filters as the spec says', () => {
		const image = decode(sceneToPng(layoutChart(spec())));
		expect([image.width, image.height]).toEqual([1600, 720]);
		expect(image.pixel(2, 2)).toEqual([255, 255, 255]);
	});

	test('draws the lines, the band and the text where the layout puts them', () => {
		const scene = layoutChart(spec());
		const image = decode(sceneToPng(scene, 1));
		const forecastLine = scene.shapes.find((s) => s.kind === 'line' && s.stroke === '#e8710a' && s.points.length > 2);
		if (!forecastLine || forecastLine.kind !== 'line') throw new Error('no forecast line');
		const [x, y] = forecastLine.points[3];
		const [r, g, b] = image.pixel(Math.floor(x), Math.floor(y));
		// Orange (#e8710a) where the p50 line runs.
		expect(r).toBeGreaterThan(200);
		expect(g).toBeLessThan(170);
		expect(b).toBeLessThan(120);
		// Band: light orange, between the p50 line and the upper edge a few pixels below it.
		const band = scene.shapes.find((s) => s.kind === 'area');
		if (!band || band.kind !== 'area') throw new Error('no band');
		const [bx, by] = band.points[5];
		const inside = image.pixel(Math.floor(bx), Math.floor(by) + 4);
		expect(inside[0]).toBeGreaterThan(inside[2] + 40);
		// Some dark text pixels in the title area.
		let dark = 0;
		for (let px = 10; px < 200; px++) for (let py = 6; py < 20; py++) if (image.pixel(px, py)[0] < 100) dark++;
		expect(dark).toBeGreaterThan(50);
	});

	test('renders quickly enough for a node that charts every series', () => {
		const scene = layoutChart(spec());
		sceneToPng(scene);
		const started = process.hrtime.bigint();
		sceneToPng(scene);
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		expect(ms).toBeLessThan(1500);
	});
});

test('renderChart gives the bytes, the MIME type and the extension', () => {
	const svg = renderChart(spec(), 'svg');
	expect(svg.mimeType).toBe('image/svg+xml');
	expect(svg.fileExtension).toBe('svg');
	expect(svg.data.toString('utf8')).toMatch(/^<svg /);
	const png = renderChart(spec(), 'png');
	expect([png.mimeType, png.fileExtension]).toEqual(['image/png', 'png']);
});

test('the font has a glyph for every printable ASCII character we draw, and a fallback', () => {
	for (const char of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:-+/()[]{}%=_"\'?!#*|<>') {
		expect(glyph(char).some((row) => row !== 0)).toBe(true);
	}
	expect(glyph('–')).toEqual(glyph('-'));
	expect(glyph('\u2603')).toEqual(glyph('?'));
	expect(glyph(' ').every((row) => row === 0)).toBe(true);
	expect(glyph('g')[GLYPH_ROWS - 1]).not.toBe(0);
});
