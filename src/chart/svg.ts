import type { Scene, Shape } from './types';

/** A standalone SVG document: no scripts, no external references, so mail clients and chat previews can show it. */
export function sceneToSvg(scene: Scene): string {
	const body = scene.shapes.map(shape).join('\n');
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="Helvetica, Arial, sans-serif" role="img">`,
		`<title>${escape(scene.description)}</title>`,
		body,
		'</svg>',
		'',
	].join('\n');
}

function shape(s: Shape): string {
	switch (s.kind) {
		case 'rect':
			return `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.width)}" height="${n(s.height)}" fill="${s.fill}"${s.opacity !== undefined ? ` fill-opacity="${s.opacity}"` : ''}/>`;
		case 'line':
			return `<polyline points="${points(s.points)}" fill="none" stroke="${s.stroke}" stroke-width="${s.width}" stroke-linejoin="round" stroke-linecap="round"${s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}/>`;
		case 'area':
			return `<polygon points="${points(s.points)}" fill="${s.fill}" fill-opacity="${s.opacity}" stroke="none"/>`;
		case 'text':
			return `<text x="${n(s.x)}" y="${n(s.y)}" font-size="${s.size}" fill="${s.color}" text-anchor="${s.anchor}"${s.bold ? ' font-weight="bold"' : ''}>${escape(s.text)}</text>`;
	}
}

function points(list: ReadonlyArray<[number, number]>): string {
	return list.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
}

/** Two decimals are finer than any screen and keep long histories small. */
function n(value: number): string {
	return String(Math.round(value * 100) / 100);
}

/** XML-escaped; control characters (not allowed in XML 1.0) are dropped. */
function escape(text: string): string {
	return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
