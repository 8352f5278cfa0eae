// The app's one door to the layers below (src/layers.test.ts enforces it): the worker client and the
// protocol's types, and the pure engine functions the page computes with itself (β/γ recombination,
// granularity, cost estimates, link and file parsing). Nothing here runs a model on the main thread.

export { AttributionClient, CancelledError, type Job, type WorkerLike } from '../worker/client';
export type {
  BackendPreference,
  CompareEvent,
  FileProgress,
  GenerationEvent,
  JobProgress,
  LocalFile,
  ModelCard,
  Preview,
  ProgressStage,
  QuantScheme,
  StoredModelInfo,
  StoredModels,
} from '../worker/protocol';
export { hubStoreKey, localSpec, specKind } from '../worker/modelSpec';
export { readDeviceMemory } from '../worker/deviceMemory';

export type { AttributionParams, AttributionResult, TargetRequest, TokenTarget } from '../engine/attribution/schema';
export { DEFAULT_PARAMS, inTextTokens, probesUsed } from '../engine/attribution/schema';
export { hetaScores, type ComponentScaling } from '../engine/attribution/components';
export { GRANULARITIES, resultText, segmentsOf, withGranularity, type Granularity } from '../engine/attribution/granularity';
export { parseResultFile, requestOf } from '../engine/attribution/resultFile';
export { GENERATION_SCHEMA, GENERATION_SCHEMA_VERSION, MAX_GENERATED, type GenerationResult } from '../engine/attribution/generation';
export type { GeneratedText, Prediction } from '../engine/model/languageModel';
export type { Token } from '../engine/tokenizer/tokenizer';
export { METHODS, type AttributionMethod, type MethodFamily } from '../engine/baselines/methods';
export type { Comparison, CompareRow } from '../engine/eval/compare';
export { CURVE_FRACTIONS } from '../engine/metrics/faithfulness';
export { spearman } from '../engine/metrics/stats';
export { attributionWork, forwardFlops } from '../engine/model/cost';
export { CATALOG, catalogEstimate, ESTIMATE_TOKENS } from '../engine/model/catalog';
export type { DeviceMemory } from '../engine/model/memoryPlan';
export { DEFAULT_HUB_URL, formatHubSpec, HubRefError, normalizeHubUrl, parseHubInput, parseHubSpec } from '../engine/hub/hubRef';
export { describeLimit, LIMITS, withinLimit, type LimitName } from '../engine/limits';
export { formatBytes, formatSeconds } from '../engine/units';
