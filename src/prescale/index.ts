export { PRESCALE_DEFAULTS, PreScaleSettingsError, leadSeconds, resolvePreScaleSettings, type PreScaleSettings } from './settings';
export { floorProposal, floorRecommendation, forecastLevels, lastObserved, preScale, staleAfterSeconds, stepsToCover, type PreScaleOptions, type PreScaleRun } from './pipeline';
