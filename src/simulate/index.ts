export { simulate, resolveOptions, prescaleSettings, POLICY_NAMES, type PolicyName, type PolicyRun, shortMinutesReduction, type Scores, type SimulationOptions, type SimulationResult } from './simulate';
export { HorizontalPodAutoscaler, replicasForMetric, DEFAULT_HPA_BEHAVIOR, DEFAULT_TOLERANCE, DEFAULT_SYNC_SECONDS } from './hpa';
export type { HpaBehavior, HpaOptions, MetricReading, ScalingPolicy, ScalingRules } from './hpa';
export { PodPool } from './pods';
export { minuteDemand, bucketDemand, DemandError, type MinuteDemand, type DemandBuckets } from './demand';
export { PreScalingLoop, simulationPolicy, SIMULATION_TARGET, type LoopDecision, type PreScalingSettings } from './predictive';
export { compare, renderChart, renderSummary, scoresJson, TARGET, type Comparison, type SummaryContext } from './report';
export { tune, alignedOffset, chooseSetting, tunedPolicy, paretoFrontier, TuneError, DEFAULT_TUNE_GRID, type TuneGrid, type TuneOptions, type TunePoint, type TuneResult, type TuneTarget, type TunedSettings } from './tune';
export { tuneJson, renderTuneChart, renderTuneSummary, policyYaml, policySnippet, forecastNodeParameters, scheduleCron, cooldownNote, hpaBehavior, describeSettings } from './tuneReport';
