import * as fs from 'node:fs';
import * as path from 'node:path';

import { readSeriesCsv } from '../../../src/forecast/csv';
import type { Series } from '../../../src/forecast/types';

/** NYC taxi passengers every 30 minutes (NAB, see test/fixtures/ATTRIBUTION.md). */
export function nycTaxi(): Series {
	const text = fs.readFileSync(path.join(__dirname, '../../fixtures/nyc_taxi.csv'), 'utf8');
	return readSeriesCsv(text).series;
}
