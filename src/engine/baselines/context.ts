// One target, many attribution methods: the passes they share (embedding, inspect, base gradient, masked
// passes, the HETA result) are computed once, on first use, and cached here.

import { klDivergence, logSoftmax } from '../attribution/components';
import { attribute, AttributionError, batchSizeFor, maskTokenRow, maskVector } from '../attribution/heta';
import { DEFAULT_PARAMS, type AttributionParams, type AttributionResult, type MaskScheme, type TargetRequest } from '../attribution/schema';
import type { AttributionModel, Inspection } from '../model/attributionModel';
import type { Token } from '../tokenizer/tokenizer';
import type { IgGrid } from './integratedGradients';

export interface BaselineOptions {
  /** HETA's parameters (m, seed, β, γ, mask, ε); the mask scheme is also the one occlusion, deletion/insertion and ContextCite use. */
  heta: Partial<AttributionParams>;
  /** Integrated Gradients: trapezoid intervals (N+1 gradient evaluations) and the grid (see integratedGradients.ts). */
  igSteps: number;
  igGrid: IgGrid;
  /** ContextCite: random ablations, the Lasso penalty relative to λ_max ('cv': 5-fold cross-validation, 1-SE rule), the seed of the masks. */
  contextCiteSamples: number;
  contextCiteLambda: number | 'cv';
  contextCiteSeed: number;
  /** Upper bound on items per batched pass (default: adapts to the sequence length). */
  maxBatch?: number;
  signal?: AbortSignal;
  /** Progress of long passes (HETA's phases, IG steps, ablations). */
  onProgress?: (label: string, done: number, total: number) => void;
}

export const DEFAULT_BASELINE_OPTIONS: BaselineOptions = {
  heta: {},
  igSteps: 512,
  igGrid: 'log',
  contextCiteSamples: 128,
  contextCiteLambda: 'cv',
  contextCiteSeed: 0,
};

/** Numbers a method leaves behind for checking (IG completeness, Lasso fit). */
export type Diagnostics = Record<string, number | boolean | string>;

export class AttributionContext {
  readonly options: BaselineOptions;
  readonly hetaParams: AttributionParams;
  /** Items per batched pass for sequences of length p. */
  readonly batch: number;
  /** Passes run through this context (HETA's own passes are in its result). */
  readonly passes = { forward: 0, gradient: 0, inspect: 1 };
  readonly diagnostics: Record<string, Diagnostics> = {};
  private readonly cache = new Map<string, Promise<unknown>>();

  private constructor(
    readonly model: AttributionModel,
    readonly prompt: string,
    readonly target: TargetRequest,
    /** All tokens of the prompt (the context is the first p). */
    readonly tokens: Token[],
    /** Context length and prediction row q = p − 1. */
    readonly p: number,
    readonly targetId: number,
    /** Context embeddings [p, d]. */
    readonly x: Float32Array,
    readonly inspection: Inspection,
    /** log softmax of the logits at row q, and g = logP[targetId]. */
    readonly logP: Float64Array,
    /** The row that replaces a masked token (HETA's mask scheme). */
    readonly maskRow: Float32Array,
    options: BaselineOptions,
  ) {
    this.options = options;
    this.hetaParams = { ...DEFAULT_PARAMS, ...options.heta };
    this.batch = batchSizeFor(model, p, options.maxBatch);
  }

  static async create(model: AttributionModel, prompt: string, target: TargetRequest, options: Partial<BaselineOptions> = {}): Promise<AttributionContext> {
    const resolved: BaselineOptions = { ...DEFAULT_BASELINE_OPTIONS, ...options, heta: { ...DEFAULT_BASELINE_OPTIONS.heta, ...options.heta } };
    const { vocabSize: V, maxPositions } = model.config;
    if (prompt.trim() === '') throw new AttributionError('the prompt is empty');
    const tokens = model.tokenizer.encode(prompt);
    const n = tokens.length;
    let p = n;
    let fixed: number | null = null;
    if (target.kind === 'position') {
      if (!Number.isInteger(target.position) || target.position < 1 || target.position >= n) {
        throw new AttributionError(`target position ${target.position} is out of range 1 … ${n - 1}`);
      }
      p = target.position;
      fixed = tokens[p].id;
    } else if (target.tokenId !== undefined) {
      if (!Number.isInteger(target.tokenId) || target.tokenId < 0 || target.tokenId >= V) throw new AttributionError(`target token id ${target.tokenId} is not in the vocabulary`);
      fixed = target.tokenId;
    }
    if (p > maxPositions) throw new AttributionError(`the context has ${p} tokens but ${model.manifest.modelId} reads at most ${maxPositions}`);
    const x = await model.embed(tokens.slice(0, p).map((t) => t.id));
    const inspection = await model.inspect(x, p);
    const q = p - 1;
    const logP = logSoftmax(inspection.logits.subarray(q * V, (q + 1) * V));
    const targetId = fixed ?? logP.reduce((best, v, i) => (v > logP[best] ? i : best), 0);
    const scheme: MaskScheme = resolved.heta.mask ?? DEFAULT_PARAMS.mask;
    const maskRow = maskVector(model, scheme, x, p, await maskTokenRow(model, scheme));
    return new AttributionContext(model, prompt, target, tokens, p, targetId, x, inspection, logP, maskRow, resolved);
  }

  get q(): number {
    return this.p - 1;
  }
  get d(): number {
    return this.model.config.hiddenSize;
  }
  /** g(X) = log softmax(f(X)[q])[t]. */
  get g(): number {
    return this.logP[this.targetId];
  }

  /** Computes `make` once per key; a failed computation is forgotten so that it can be retried. */
  cached<T>(key: string, make: () => Promise<T>): Promise<T> {
    let entry = this.cache.get(key) as Promise<T> | undefined;
    if (!entry) {
      entry = make();
      this.cache.set(key, entry);
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }

  /** The cached computation under `key`, if one was started. */
  peek<T>(key: string): Promise<T> | undefined {
    return this.cache.get(key) as Promise<T> | undefined;
  }

  /** A copy of X with the rows where `keep[i]` is false replaced by the mask row. */
  withMasked(keep: ArrayLike<number | boolean>): Float32Array {
    const { p, d } = this;
    const out = Float32Array.from(this.x);
    for (let i = 0; i < p; i++) if (!keep[i]) out.set(this.maskRow, i * d);
    return out;
  }

  /** Row-q log-probabilities (full vocabulary) of `count` stacked context variants [count, p, d], batched. */
  async logProbs(xs: Float32Array, count: number, label?: string): Promise<Float64Array[]> {
    const { p, d, q, batch } = this;
    const V = this.model.config.vocabSize;
    const out: Float64Array[] = [];
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const logits = await this.model.logitsAt(xs.subarray(start * p * d, (start + n) * p * d), n, p, Array(n).fill(q));
      this.passes.forward += n;
      for (let b = 0; b < n; b++) out.push(logSoftmax(logits.subarray(b * V, (b + 1) * V)));
      this.options.signal?.throwIfAborted();
      if (label) this.options.onProgress?.(label, start + n, count);
    }
    return out;
  }

  /** ∇g and g for stacked variants, batched. */
  async gradients(xs: Float32Array, count: number): Promise<{ grad: Float32Array; logprob: Float32Array }> {
    const { p, d, q, batch, targetId } = this;
    const grad = new Float32Array(count * p * d);
    const logprob = new Float32Array(count);
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const r = await this.model.gradient(xs.subarray(start * p * d, (start + n) * p * d), n, p, Array(n).fill(q), Array(n).fill(targetId));
      this.passes.gradient += n;
      grad.set(r.grad, start * p * d);
      logprob.set(r.logprob, start);
      this.options.signal?.throwIfAborted();
    }
    return { grad, logprob };
  }

  /** ∇_X g at X: [p, d]. */
  baseGradient(): Promise<Float32Array> {
    return this.cached('gradient', async () => (await this.gradients(this.x, 1)).grad);
  }

  /**
   * The p leave-one-out passes (row i replaced by the mask row), as HETA's I runs them: g with row i masked,
   * and KL(P(·|X) ‖ P(·|X with row i masked)) at row q.
   */
  masked(): Promise<{ g: Float64Array; kl: Float64Array }> {
    return this.cached('masked', async () => {
      const { p, d } = this;
      const xs = new Float32Array(p * p * d);
      for (let i = 0; i < p; i++) {
        xs.set(this.x, i * p * d);
        xs.set(this.maskRow, (i * p + i) * d);
      }
      const logps = await this.logProbs(xs, p, 'masked');
      return {
        g: Float64Array.from(logps, (lp) => lp[this.targetId]),
        kl: Float64Array.from(logps, (lp) => klDivergence(this.logP, lp)),
      };
    });
  }

  /** The full HETA result for this target (its S from the real finite-difference estimator). */
  heta(): Promise<AttributionResult> {
    return this.cached('heta', () => {
      const target: TargetRequest = this.target.kind === 'position' ? this.target : { kind: 'next', tokenId: this.targetId };
      return attribute(this.model, this.prompt, target, this.hetaParams, {
        signal: this.options.signal,
        maxBatch: this.options.maxBatch,
        onProgress: (e) => this.options.onProgress?.(`heta ${e.phase}`, e.done, e.total),
      });
    });
  }

  /** Use an attribution already computed for this prompt and target (e.g. the one the app shows). */
  provideHeta(result: AttributionResult): void {
    if (result.target.position !== this.p || result.target.id !== this.targetId || result.prompt !== this.prompt) {
      throw new AttributionError('the HETA result is for another prompt or target');
    }
    this.cache.set('heta', Promise.resolve(result));
  }
}
