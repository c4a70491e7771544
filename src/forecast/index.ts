export { forecast, DEFAULT_QUANTILES } from './forecast';
export { replicasFromForecast, type ReplicaOptions, type ReplicaRecommendation } from './replicas';
export { readSeriesCsv, parseTimestamp, parseCsv, type CsvSeries } from './csv';
export { parseHorizon, parseQuantiles, parseSeasons } from './options';
export { forecastToJson } from './json';
export { detectSeasons, calendarSeasons, type SeasonalityReport, type SeasonTest } from './seasonality';
export { toRegularGrid, inferIntervalSeconds, type RegularSeries } from './grid';
export type * from './types';
