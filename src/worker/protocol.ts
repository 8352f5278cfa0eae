// The one message protocol between the UI and the attribution worker. Requests and responses are
// separate unions so payloads are never optional; every switch over them ends in a `never` check.

import type { ModelConfig } from '../engine/checkpoint/types';
import type { AttributionParams, AttributionResult, TargetRequest, TokenTarget } from '../engine/attribution/schema';
import type { Prediction } from '../engine/attribution/schema';
import type { GenerationResult } from '../engine/attribution/generation';
import type { GeneratedText } from '../engine/model/languageModel';
import type { Token } from '../engine/tokenizer/tokenizer';
import type { FileProgress } from '../engine/hub/hubSource';
import type { HubRef } from '../engine/hub/hubRef';
import type { QuantScheme } from '../engine/quant/quantize';
import type { StoredModelInfo } from './bundleCache';
import type { Comparison, CompareRow } from '../engine/eval/compare';

// The UI's whole view of the engine: result types, and the pure recombination of cached components
// (a β/γ change needs no worker run).
export type { AttributionParams, AttributionResult, GeneratedText, GenerationResult, Prediction, TargetRequest, Token, TokenTarget };
export { hetaScores } from '../engine/attribution/components';
export { DEFAULT_PARAMS, probesUsed } from '../engine/attribution/schema';
export { GENERATION_SCHEMA, GENERATION_SCHEMA_VERSION, MAX_GENERATED } from '../engine/attribution/generation';
// The comparison view: the method catalogue (ids, labels, families), the curve fractions and rank correlation.
export type { Comparison, CompareRow };
export { METHODS, type AttributionMethod, type MethodFamily } from '../engine/baselines/methods';
export { CURVE_FRACTIONS } from '../engine/metrics/faithfulness';
export { spearman } from '../engine/metrics/stats';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface ModelCard {
  id: string;
  architecture: string;
  parameters: number;
  quantization: string;
  layers: number;
  heads: number;
  hiddenSize: number;
  vocabSize: number;
  maxPositions: number;
  backend: 'webgpu' | 'wasm' | 'cpu';
  /** What runs and, after a fallback, why WebGPU is not used. */
  backendDetail: string;
  /** Where the bundle came from, e.g. "compiled in this browser and stored" or "from browser storage". */
  origin?: string;
  /** Memory estimate against the device (models loaded by id or from a folder). */
  memory?: { verdict: 'ok' | 'downsized'; message: string };
  /** Something the user should know about this load (e.g. it could not be stored and runs from memory). */
  notice?: string;
  /** The full config, for cost estimates (the picker's time per model comes from this model's measured speed). */
  config?: ModelConfig;
}

/** A file of a folder the user picked or dropped, under its name inside that folder. */
export interface LocalFile {
  name: string;
  file: File;
}

export type { FileProgress, HubRef, QuantScheme, StoredModelInfo };

/** Stored bundles and the browser's storage estimate (null where it gives none). */
export interface StoredModels {
  models: StoredModelInfo[];
  usage: { usedBytes: number; quotaBytes: number } | null;
}

export type WorkerRequest =
  | { type: 'load-model'; requestId: number; baseUrl: string; prefer: BackendPreference }
  | { type: 'predict'; requestId: number; prompt: string }
  | { type: 'attribute'; requestId: number; prompt: string; target: TargetRequest; params: Partial<AttributionParams> }
  /** Generate `steps` tokens greedily, then attribute each of them (target × source matrix). */
  | { type: 'attribute-generation'; requestId: number; prompt: string; steps: number; params: Partial<AttributionParams> }
  | { type: 'cancel'; requestId: number }
  /** Bring your own model: download by id from a hub, compile in the worker, store; or load it from storage. */
  | { type: 'load-hub-model'; requestId: number; ref: HubRef; quant: QuantScheme; prefer: BackendPreference }
  /** A picked or dropped folder: a checkpoint (compiled and stored) or a prebuilt bundle. */
  | { type: 'load-local-model'; requestId: number; label: string; files: LocalFile[]; quant: QuantScheme; prefer: BackendPreference }
  | { type: 'load-stored-model'; requestId: number; key: string; prefer: BackendPreference }
  | { type: 'list-stored-models'; requestId: number }
  | { type: 'delete-stored-model'; requestId: number; key: string }
  /** Several attribution methods for one prompt and target, each with its deletion curve; `heta` is the attribution already shown (reused). */
  | { type: 'compare'; requestId: number; prompt: string; target: TargetRequest; methods: string[]; params: Partial<AttributionParams>; heta?: AttributionResult };

export type ProgressStage = 'download' | 'compile' | 'load' | 'inspect' | 'masked' | 'hessian';

export type WorkerResponse =
  | { type: 'model-loaded'; requestId: number; model: ModelCard }
  /** `forwardMs`: the forward pass's own time, what a run's first time estimate scales from. */
  | { type: 'predicted'; requestId: number; tokens: Token[]; predictions: Prediction[]; forwardMs: number }
  /** `remainingMs`: an attribution's time left, once the Hessian phase has measured its speed. */
  | { type: 'progress'; requestId: number; stage: ProgressStage; done: number; total: number; detail: string; partial?: AttributionResult; files?: FileProgress[]; remainingMs?: number }
  | { type: 'stored-models'; requestId: number; stored: StoredModels }
  | { type: 'result'; requestId: number; result: AttributionResult }
  /** attribute-generation: the generated text first, then each finished row, and stage progress of the current row. */
  | { type: 'generation-progress'; requestId: number; event: GenerationEvent }
  | { type: 'generation-result'; requestId: number; result: GenerationResult }
  /** compare: each method's row when it is done, and progress inside the method being computed. */
  | { type: 'compare-progress'; requestId: number; event: CompareEvent }
  | { type: 'compare-result'; requestId: number; comparison: Comparison }
  | { type: 'cancelled'; requestId: number }
  | { type: 'error'; requestId: number; message: string };

export type GenerationEvent =
  | { kind: 'generated'; generated: GeneratedText }
  | { kind: 'row'; row: number; result: AttributionResult }
  | { kind: 'stage'; row: number; rows: number; stage: ProgressStage; done: number; total: number };

export type CompareEvent =
  | { kind: 'row'; index: number; row: CompareRow }
  | { kind: 'stage'; index: number; label: string; done: number; total: number };

/** Human-readable label of each stage for the progress bar. */
export const STAGE_LABELS: Record<ProgressStage, string> = {
  download: 'Downloading model',
  compile: 'Compiling model',
  load: 'Preparing model',
  inspect: 'Attention–value flow (M)',
  masked: 'Masked passes (I)',
  hessian: 'Hessian probes (S)',
};
