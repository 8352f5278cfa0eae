// The comparison view's engine side: several attribution methods for one prompt and target, each with
// its deletion curve, reported method by method as each finishes (the app draws a row per report).

import { nonFiniteProblem } from '../attribution/finite';
import type { AttributionParams, AttributionResult, TargetRequest } from '../attribution/schema';
import { AttributionContext } from '../baselines/context';
import { methodById } from '../baselines/methods';
import { deletionCurve } from '../metrics/evaluate';
import { CURVE_FRACTIONS } from '../metrics/faithfulness';
import type { AttributionModel } from '../model/attributionModel';

export interface CompareRow {
  method: string;
  label: string;
  /** One score per context token (positions 0 … p−1). */
  scores: number[];
  /** Drop in g when the top CURVE_FRACTIONS of the tokens by this method are masked, and its mean (AOPC). */
  deletion: number[];
  aopc: number;
  /** Wall time of this method's scores and curve (a pass shared with a later method is charged to the first that needs it). */
  ms: number;
}

export interface CompareOptions {
  heta?: Partial<AttributionParams>;
  /** The attribution already shown for this prompt and target: HETA and its ablations reuse it. */
  provided?: AttributionResult;
  maxBatch?: number;
  signal?: AbortSignal;
  onRow?: (row: CompareRow, index: number) => void;
  /** Progress inside method `index` (e.g. 'ig' 40/257 gradient passes). */
  onProgress?: (index: number, label: string, done: number, total: number) => void;
}

export interface Comparison {
  target: { id: number; position: number; logprob: number };
  fractions: readonly number[];
  rows: CompareRow[];
}

export async function compareMethods(model: AttributionModel, prompt: string, target: TargetRequest, methodIds: readonly string[], options: CompareOptions = {}): Promise<Comparison> {
  const methods = methodIds.map(methodById);
  let index = 0;
  const ctx = await AttributionContext.create(model, prompt, target, {
    heta: options.heta ?? {},
    maxBatch: options.maxBatch,
    signal: options.signal,
    onProgress: (label, done, total) => options.onProgress?.(index, label, done, total),
  });
  if (options.provided) ctx.provideHeta(options.provided);
  const rows: CompareRow[] = [];
  for (const method of methods) {
    const started = performance.now();
    const scores = await method.compute(ctx);
    options.signal?.throwIfAborted();
    const problem = nonFiniteProblem({ [method.label]: scores });
    if (problem) throw new Error(problem);
    options.onProgress?.(index, 'deletion curve', 0, CURVE_FRACTIONS.length);
    const curve = await deletionCurve(ctx, scores);
    options.signal?.throwIfAborted();
    const row: CompareRow = { method: method.id, label: method.label, scores: Array.from(scores), deletion: curve.drops, aopc: curve.aopc, ms: performance.now() - started };
    rows.push(row);
    options.onRow?.(row, index);
    index++;
  }
  return { target: { id: ctx.targetId, position: ctx.p, logprob: ctx.g }, fractions: CURVE_FRACTIONS, rows };
}
