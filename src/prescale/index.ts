export { PRESCALE_DEFAULTS, PreScaleSettingsError, leadSeconds, resolvePreScaleSettings, type PreScaleSettings } from './settings';
export { floorProposal, floorRecommendation, forecastLevels, lastObserved, preScale, staleAfterSeconds, stepsToCover, type PreScaleOptions, type PreScaleRun } from './pipeline';
export { forecastSeries, type ChartBand, type ReplicaSettings, type SeriesResult, type SeriesSettings } from './forecastSeries';
export { SettingsError, booleanSetting, horizonSteps, numberSetting, quantileList, seasonSteps, validDuration, type Seasonality } from './seriesSettings';
