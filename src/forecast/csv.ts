import type { Series } from './types';

export interface CsvSeries {
	series: Series;
	/** Header name of the value column read. */
	column: string;
}

/**
 * Timestamp of a CSV cell or command-line value, in unix seconds. Accepts
 * ISO 8601 (a missing zone means UTC), `YYYY-MM-DD HH:MM:SS` (UTC), and plain
 * numbers as unix seconds (or milliseconds when above 1e12).
 */
export function parseTimestamp(text: string): number {
	const value = text.trim();
	if (/^-?\d+(\.\d+)?$/.test(value)) {
		const number = Number(value);
		return number > 1e12 ? number / 1000 : number;
	}
	const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
	if (!match) throw new Error(`"${text}" is not a timestamp (ISO 8601, "YYYY-MM-DD HH:MM:SS" or unix seconds)`);
	const [, date, time = '00:00:00', zone = 'Z'] = match;
	const normalisedZone = zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
	const ms = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}${normalisedZone}`);
	if (!Number.isFinite(ms)) throw new Error(`"${text}" is not a valid date`);
	return ms / 1000;
}

/** Splits CSV text into rows of cells; handles quotes, doubled quotes inside them, and CRLF. */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') quoted = false;
			else cell += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			row.push(cell);
			cell = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
		} else cell += c;
	}
	if (cell !== '' || row.length > 0) {
		row.push(cell);
		rows.push(row);
	}
	return rows.filter((r) => r.length > 1 || r[0].trim() !== '');
}

/**
 * Reads one value column of a CSV whose first column is the timestamp. An
 * empty cell (or NaN) is a gap, kept as null. `column` is a header name or a
 * 0-based position (0 is the timestamp); default the first value column.
 * With `until`, rows after that time are dropped before anything else sees
 * them, so a forecast made "as of" then cannot look ahead.
 */
export function readSeriesCsv(text: string, column: string | number = 1, until?: number | string): CsvSeries {
	const rows = parseCsv(text);
	if (rows.length === 0) throw new Error('the CSV is empty');
	const header = rows[0].map((h) => h.trim());
	let index: number;
	if (typeof column === 'number' || /^\d+$/.test(column)) {
		index = Number(column);
		if (index === 0) throw new Error('column 0 is the timestamp; pick a value column (1 or more, or a name)');
		if (index >= header.length) throw new Error(`column ${index} does not exist; the header has ${header.length} columns`);
	} else {
		index = header.indexOf(column.trim());
		if (index < 0) throw new Error(`no column "${column}"; the header has: ${header.join(', ')}`);
		if (index === 0) throw new Error(`"${column}" is the timestamp column; pick a value column`);
	}
	const limit = until === undefined ? Infinity : typeof until === 'number' ? until : parseTimestamp(until);
	const t: number[] = [];
	const v: Array<number | null> = [];
	for (let r = 1; r < rows.length; r++) {
		const cells = rows[r];
		let time: number;
		try {
			time = parseTimestamp(cells[0]);
		} catch (error) {
			throw new Error(`line ${r + 1}: ${(error as Error).message}`);
		}
		if (time > limit) continue;
		const raw = (cells[index] ?? '').trim();
		let value: number | null = null;
		if (raw !== '' && raw.toLowerCase() !== 'nan' && raw.toLowerCase() !== 'null') {
			value = Number(raw);
			if (!Number.isFinite(value)) throw new Error(`line ${r + 1}: "${raw}" in column "${header[index]}" is not a number`);
		}
		t.push(time);
		v.push(value);
	}
	return { series: { t, v }, column: header[index] };
}
