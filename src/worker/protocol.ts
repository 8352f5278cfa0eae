// The one message protocol between the UI and the attribution worker: each call's request, events and
// response in one type map, and the messages that carry them. Types only: the app reaches engine
// functions through its facade (src/app/engine.ts), never through the wire types.

import type { ModelConfig } from '../engine/checkpoint/types';
import type { AttributionParams, AttributionResult, TargetRequest } from '../engine/attribution/schema';
import type { GenerationResult } from '../engine/attribution/generation';
import type { GeneratedText } from '../engine/model/languageModel';
import type { FileProgress } from '../engine/hub/hubSource';
import type { HubRef } from '../engine/hub/hubRef';
import type { QuantScheme } from '../engine/quant/quantize';
import type { Comparison, CompareRow } from '../engine/eval/compare';
import type { CompareRequest, JobProgress, Preview } from '../engine/session/engineSession';
import type { StoredModelInfo } from './bundleCache';
import type { PackedResult } from './wire';

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
  origin: string;
  /** Memory estimate against the device (null: no plan was made). */
  memory: { verdict: 'ok' | 'downsized'; message: string } | null;
  /** Something the user should know about this load (e.g. it could not be stored and runs from memory). */
  notice: string | null;
  /** The full config, for cost estimates (the picker's time per model comes from this model's measured speed). */
  config: ModelConfig;
}

/** A file of a folder the user picked or dropped, under its name inside that folder. */
export interface LocalFile {
  name: string;
  file: File;
}

/** Stored bundles and the browser's storage estimate (null where it gives none). */
export interface StoredModels {
  models: StoredModelInfo[];
  usage: { usedBytes: number; quotaBytes: number } | null;
}

/** Where a model comes from: a bundle URL, a hub checkpoint (compiled and stored), a picked folder, or browser storage. */
export type ModelSource =
  | { kind: 'url'; baseUrl: string }
  | { kind: 'hub'; ref: HubRef; quant: QuantScheme }
  | { kind: 'local'; label: string; files: LocalFile[]; quant: QuantScheme }
  | { kind: 'stored'; key: string };

/** A run's first event: the prompt's tokens and predictions. A generation's: the generated text, then each row. */
export type RunEvent = { kind: 'predicted'; preview: Preview };
export type GenerationEvent = { kind: 'generated'; generated: GeneratedText } | { kind: 'row'; row: number; result: AttributionResult; resultId: string };
export type CompareEvent = { kind: 'row'; index: number; row: CompareRow };

/** Every call: what it asks, the events it sends while it works, and what it answers. */
export interface Calls {
  load: { request: { source: ModelSource; prefer: BackendPreference }; event: never; response: ModelCard };
  preview: { request: { prompt: string }; event: never; response: Preview };
  /** One Run: tokens and predictions first, partial results while S fills in, then the result. */
  run: { request: { prompt: string; target: TargetRequest; params: Partial<AttributionParams> }; event: RunEvent; response: { resultId: string; result: AttributionResult } };
  generate: { request: { prompt: string; steps: number; params: Partial<AttributionParams> }; event: GenerationEvent; response: GenerationResult };
  compare: { request: CompareRequest; event: CompareEvent; response: Comparison };
  'list-stored': { request: Record<string, never>; event: never; response: StoredModels };
  'delete-stored': { request: { key: string }; event: never; response: StoredModels };
}

export type CallName = keyof Calls;

/** A call as sent: its name and request. */
export type Call = { [K in CallName]: { name: K; request: Calls[K]['request'] } }[CallName];
/** A call's answer as sent: its name and response. */
export type Reply = { [K in CallName]: { name: K; response: Calls[K]['response'] } }[CallName];

export type ToWorker = { kind: 'call'; id: number; call: Call } | { kind: 'cancel'; id: number };

export type FromWorker =
  | { kind: 'progress'; id: number; progress: JobProgress }
  /** A run's result so far, its vectors as transferred typed arrays (wire.ts). */
  | { kind: 'partial'; id: number; partial: PackedResult }
  | { kind: 'event'; id: number; event: Calls[CallName]['event'] }
  | { kind: 'done'; id: number; reply: Reply }
  | { kind: 'cancelled'; id: number }
  | { kind: 'error'; id: number; message: string };

export type { FileProgress, HubRef, JobProgress, Preview, QuantScheme, StoredModelInfo };
export type { ProgressStage } from '../engine/session/engineSession';
