import { layoutChart } from './layout';
import { sceneToPng } from './png';
import { sceneToSvg } from './svg';
import type { ChartFormat, ChartSpec } from './types';

export { layoutChart, niceTicks, formatValue } from './layout';
export { sceneToSvg } from './svg';
export { sceneToPng, crc32 } from './png';
export type * from './types';

export interface RenderedChart {
	data: Buffer;
	mimeType: 'image/svg+xml' | 'image/png';
	fileExtension: 'svg' | 'png';
}

/** History plus forecast band as an image, ready to attach to a message. */
export function renderChart(spec: ChartSpec, format: ChartFormat): RenderedChart {
	const scene = layoutChart(spec);
	if (format === 'png') return { data: sceneToPng(scene), mimeType: 'image/png', fileExtension: 'png' };
	return { data: Buffer.from(sceneToSvg(scene), 'utf8'), mimeType: 'image/svg+xml', fileExtension: 'svg' };
}
