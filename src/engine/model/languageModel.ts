// Plain language-model measurements on a bundle: perplexity, greedy continuation, top-k — the checks
// that a compiled model still behaves like the checkpoint it came from.

import type { Token } from '../tokenizer/tokenizer';
import type { AttributionModel } from './attributionModel';

/** One of the model's most likely next tokens. */
export interface Prediction {
  id: number;
  text: string;
  probability: number;
}

/** log softmax of one logits row (float64 accumulation of float32 logits). */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const logZ = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - logZ);
}


/**
 * Mean negative log-likelihood (nats/token) over windows of T+1 tokens: the model reads the first T and
 * predicts tokens 1 … T (the convention of models/recipe/eval.py).
 */
export async function meanNegativeLogLikelihood(model: AttributionModel, windows: readonly (readonly number[])[], batch = 8): Promise<{ nll: number; tokens: number }> {
  const V = model.config.vocabSize;
  const d = model.config.hiddenSize;
  let total = 0;
  let count = 0;
  for (let start = 0; start < windows.length; start += batch) {
    const group = windows.slice(start, start + batch);
    const T = group[0].length - 1;
    if (group.some((w) => w.length !== T + 1)) throw new Error('windows in one batch must have equal length');
    const xs = new Float32Array(group.length * T * d);
    for (const [b, w] of group.entries()) xs.set(await model.embed(w.slice(0, T)), b * T * d);
    const rows = Array.from({ length: T }, (_, i) => i);
    const logits = await model.logitsAtRows(xs, group.length, T, rows);
    for (const [b, w] of group.entries()) {
      for (const r of rows) {
        const at = (b * T + r) * V;
        total -= logSoftmax(logits.subarray(at, at + V))[w[r + 1]];
        count++;
      }
    }
  }
  return { nll: total / count, tokens: count };
}

/** Greedy decoding of up to `steps` tokens after the prompt ids; stops after a token for which `stop` holds, or at the context length. */
export async function greedyContinuation(model: AttributionModel, ids: readonly number[], steps: number, stop: (id: number) => boolean = () => false): Promise<number[]> {
  const out = [...ids];
  for (let s = 0; s < steps && out.length < model.config.maxPositions; s++) {
    const logits = await model.logitsAt(await model.embed(out), 1, out.length, [out.length - 1]);
    let best = 0;
    for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
    out.push(best);
    if (stop(best)) break;
  }
  return out.slice(ids.length);
}

export interface GeneratedText {
  /** The prompt followed by the decoded continuation. */
  text: string;
  /** The prompt's tokens followed by the generated ones, with character offsets into `text`. */
  tokens: Token[];
  /** Positions (in `tokens`) of the generated tokens. */
  generated: number[];
}

/**
 * Greedy continuation of the prompt, stopping after a special token such as EOS. The generated ids are
 * appended to the prompt's tokens as they are (never re-encoded), so each one can be attributed as an
 * in-text target of exactly the sequence the model produced.
 */
export async function generateContinuation(model: AttributionModel, prompt: string, steps: number): Promise<GeneratedText> {
  const tokenizer = model.tokenizer;
  const promptTokens = tokenizer.encode(prompt);
  const continuation = await greedyContinuation(model, promptTokens.map((t) => t.id), steps, (id) => tokenizer.isSpecial(id));
  const { text, tokens } = tokenizer.append(prompt, promptTokens, continuation);
  return { text, tokens, generated: continuation.map((_, k) => promptTokens.length + k) };
}

/** The k most likely tokens of one row of logits, with their text and probability. */
export function topPredictions(model: AttributionModel, logits: Float32Array, k: number): Prediction[] {
  const logp = logSoftmax(logits);
  return [...logp.keys()]
    .sort((a, b) => logp[b] - logp[a])
    .slice(0, k)
    .map((id) => ({ id, text: model.tokenizer.idToText(id), probability: Math.exp(logp[id]) }));
}

/** The k most likely next tokens after the prompt ids. */
export async function nextTokenPredictions(model: AttributionModel, ids: readonly number[], k: number): Promise<Prediction[]> {
  return topPredictions(model, await model.logitsAt(await model.embed(ids), 1, ids.length, [ids.length - 1]), k);
}
