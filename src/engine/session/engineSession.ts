// One engine session per host (the browser worker, the CLI, the test harnesses): it owns the loaded model,
// runs one job at a time (onnxruntime sessions must not run concurrently: WebGPU rejects an overlapping run
// with "Session already started"), cancels jobs by signal, and keeps the latest results by id so that a
// comparison names the attribution it reuses instead of sending it back.

import { attributeGeneration, type GenerationResult } from '../attribution/generation';
import { hetaScores } from '../attribution/components';
import { attribute } from '../attribution/heta';
import type { AttributionParams, AttributionResult, TargetRequest } from '../attribution/schema';
import { encodePrompt } from '../attribution/target';
import { compareMethods, type Comparison, type CompareRow } from '../eval/compare';
import type { FileProgress } from '../hub/hubSource';
import type { AttributionModel } from '../model/attributionModel';
import { nextTokenPredictions, type GeneratedText, type Prediction } from '../model/languageModel';
import type { MemoryPlan } from '../model/memoryPlan';
import type { Token } from '../tokenizer/tokenizer';

export type ProgressStage = 'download' | 'compile' | 'load' | 'inspect' | 'masked' | 'hessian' | 'compare';

/** The one progress shape of every job: loads, runs, generations and comparisons. */
export interface JobProgress {
  stage: ProgressStage;
  done: number;
  total: number;
  /** What is being worked on: the file being downloaded, the compared method's step; '' when the stage says it all. */
  detail: string;
  /** Time left in ms, once the engine has measured its speed (null before). */
  remainingMs: number | null;
  /** Per-file download progress ([] outside downloads). */
  files: FileProgress[];
  /** The part of a job made of several (a generation row, a compared method): index of count; null for one-part jobs. */
  part: { index: number; count: number } | null;
}

/** A prompt's tokens and next-token predictions. */
export interface Preview {
  tokens: Token[];
  predictions: Prediction[];
  /** The forward pass's own time (warm), what a run's first time estimate scales from; 0 when none ran. */
  forwardMs: number;
}

/** A model a host opened, with the memory plan's cap on batched passes (null: no plan, the engine's default). */
export interface OpenedModel {
  model: AttributionModel;
  plan: Pick<MemoryPlan, 'maxBatch'> | null;
}

interface JobOptions {
  signal: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

interface AttributionJobOptions extends JobOptions {
  /** Keep each probe's sign pattern in the result (the CLI's --dump-probes). */
  dumpProbes?: boolean;
}

export interface RunOptions extends AttributionJobOptions {
  /** The prompt's tokens and predictions, before any attribution pass. */
  onPredicted?: (preview: Preview) => void;
  /** The result so far (M and I complete, S filling in), at most every PARTIAL_INTERVAL_MS. */
  onPartial?: (partial: AttributionResult) => void;
}

export interface GenerateOptions extends AttributionJobOptions {
  onGenerated?: (generated: GeneratedText) => void;
  onRow?: (row: number, result: AttributionResult, resultId: string) => void;
}

export interface CompareOptions extends JobOptions {
  onRow?: (index: number, row: CompareRow) => void;
}

export interface CompareRequest {
  /** The shown attribution (a result id of this session), reused as HETA's row; null or unknown: HETA is computed. */
  resultId: string | null;
  prompt: string;
  target: TargetRequest;
  methods: string[];
  /** Attribution parameters; β, γ and the scaling are the view's, applied to the reused result. */
  params: Partial<AttributionParams>;
}

const NO_PROGRESS = { detail: '', remainingMs: null, files: [], part: null } satisfies Partial<JobProgress>;

/** Results kept for reuse: the last run's and a whole generation's rows. */
const KEPT_RESULTS = 40;

/** Predictions shown with a prompt. */
const TOP_PREDICTIONS = 10;

export class EngineSession<Opened extends OpenedModel = OpenedModel> {
  private opened: Opened | null = null;
  /** Whether the current model's passes have run once: a session's first run is slow (lazy set-up). */
  private warmed = false;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly results = new Map<string, AttributionResult>();
  private nextResultId = 1;

  get model(): AttributionModel | null {
    return this.opened?.model ?? null;
  }

  /**
   * Runs `work` once every job queued before it has ended: one job at a time. A job cancelled while it waits
   * rejects at once and never starts.
   */
  private enqueue<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    let started = false;
    const queued = this.tail.then(() => {
      signal.throwIfAborted();
      started = true;
      return work();
    });
    this.tail = queued.catch(() => undefined);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!started) reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queued.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private require(): Opened {
    if (!this.opened) throw new Error('no model is loaded yet: load one first');
    return this.opened;
  }

  private remember(result: AttributionResult): string {
    const id = `r${this.nextResultId++}`;
    this.results.set(id, result);
    for (const old of this.results.keys()) {
      if (this.results.size <= KEPT_RESULTS) break;
      this.results.delete(old);
    }
    return id;
  }

  /**
   * Replaces the model with the one `open` brings. The current one is released first: two models (and a
   * compilation) at once could exhaust the device's memory. A load cancelled after opening releases what it opened.
   */
  load(open: (signal: AbortSignal) => Promise<Opened>, { signal }: { signal: AbortSignal }): Promise<Opened> {
    return this.enqueue(signal, async () => {
      await this.release();
      const opened = await open(signal);
      if (signal.aborted) {
        await opened.model.release();
        signal.throwIfAborted();
      }
      this.opened = opened;
      return opened;
    });
  }

  /** Releases the model (and forgets its results). */
  async release(): Promise<void> {
    const old = this.opened;
    this.opened = null;
    this.warmed = false;
    this.results.clear();
    await old?.model.release();
  }

  /** Tokens and top predictions of a prompt; no forward pass for an empty prompt or one longer than the context. */
  preview(prompt: string, { signal }: JobOptions): Promise<Preview> {
    return this.enqueue(signal, async () => {
      const { model } = this.require();
      return this.predict(model, model.tokenizer.encode(prompt));
    });
  }

  private async predict(model: AttributionModel, tokens: Token[]): Promise<Preview> {
    if (tokens.length === 0 || tokens.length > model.config.maxPositions) return { tokens, predictions: [], forwardMs: 0 };
    if (!this.warmed) {
      await nextTokenPredictions(model, [0, 0], 1);
      this.warmed = true;
    }
    const started = performance.now();
    const predictions = await nextTokenPredictions(model, tokens.map((t) => t.id), TOP_PREDICTIONS);
    return { tokens, predictions, forwardMs: performance.now() - started };
  }

  /** One Run: the prompt's tokens and predictions first (onPredicted), then the attribution of `target`. */
  run(prompt: string, target: TargetRequest, params: Partial<AttributionParams>, options: RunOptions): Promise<{ resultId: string; result: AttributionResult }> {
    return this.enqueue(options.signal, async () => {
      const { model, plan } = this.require();
      const encoded = encodePrompt(model, prompt);
      options.onPredicted?.(await this.predict(model, encoded.tokens));
      options.signal.throwIfAborted();
      const result = await attribute(model, encoded, target, params, {
        signal: options.signal,
        dumpProbes: options.dumpProbes,
        maxBatch: plan?.maxBatch,
        onProgress: (p) => {
          options.onProgress?.({ ...NO_PROGRESS, stage: p.phase, done: p.done, total: p.total, remainingMs: p.remainingMs });
          if (p.partial) options.onPartial?.(p.partial);
        },
      });
      return { resultId: this.remember(result), result };
    });
  }

  /** Greedy generation of `steps` tokens, then an attribution of each (rows arrive with their result ids). */
  generate(prompt: string, steps: number, params: Partial<AttributionParams>, options: GenerateOptions): Promise<GenerationResult> {
    return this.enqueue(options.signal, async () => {
      const { model, plan } = this.require();
      return attributeGeneration(model, prompt, steps, params, {
        signal: options.signal,
        dumpProbes: options.dumpProbes,
        maxBatch: plan?.maxBatch,
        onGenerated: options.onGenerated,
        onRow: (row, result) => options.onRow?.(row, result, this.remember(result)),
        onProgress: (p) => options.onProgress?.({ ...NO_PROGRESS, stage: p.phase, done: p.done, total: p.total, remainingMs: p.remainingMs, part: { index: p.row, count: p.rows } }),
      });
    });
  }

  /** Several methods for one prompt and target, row by row; HETA's row reuses the result `resultId` names (with the view's β, γ and scaling). */
  compare(request: CompareRequest, options: CompareOptions): Promise<Comparison> {
    return this.enqueue(options.signal, async () => {
      const { model, plan } = this.require();
      const shown = request.resultId === null ? undefined : this.results.get(request.resultId);
      const provided = shown && this.withView(shown, request.params);
      return compareMethods(model, request.prompt, request.target, request.methods, {
        heta: request.params,
        provided,
        maxBatch: plan?.maxBatch,
        signal: options.signal,
        onRow: (row, index) => options.onRow?.(index, row),
        onProgress: (index, label, done, total) =>
          options.onProgress?.({ ...NO_PROGRESS, stage: 'compare', done, total, detail: label, part: { index, count: request.methods.length } }),
      });
    });
  }

  /** The result as the view shows it: scores recombined from its cached components with the view's β, γ and scaling. */
  private withView(result: AttributionResult, params: Partial<AttributionParams>): AttributionResult {
    const { beta = result.params.beta, gamma = result.params.gamma, scaling = result.params.scaling } = params;
    const { M, S, I } = result.components;
    return { ...result, scores: Array.from(hetaScores(M, S, I, beta, gamma, scaling)), params: { ...result.params, beta, gamma, scaling } };
  }
}
