export * from './faithfulness';
export * from './segments';
export * from './stats';
export { contextSuffZero, DEFAULT_METRIC_OPTIONS, deletionCurve, faithfulness, type FaithfulnessResult, type MetricOptions } from './evaluate';
