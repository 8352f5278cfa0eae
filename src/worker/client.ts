// Main-thread facade over the attribution worker: starts it lazily, matches responses to requests,
// and turns a worker crash into a clear error for every pending request (the next call starts a new one).

import type { AttributionParams, AttributionResult, Prediction, TargetRequest } from '../engine/attribution/schema';
import type { Token } from '../engine/tokenizer/tokenizer';
import { parseHubSpec } from '../engine/hub/hubRef';
import { LOCAL_SPEC_PREFIX, localStoreKey, specKind } from './modelSpec';
import type { BackendPreference, CompareEvent, GenerationEvent, LocalFile, ModelCard, QuantScheme, StoredModels, WorkerRequest, WorkerResponse } from './protocol';

type Progress = Extract<WorkerResponse, { type: 'progress' }>;
/** Messages that report on a request still running (they do not settle it). */
type Update = Extract<WorkerResponse, { type: 'progress' | 'generation-progress' | 'compare-progress' }>;

interface Pending {
  resolve: (r: WorkerResponse) => void;
  reject: (e: Error) => void;
  onUpdate?: (u: Update) => void;
}

export class CancelledError extends Error {
  override name = 'CancelledError';
}

type RequestBody<T extends WorkerRequest['type']> = Omit<Extract<WorkerRequest, { type: T }>, 'requestId'>;

/** How `loadModel` reads a spec that is not a bundle URL (see modelSpec.ts). */
export interface ModelLoadOptions {
  /** Hub of `hf:` specs (default https://huggingface.co). */
  hubUrl?: string;
  /** Quantization when a checkpoint is compiled (default q8). */
  quant?: QuantScheme;
  /** The picked or dropped folder of a `local:` spec; without it, that folder's stored compile is loaded. */
  files?: LocalFile[];
  /** Aborting cancels the load (the promise then rejects with CancelledError). */
  signal?: AbortSignal;
}

export class AttributionClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The backend preference this worker's models were loaded with. */
  private workerBackend: BackendPreference | null = null;

  constructor(private readonly createWorker: () => Worker) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const msg = event.data;
      const entry = this.pending.get(msg.requestId);
      if (!entry) return;
      if (msg.type === 'progress' || msg.type === 'generation-progress' || msg.type === 'compare-progress') {
        entry.onUpdate?.(msg);
        return;
      }
      this.pending.delete(msg.requestId);
      if (msg.type === 'error') entry.reject(new Error(msg.message));
      else if (msg.type === 'cancelled') entry.reject(new CancelledError('cancelled'));
      else entry.resolve(msg);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.crash(`the attribution worker crashed (${event.message || 'out of memory?'}); the model must be loaded again`);
    };
    this.worker = worker;
    return worker;
  }

  private crash(message: string): void {
    this.stopWorker(new Error(message));
  }

  private stopWorker(reason: Error): void {
    this.worker?.terminate();
    this.worker = null;
    this.workerBackend = null;
    for (const entry of this.pending.values()) entry.reject(reason);
    this.pending.clear();
  }

  private request<T extends WorkerRequest['type']>(body: RequestBody<T>, onUpdate?: (u: Update) => void): { id: number; done: Promise<WorkerResponse> } {
    const id = this.nextId++;
    const done = new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onUpdate });
      this.ensureWorker().postMessage({ ...body, requestId: id } as WorkerRequest);
    });
    return { id, done };
  }

  /** Loads a bundle URL, a hub model `hf:org/name[@revision]` or a `local:<folder>` (see ModelLoadOptions). */
  async loadModel(spec: string, prefer: BackendPreference, onProgress?: (p: Progress) => void, options: ModelLoadOptions = {}): Promise<ModelCard> {
    options.signal?.throwIfAborted();
    // onnxruntime-web sets up its execution providers once per worker: a WebGPU session after WebAssembly
    // ones fails at its first run ("no GPU data for input"). A changed backend gets a fresh worker.
    if (this.workerBackend !== null && this.workerBackend !== prefer) this.stopWorker(new CancelledError('the backend changed'));
    this.workerBackend = prefer;
    const onUpdate = (u: Update) => u.type === 'progress' && onProgress?.(u);
    const quant = options.quant ?? 'q8';
    const { id, done } = this.loadRequest(spec, prefer, quant, options, onUpdate);
    const cancel = () => this.worker?.postMessage({ type: 'cancel', requestId: id } satisfies WorkerRequest);
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      const r = await done;
      if (r.type !== 'model-loaded') throw new Error(`unexpected response ${r.type}`);
      return r.model;
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
  }

  private loadRequest(spec: string, prefer: BackendPreference, quant: QuantScheme, options: ModelLoadOptions, onUpdate: (u: Update) => void) {
    switch (specKind(spec)) {
      case 'bundle':
        return this.request<'load-model'>({ type: 'load-model', baseUrl: spec, prefer }, onUpdate);
      case 'hub':
        return this.request<'load-hub-model'>({ type: 'load-hub-model', ref: parseHubSpec(spec, options.hubUrl), quant, prefer }, onUpdate);
      case 'local': {
        const label = spec.slice(LOCAL_SPEC_PREFIX.length);
        if (options.files) return this.request<'load-local-model'>({ type: 'load-local-model', label, files: options.files, quant, prefer }, onUpdate);
        return this.request<'load-stored-model'>({ type: 'load-stored-model', key: localStoreKey(label, quant), prefer }, onUpdate);
      }
    }
  }

  async listStoredModels(): Promise<StoredModels> {
    const r = await this.request<'list-stored-models'>({ type: 'list-stored-models' }).done;
    if (r.type !== 'stored-models') throw new Error(`unexpected response ${r.type}`);
    return r.stored;
  }

  /** Deletes a stored bundle; returns what is stored afterwards. */
  async deleteStoredModel(key: string): Promise<StoredModels> {
    const r = await this.request<'delete-stored-model'>({ type: 'delete-stored-model', key }).done;
    if (r.type !== 'stored-models') throw new Error(`unexpected response ${r.type}`);
    return r.stored;
  }

  async predict(prompt: string): Promise<{ tokens: Token[]; predictions: Prediction[]; forwardMs: number }> {
    const r = await this.request<'predict'>({ type: 'predict', prompt }).done;
    if (r.type !== 'predicted') throw new Error(`unexpected response ${r.type}`);
    return { tokens: r.tokens, predictions: r.predictions, forwardMs: r.forwardMs };
  }

  /** Starts an attribution; `cancel()` stops it (the promise then rejects with CancelledError). */
  attribute(prompt: string, target: TargetRequest, params: Partial<AttributionParams>, onProgress?: (p: Progress) => void) {
    const { id, done } = this.request<'attribute'>({ type: 'attribute', prompt, target, params }, (u) => u.type === 'progress' && onProgress?.(u));
    return this.cancellable(id, done, (r) => (r.type === 'result' ? r.result : null));
  }

  /** Generates `steps` tokens and attributes each; events arrive as the work goes; `cancel()` stops it. */
  attributeGeneration(prompt: string, steps: number, params: Partial<AttributionParams>, onEvent?: (e: GenerationEvent) => void) {
    const { id, done } = this.request<'attribute-generation'>({ type: 'attribute-generation', prompt, steps, params }, (u) => u.type === 'generation-progress' && onEvent?.(u.event));
    return this.cancellable(id, done, (r) => (r.type === 'generation-result' ? r.result : null));
  }

  /** Runs several attribution methods for one target (rows and progress arrive as events); `cancel()` stops it. */
  compare(prompt: string, target: TargetRequest, methods: string[], params: Partial<AttributionParams>, heta?: AttributionResult, onEvent?: (e: CompareEvent) => void) {
    const { id, done } = this.request<'compare'>({ type: 'compare', prompt, target, methods, params, heta }, (u) => u.type === 'compare-progress' && onEvent?.(u.event));
    return this.cancellable(id, done, (r) => (r.type === 'compare-result' ? r.comparison : null));
  }

  private cancellable<R>(id: number, done: Promise<WorkerResponse>, pick: (r: WorkerResponse) => R | null) {
    return {
      result: done.then((r): R => {
        const value = pick(r);
        if (value === null) throw new Error(`unexpected response ${r.type}`);
        return value;
      }),
      cancel: () => this.worker?.postMessage({ type: 'cancel', requestId: id } satisfies WorkerRequest),
    };
  }

  dispose(): void {
    this.crash('closed');
  }
}
