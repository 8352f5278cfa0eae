// Main-thread side of the protocol: starts the worker lazily, sends calls, routes each call's progress,
// events and partial results to its handlers, and turns a worker crash into a clear error for every
// pending call (the next call starts a new worker).

import type { AttributionParams, AttributionResult, TargetRequest } from '../engine/attribution/schema';
import { parseHubSpec } from '../engine/hub/hubRef';
import { LOCAL_SPEC_PREFIX, localStoreKey, specKind } from './modelSpec';
import type { BackendPreference, Call, CallName, Calls, CompareEvent, FromWorker, GenerationEvent, JobProgress, LocalFile, ModelCard, ModelSource, Preview, QuantScheme, StoredModels, ToWorker } from './protocol';
import type { CompareRequest } from '../engine/session/engineSession';
import { unpackResult } from './wire';

export class CancelledError extends Error {
  override name = 'CancelledError';
}

/** What the client needs of a worker (a Worker, or a MessagePort wrapper in tests). */
export interface WorkerLike {
  postMessage(message: ToWorker): void;
  onmessage: ((event: MessageEvent<FromWorker>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export interface CallHandlers<K extends CallName> {
  onProgress?: (p: JobProgress) => void;
  onEvent?: (e: Calls[K]['event']) => void;
  /** A run's result so far. */
  onPartial?: (r: AttributionResult) => void;
}

/** A call in flight: its answer, and how to stop it (the answer then rejects with CancelledError). */
export interface Job<T> {
  result: Promise<T>;
  cancel(): void;
}

interface Pending {
  name: CallName;
  resolve: (response: unknown) => void;
  reject: (e: Error) => void;
  handlers: CallHandlers<CallName>;
}

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

/** The model source a spec names: a bundle URL, `hf:org/name[@revision]`, or `local:<folder>` (picked files, or its stored compile). */
export function modelSource(spec: string, options: ModelLoadOptions = {}): ModelSource {
  const quant = options.quant ?? 'q8';
  switch (specKind(spec)) {
    case 'bundle':
      return { kind: 'url', baseUrl: spec };
    case 'hub':
      return { kind: 'hub', ref: parseHubSpec(spec, options.hubUrl), quant };
    case 'local': {
      const label = spec.slice(LOCAL_SPEC_PREFIX.length);
      return options.files ? { kind: 'local', label, files: options.files, quant } : { kind: 'stored', key: localStoreKey(label, quant) };
    }
  }
}

export class AttributionClient {
  private worker: WorkerLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The backend preference this worker's models were loaded with. */
  private workerBackend: BackendPreference | null = null;

  constructor(private readonly createWorker: () => WorkerLike) {}

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.stopWorker(new Error(`the attribution worker crashed (${event.message || 'out of memory?'}); the model must be loaded again`));
    };
    this.worker = worker;
    return worker;
  }

  private receive(message: FromWorker): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    switch (message.kind) {
      case 'progress':
        return entry.handlers.onProgress?.(message.progress);
      case 'partial':
        return entry.handlers.onPartial?.(unpackResult(message.partial));
      case 'event':
        return entry.handlers.onEvent?.(message.event);
      case 'done':
        this.pending.delete(message.id);
        if (message.reply.name === entry.name) entry.resolve(message.reply.response);
        else entry.reject(new Error(`the worker answered '${message.reply.name}' to '${entry.name}'`));
        return;
      case 'cancelled':
        this.pending.delete(message.id);
        return entry.reject(new CancelledError('cancelled'));
      case 'error':
        this.pending.delete(message.id);
        return entry.reject(new Error(message.message));
    }
  }

  private stopWorker(reason: Error): void {
    this.worker?.terminate();
    this.worker = null;
    this.workerBackend = null;
    for (const entry of this.pending.values()) entry.reject(reason);
    this.pending.clear();
  }

  /** Sends one call; its events go to `handlers` until it is answered. */
  call<K extends CallName>(name: K, request: Calls[K]['request'], handlers: CallHandlers<K> = {}): Job<Calls[K]['response']> {
    const id = this.nextId++;
    const result = new Promise<Calls[K]['response']>((resolve, reject) => {
      this.pending.set(id, { name, resolve: resolve as (r: unknown) => void, reject, handlers: handlers as CallHandlers<CallName> });
      // TypeScript cannot see that a generic K's name and request form one member of the Call union.
      this.ensureWorker().postMessage({ kind: 'call', id, call: { name, request } as Call });
    });
    return { result, cancel: () => this.worker?.postMessage({ kind: 'cancel', id }) };
  }

  /** Loads a bundle URL, a hub model `hf:org/name[@revision]` or a `local:<folder>` (see ModelLoadOptions). */
  async loadModel(spec: string, prefer: BackendPreference, onProgress?: (p: JobProgress) => void, options: ModelLoadOptions = {}): Promise<ModelCard> {
    options.signal?.throwIfAborted();
    const source = modelSource(spec, options);
    // onnxruntime-web sets up its execution providers once per worker: a WebGPU session after WebAssembly
    // ones fails at its first run ("no GPU data for input"). A changed backend gets a fresh worker.
    if (this.workerBackend !== null && this.workerBackend !== prefer) this.stopWorker(new CancelledError('the backend changed'));
    this.workerBackend = prefer;
    const job = this.call('load', { source, prefer }, { onProgress });
    options.signal?.addEventListener('abort', job.cancel, { once: true });
    try {
      return await job.result;
    } finally {
      options.signal?.removeEventListener('abort', job.cancel);
    }
  }

  listStoredModels(): Promise<StoredModels> {
    return this.call('list-stored', {}).result;
  }

  /** Deletes a stored bundle; returns what is stored afterwards. */
  deleteStoredModel(key: string): Promise<StoredModels> {
    return this.call('delete-stored', { key }).result;
  }

  /** Tokens and next-token predictions of a prompt (the preview while typing). */
  preview(prompt: string): Promise<Preview> {
    return this.call('preview', { prompt }).result;
  }

  /** One Run: tokens and predictions (onPredicted), partial results, then the result and its id. */
  run(prompt: string, target: TargetRequest, params: Partial<AttributionParams>, handlers: { onPredicted?: (p: Preview) => void; onProgress?: (p: JobProgress) => void; onPartial?: (r: AttributionResult) => void } = {}) {
    return this.call('run', { prompt, target, params }, { onProgress: handlers.onProgress, onPartial: handlers.onPartial, onEvent: (e) => handlers.onPredicted?.(e.preview) });
  }

  /** Generates `steps` tokens and attributes each; events arrive as the work goes. */
  generate(prompt: string, steps: number, params: Partial<AttributionParams>, handlers: { onEvent?: (e: GenerationEvent) => void; onProgress?: (p: JobProgress) => void } = {}) {
    return this.call('generate', { prompt, steps, params }, handlers);
  }

  /** Several attribution methods for one target (rows arrive as events); HETA reuses the result `request.resultId` names. */
  compare(request: CompareRequest, handlers: { onEvent?: (e: CompareEvent) => void; onProgress?: (p: JobProgress) => void } = {}) {
    return this.call('compare', request, handlers);
  }

  dispose(): void {
    this.stopWorker(new Error('closed'));
  }
}
