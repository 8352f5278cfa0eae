// One target, many attribution methods: the passes they share (embedding, inspect, base gradient, masked
// passes, the HETA result) are computed once, on first use, and cached here.

import { attribute, maskTokenRow, maskVector } from '../attribution/heta';
import { batchSizeFor } from '../model/memoryPlan';
import { AttributionError, itemLogProbs, objectiveValue, prepareTarget, type PreparedTarget } from '../attribution/target';
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
  /** Items per batched pass for sequences of length T. */
  readonly batch: number;
  /** Passes run through this context (HETA's own passes are in its result). */
  readonly passes = { forward: 0, gradient: 0, inspect: 1 };
  readonly diagnostics: Record<string, Diagnostics> = {};
  private readonly cache = new Map<string, Promise<unknown>>();
  /** Context embeddings [p, d]: what every method perturbs. */
  readonly x: Float32Array;

  private constructor(
    readonly model: AttributionModel,
    readonly target: TargetRequest,
    readonly prepared: PreparedTarget,
    /** The row that replaces a masked token (HETA's mask scheme). */
    readonly maskRow: Float32Array,
    options: BaselineOptions,
  ) {
    this.options = options;
    this.hetaParams = { ...DEFAULT_PARAMS, ...options.heta };
    this.batch = batchSizeFor(model, prepared.T, options.maxBatch);
    this.x = prepared.x.slice(0, prepared.p * this.d);
  }

  static async create(model: AttributionModel, prompt: string, target: TargetRequest, options: Partial<BaselineOptions> = {}): Promise<AttributionContext> {
    const resolved: BaselineOptions = { ...DEFAULT_BASELINE_OPTIONS, ...options, heta: { ...DEFAULT_BASELINE_OPTIONS.heta, ...options.heta } };
    const prepared = await prepareTarget(model, prompt, target);
    const scheme: MaskScheme = resolved.heta.mask ?? DEFAULT_PARAMS.mask;
    const maskRow = maskVector(model, scheme, prepared.x, prepared.p, await maskTokenRow(model, scheme));
    return new AttributionContext(model, target, prepared, maskRow, resolved);
  }

  get prompt(): string {
    return this.prepared.prompt;
  }
  get tokens(): Token[] {
    return this.prepared.tokens;
  }
  get p(): number {
    return this.prepared.p;
  }
  get q(): number {
    return this.prepared.p - 1;
  }
  get d(): number {
    return this.model.config.hiddenSize;
  }
  get inspection(): Inspection {
    return this.prepared.inspection;
  }
  /** The (first) target token t. */
  get targetId(): number {
    return this.prepared.target.id;
  }
  /** log softmax of the logits at row q (the distribution the soft metrics compare). */
  get logP(): Float64Array {
    return this.prepared.logP[0];
  }
  /** g(X): the objective every method explains (token, span or contrast; target.ts). */
  get g(): number {
    return this.prepared.g;
  }
  /** g from one variant's log-probabilities at the target's rows. */
  objective(logP: readonly Float64Array[]): number {
    return objectiveValue(this.prepared, logP);
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

  /** `n` context variants [n, p, d] as fed sequences [n, T, d]: a span's teacher-forced rows follow each unchanged. */
  private fed(xs: Float32Array, n: number): Float32Array {
    const { p, d } = this;
    const { T, x } = this.prepared;
    if (T === p) return xs;
    const out = new Float32Array(n * T * d);
    for (let b = 0; b < n; b++) {
      out.set(xs.subarray(b * p * d, (b + 1) * p * d), b * T * d);
      out.set(x.subarray(p * d), (b * T + p) * d);
    }
    return out;
  }

  /** Log-probabilities (full vocabulary) at the target's rows of `count` stacked context variants [count, p, d], batched. */
  async logProbs(xs: Float32Array, count: number, label?: string): Promise<Float64Array[][]> {
    const { p, d, batch } = this;
    const { T, rows } = this.prepared;
    const V = this.model.config.vocabSize;
    const out: Float64Array[][] = [];
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const logits = await this.model.logitsAtRows(this.fed(xs.subarray(start * p * d, (start + n) * p * d), n), n, T, rows);
      this.passes.forward += n;
      for (let b = 0; b < n; b++) out.push(itemLogProbs(logits, b, rows.length, V));
      this.options.signal?.throwIfAborted();
      if (label) this.options.onProgress?.(label, start + n, count);
    }
    return out;
  }

  /** ∇g over the context rows [count, p, d] and g for stacked context variants, batched. */
  async gradients(xs: Float32Array, count: number): Promise<{ grad: Float32Array; g: Float32Array }> {
    const { p, d, batch } = this;
    const { T, objective } = this.prepared;
    const grad = new Float32Array(count * p * d);
    const g = new Float32Array(count);
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const r = await this.model.gradient(this.fed(xs.subarray(start * p * d, (start + n) * p * d), n), n, T, objective);
      this.passes.gradient += n;
      for (let b = 0; b < n; b++) grad.set(r.grad.subarray(b * T * d, (b * T + p) * d), (start + b) * p * d);
      g.set(r.g, start);
      this.options.signal?.throwIfAborted();
    }
    return { grad, g };
  }

  /** ∇_X g at X: [p, d]. */
  baseGradient(): Promise<Float32Array> {
    return this.cached('gradient', async () => (await this.gradients(this.x, 1)).grad);
  }

  /** The p leave-one-out passes (row i replaced by the mask row), as HETA's I runs them: g with row i masked. */
  masked(): Promise<{ g: Float64Array }> {
    return this.cached('masked', async () => {
      const { p, d } = this;
      const xs = new Float32Array(p * p * d);
      for (let i = 0; i < p; i++) {
        xs.set(this.x, i * p * d);
        xs.set(this.maskRow, (i * p + i) * d);
      }
      const logps = await this.logProbs(xs, p, 'masked');
      return { g: Float64Array.from(logps, (lp) => this.objective(lp)) };
    });
  }

  /** The full HETA result for this target (its S from the real finite-difference estimator). */
  heta(): Promise<AttributionResult> {
    return this.cached('heta', () => {
      // A next-token target is pinned to the token this context resolved (the top prediction when none was given).
      const t = this.target;
      const target: TargetRequest = t.kind === 'next' ? { kind: 'next', tokenId: this.targetId } : t.kind === 'contrast' && t.target.kind === 'next' ? { ...t, target: { kind: 'next', tokenId: this.targetId } } : t;
      return attribute(this.model, this.prompt, target, this.hetaParams, {
        signal: this.options.signal,
        maxBatch: this.options.maxBatch,
        onProgress: (e) => this.options.onProgress?.(`heta ${e.phase}`, e.done, e.total),
      });
    });
  }

  /** Use an attribution already computed for this prompt and target (e.g. the one the app shows). */
  provideHeta(result: AttributionResult): void {
    const t = result.target;
    if (t.position !== this.p || t.id !== this.targetId || result.prompt !== this.prompt || t.kind !== this.prepared.target.kind || (t.g ?? t.logprob) !== this.g) {
      throw new AttributionError('the HETA result is for another prompt or target');
    }
    this.cache.set('heta', Promise.resolve(result));
  }
}
