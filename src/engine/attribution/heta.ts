// HETA for one target (shared/docs/heta-spec.md): M from one inspect pass, I from batched masked passes,
// S from batched finite-difference Hessian-vector products, refined round by round.

import type { AttributionModel, ProbeContext } from '../model/attributionModel';
import { batchSizeFor } from '../model/memoryPlan';
import { topPredictions } from '../model/languageModel';
import { flowEdges, hetaScores, RunningMean, spanTransition } from './components';
import { hessianSensitivity, normsFromGradients, type ProbeNorms } from './hessian';
import { rademacherProbes } from './random';
import { limitProblem } from '../limits';
import { attributionWork } from '../model/cost';
import { nonFiniteProblem } from './finite';
import { AttributionError, informationImpact, inVocabulary, itemLogProbs, objectiveValue, prepareTarget, type EncodedText } from './target';
import {
  DEFAULT_PARAMS,
  RESULT_SCHEMA,
  RESULT_SCHEMA_VERSION,
  type AttributionParams,
  type AttributionResult,
  type MaskScheme,
  type TargetRequest,
} from './schema';

export interface AttributionProgress {
  phase: 'inspect' | 'masked' | 'hessian';
  /** inspect: passes; masked: tokens; hessian: probes (of the most still possible when adaptive). */
  done: number;
  total: number;
  /** Time left, from the Hessian phase's measured speed (null before its first tokens are done). */
  remainingMs: number | null;
  /**
   * The result so far: M and I complete after 'masked'. S then fills in token by token (fixed probing:
   * token i's S is final once `sensitivity.probesPerToken[i]` > 0) or is refined round by round (adaptive).
   */
  partial?: AttributionResult;
}

export interface AttributionOptions {
  onProgress?: (p: AttributionProgress) => void;
  signal?: AbortSignal;
  dumpProbes?: boolean;
  /** Upper bound on items per batched pass (the default adapts to sequence length). */
  maxBatch?: number;
  /** Reuse the unperturbed prefix (cached keys/values) in the Hessian passes; default true. */
  prefixReuse?: boolean;
  /** Partial results at most this often (default 250 ms; the first and the last are always sent). */
  partialIntervalMs?: number;
}

/** Partial results are sent at most this often: often enough to watch, rarely enough not to flood the UI. */
export const PARTIAL_INTERVAL_MS = 250;

/** Probes per still-active token in each adaptive round after the first (1 and 2 saved the same passes on the demo model; 2 makes larger passes). */
export const ADAPTIVE_STEP = 2;

/** The embedding of a `token:<id>` mask (null for other schemes), refused up front when the id is not in the vocabulary. */
export async function maskTokenRow(model: AttributionModel, scheme: MaskScheme): Promise<Float32Array | null> {
  if (scheme.kind !== 'token') return null;
  const V = model.config.vocabSize;
  if (!inVocabulary(model, scheme.id)) {
    throw new AttributionError(`mask token id ${scheme.id} is not in ${model.manifest.modelId}'s vocabulary (0 … ${V - 1}); pick an id below ${V}`);
  }
  return model.embed([scheme.id]);
}

/** The row that replaces a masked token's embedding under `scheme` (zero, mean of the context rows of `x`, or a token's embedding). */
export function maskVector(model: AttributionModel, scheme: MaskScheme, x: Float32Array, p: number, tokenRow: Float32Array | null): Float32Array {
  const d = model.config.hiddenSize;
  if (scheme.kind === 'zero') return new Float32Array(d);
  if (scheme.kind === 'token') return tokenRow!;
  const mean = new Float32Array(d);
  for (let i = 0; i < p; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / p;
  return mean;
}

export async function attribute(
  model: AttributionModel,
  input: string | EncodedText,
  target: TargetRequest,
  paramsIn: Partial<AttributionParams> = {},
  options: AttributionOptions = {},
): Promise<AttributionResult> {
  const params: AttributionParams = { ...DEFAULT_PARAMS, ...paramsIn };
  const { signal, onProgress } = options;
  const started = performance.now();
  const { hiddenSize: d, numLayers: L, numHeads: H, vocabSize: V } = model.config;
  for (const [name, limit, value] of [['m', 'm', params.m], ['the standard-error target', 'seTarget', params.seTarget], ['the minimum probes per token', 'minProbes', params.minProbes]] as const) {
    const problem = limitProblem(limit, value);
    if (problem) throw new AttributionError(`${name} ${problem}`);
  }
  if (params.difference !== 'central' && params.difference !== 'forward') throw new AttributionError(`difference must be 'central' or 'forward', got '${params.difference}'`);
  const t0 = performance.now();
  const prepared = await prepareTarget(model, input, target);
  const { prompt, tokens, p, T, x, inspection: inspected, rows } = prepared;
  const central = params.difference === 'central';
  const inGraph = central && (options.prefixReuse ?? true);
  const cost = attributionWork(model.config, p, params.m, { T, rows: rows.length, central, prefixReuse: inGraph });
  onProgress?.({ phase: 'inspect', done: 1, total: 1, remainingMs: null });
  const q = p - 1;
  const rowLogits = inspected.logits.subarray(q * V, (q + 1) * V);
  // M: the inspect pass's attention and value strengths, averaged over the objective's rows (one for a token).
  const { m: M, perLayer } = spanTransition(inspected.attention, inspected.valueStrength, L, H, T, p, rows);
  const flow = flowEdges(inspected.attention, L, H, T, q, 4 * p);
  const inspectMs = performance.now() - t0;
  signal?.throwIfAborted();

  // I: the information lost when row i is masked (heta-spec §3; per target kind in target.ts), batched.
  const t1 = performance.now();
  const mask = maskVector(model, params.mask, x, p, await maskTokenRow(model, params.mask));
  const batch = batchSizeFor(model, T, options.maxBatch);
  const I = new Float64Array(p);
  const contrast = prepared.target.kind === 'contrast';
  const shift = contrast ? new Array<number>(p) : null;
  for (let start = 0; start < p; start += batch) {
    const count = Math.min(batch, p - start);
    const xs = new Float32Array(count * T * d);
    for (let b = 0; b < count; b++) {
      xs.set(x, b * T * d);
      xs.set(mask, (b * T + start + b) * d);
    }
    const logits = await model.logitsAtRows(xs, count, T, rows);
    for (let b = 0; b < count; b++) {
      const logP = itemLogProbs(logits, b, rows.length, V);
      I[start + b] = informationImpact(prepared, logP);
      if (shift) shift[start + b] = prepared.g - objectiveValue(prepared, logP);
    }
    signal?.throwIfAborted();
    onProgress?.({ phase: 'masked', done: start + count, total: p, remainingMs: null });
  }
  const maskedMs = performance.now() - t1;

  // S: ‖Π_i H Π_i r‖₁ with H r from finite differences of the gradient.
  const epsilon = Array.from({ length: p }, (_, i) => {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += x[i * d + j] ** 2;
    return (params.epsilonScale * Math.sqrt(norm)) / Math.sqrt(d) || params.epsilonScale;
  });
  // All m rounds are drawn whatever the mode, so token i's k-th probe never depends on when other tokens stop.
  const probes = rademacherProbes(params.seed, params.m, p, d);
  const adaptive = params.adaptive ? { seTarget: params.seTarget, minProbes: params.minProbes, step: ADAPTIVE_STEP } : undefined;
  let stats = new RunningMean(p);
  let perProbe: (number | null)[][] = [];
  let gradientPasses = 0;
  const fixedGradientPasses = central ? 2 * p * params.m : 1 + p * params.m;
  const t2 = performance.now();

  const result = (): AttributionResult => {
    const S = Array.from(stats.mean);
    return {
      schema: RESULT_SCHEMA,
      version: RESULT_SCHEMA_VERSION,
      model: {
        id: model.manifest.modelId,
        fingerprint: model.manifest.source.fingerprint,
        architecture: model.manifest.hfArchitecture,
        quantization: model.manifest.quantization.requested,
      },
      prompt,
      tokens,
      target: { ...prepared.target, objective: { rows: [...prepared.objective.rows], ids: [...prepared.objective.ids], weights: [...prepared.objective.weights], fed: T } },
      predictions: topPredictions(model, rowLogits, params.topK),
      components: {
        M: Array.from(M),
        M_layers: perLayer.map((l) => Array.from(l)),
        flow,
        S,
        S_stderr: Array.from(stats.standardError()),
        S_probes: perProbe,
        I: Array.from(I),
        ...(shift ? { logOddsShift: shift } : {}),
      },
      scores: Array.from(hetaScores(M, S, I, params.beta, params.gamma, params.scaling)),
      params: { ...params, epsilonRule: `ε_i = ${params.epsilonScale} · ‖x_i‖₂ / √d`, epsilon },
      backend: { name: model.backend, detail: model.backendDetail },
      passes: { inspect: 1, masked: p, gradient: gradientPasses },
      timings: { totalMs: performance.now() - started, inspectMs, maskedMs, hessianMs: performance.now() - t2 },
      sensitivity: {
        probing: adaptive ? 'adaptive' : 'fixed',
        difference: params.difference,
        order: central ? 'second-order' : 'first-order',
        stopRule: adaptive ? `SE_i ≤ ${params.seTarget} · max_j S_j after ≥ ${Math.min(params.minProbes, params.m)} probes, at most m = ${params.m}` : null,
        probesPerToken: Array.from(stats.n),
        gradientPasses,
        fixedGradientPasses,
        passesSaved: fixedGradientPasses - gradientPasses,
      },
      // Token i used probes 0 … n_i − 1 (null past that), so the dump is exactly what was evaluated.
      ...(options.dumpProbes
        ? { probes: perProbe.map((round, k) => round.map((v, i) => (v === null ? null : Array.from(probes[k][i], (s) => (s > 0 ? '+' : '-')).join('')))) }
        : {}),
    };
  };

  onProgress?.({ phase: 'hessian', done: 0, total: p * params.m, remainingMs: null, partial: checked(result(), false) });
  const fullGradient = async (xs: Float32Array, count: number) => {
    gradientPasses += count;
    return (await model.gradient(xs, count, T, prepared.objective)).grad;
  };
  // Host differences (forward differences, or the no-prefix-reuse ablation): full gradient passes, each item
  // perturbing its own token, so batches stay full whichever tokens still need probes.
  const gradientAt = async (items: readonly number[], perturbed: Float32Array): Promise<Float32Array> => {
    const out = new Float32Array(items.length * d);
    for (let start = 0; start < items.length; start += batch) {
      const n = Math.min(batch, items.length - start);
      const xs = new Float32Array(n * T * d);
      for (let b = 0; b < n; b++) {
        xs.set(x, b * T * d);
        xs.set(perturbed.subarray((start + b) * d, (start + b + 1) * d), (b * T + items[start + b]) * d);
      }
      const grad = await fullGradient(xs, n);
      signal?.throwIfAborted();
      for (let b = 0; b < n; b++) {
        const i = items[start + b];
        out.set(grad.subarray((b * T + i) * d, (b * T + i + 1) * d), (start + b) * d);
      }
    }
    return out;
  };
  // Central differences in the graph: the unperturbed X and the inspect pass's keys/values go in unchanged,
  // positions before i come from the cache, and one norm per probe comes back. The cached prefix differs per
  // token, so one pass holds one token's probes.
  const probesPerCall = Math.max(1, Math.floor(batch / 2));
  let placed: ProbeContext | undefined;
  const inGraphNorms: ProbeNorms = async (requests) => {
    const norms: number[] = [];
    for (let s0 = 0; s0 < requests.length; ) {
      const i = requests[s0].token;
      let s1 = s0;
      while (s1 < requests.length && s1 - s0 < probesPerCall && requests[s1].token === i) s1++;
      const chunk = requests.slice(s0, s1);
      const signs = new Float32Array(chunk.length * d);
      chunk.forEach(({ probe }, b) => signs.set(probes[probe][i], b * d));
      gradientPasses += 2 * chunk.length;
      placed ??= await model.probeContext(x, T, inspected);
      norms.push(...(await model.hessianProbe(placed, i, prepared.objective, signs, epsilon[i])));
      signal?.throwIfAborted();
      s0 = s1;
    }
    return norms;
  };
  // Forward differences difference against ∇g(X) over the context rows (a span's rows beyond p are never perturbed).
  const baseGradient = central ? undefined : (await fullGradient(x, 1)).subarray(0, p * d);
  // Tokens with the largest gate M first: only they can score high, so the heatmap's strongest tokens appear first.
  const order = Array.from({ length: p }, (_, i) => i).sort((a, b) => M[b] - M[a] || a - b);
  const interval = options.partialIntervalMs ?? PARTIAL_INTERVAL_MS;
  let lastPartial = -Infinity;
  const hessian = await hessianSensitivity({
    p,
    m: params.m,
    signal,
    adaptive,
    probeNorms: inGraph ? inGraphNorms : normsFromGradients({ x, d, epsilon, probes, central, gradientAt, baseGradient }),
    // One pass holds one token's probes in the graph; host differences fill a batch with several tokens' items.
    tokensPerRound: inGraph ? 1 : Math.max(1, Math.floor(batch / ((central ? 2 : 1) * params.m))),
    order,
    onUpdate: (done, total, running, probesSoFar, remaining) => {
      stats = running;
      perProbe = probesSoFar;
      const doneFlops = stats.n.reduce((sum, n, i) => sum + n * cost.perProbe[i], 0);
      const leftFlops = remaining.reduce((sum, n, i) => sum + n * cost.perProbe[i], 0);
      const remainingMs = doneFlops > 0 ? ((performance.now() - t2) / doneFlops) * leftFlops : null;
      const now = performance.now();
      const update = { phase: 'hessian' as const, done, total, remainingMs };
      if (done < total && now - lastPartial < interval) return onProgress?.(update);
      lastPartial = now;
      onProgress?.({ ...update, partial: checked(result(), false) });
    },
  }).finally(() => placed?.release());
  stats = hessian.stats;
  perProbe = hessian.perProbe;
  return checked(result(), true)!;
}

/** `r` when M, S, I and the scores are all finite; otherwise an AttributionError (`final`) or no partial result to show. */
function checked(r: AttributionResult, final: boolean): AttributionResult | undefined {
  const { M, S, I } = r.components;
  const problem = nonFiniteProblem({ M, S, I, scores: r.scores });
  if (problem && final) throw new AttributionError(problem);
  return problem ? undefined : r;
}
