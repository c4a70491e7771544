/** What a forecast chart shows. Times are unix seconds; null marks a gap. */
export interface ChartSpec {
	title?: string;
	/** A second, smaller line under the title (model, horizon, ...). */
	subtitle?: string;
	history: { t: number[]; v: Array<number | null> };
	forecast: {
		t: number[];
		/** The central line, e.g. the 0.5 quantile. */
		line: number[];
		lineLabel: string;
		/** Lower and upper edges of the uncertainty band; both or neither. */
		lower?: number[];
		upper?: number[];
		bandLabel?: string;
	};
	/** The decision time, drawn as a vertical marker. */
	now?: number;
	/** A horizontal reference such as the capacity of the recommended replicas. */
	reference?: { value: number; label: string };
	/** Size in CSS pixels. Default 800 x 360. */
	width?: number;
	height?: number;
}

export type ChartFormat = 'svg' | 'png';

/** Drawing primitives: the layout is computed once and drawn by each renderer alike. */
export type Shape =
	| { kind: 'rect'; x: number; y: number; width: number; height: number; fill: string; opacity?: number }
	| { kind: 'line'; points: Array<[number, number]>; stroke: string; width: number; dash?: [number, number] }
	| { kind: 'area'; points: Array<[number, number]>; fill: string; opacity: number }
	| {
			kind: 'text';
			x: number;
			/** Baseline. */
			y: number;
			text: string;
			size: number;
			color: string;
			anchor: 'start' | 'middle' | 'end';
			bold?: boolean;
	  };

export interface Scene {
	width: number;
	height: number;
	/** Painted in order. */
	shapes: Shape[];
	/** A one-sentence description for screen readers (SVG <title>). */
	description: string;
}
