// A small hand-made attribution result for unit tests (no model involved).

import { DEFAULT_PARAMS, type AttributionResult } from '../engine/attribution/schema';
import type { Token } from '../engine/tokenizer/tokenizer';

// A version-1 result's parameters: today's defaults without `scaling`, which version 3 added.
const { scaling: _added, ...V1_PARAMS } = DEFAULT_PARAMS;

/** Tokens of `prompt` cut at the given boundaries (after an optional BOS). */
export function tokensOf(prompt: string, cuts: number[], bos = true): Token[] {
  const tokens: Token[] = bos ? [{ id: 0, text: '<s>', start: 0, end: 0, special: true }] : [];
  let start = 0;
  for (const end of [...cuts, prompt.length]) {
    tokens.push({ id: tokens.length + 10, text: prompt.slice(start, end), start, end, special: false });
    start = end;
  }
  return tokens;
}

export function sampleResult(overrides: Partial<AttributionResult> = {}): AttributionResult {
  const prompt = 'The cat sat\non the mat';
  // <s> | The | ␣cat | ␣sat | \n | on | ␣the | ␣m | at
  const tokens = tokensOf(prompt, [3, 7, 11, 12, 14, 18, 20]);
  const p = tokens.length;
  const M = [0.05, 0.1, 0.2, 0.1, 0.05, 0.1, 0.1, 0.1, 0.2];
  const S = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const I = [0.5, 0.1, 0.2, 0.3, 0.1, 0.0, 0.4, 0.2, 0.9];
  const L = 2;
  return {
    schema: 'heta-attribution',
    version: 1,
    model: { id: 'tiny', fingerprint: 'abc', architecture: 'LlamaForCausalLM', quantization: 'q8' },
    prompt,
    tokens,
    target: { kind: 'next', id: 42, text: ' sofa', position: p, probability: 0.25, logprob: Math.log(0.25) },
    predictions: [
      { id: 42, text: ' sofa', probability: 0.25 },
      { id: 43, text: ' floor', probability: 0.2 },
    ],
    components: {
      M,
      M_layers: Array.from({ length: L }, (_, l) => M.map((m) => m * (l + 1))),
      flow: [
        { layer: 1, from: 2, to: 2, weight: 0.3 },
        { layer: 1, from: 1, to: 8, weight: 0.05 },
        { layer: 1, from: 8, to: 8, weight: 0.4 },
        { layer: 2, from: 2, to: 8, weight: 0.2 },
        { layer: 2, from: 8, to: 8, weight: 0.6 },
        { layer: 2, from: 0, to: 8, weight: 0.01 },
      ],
      S,
      S_stderr: S.map((s) => s / 10),
      S_probes: [S.map((s) => s * 0.9), S.map((s) => s * 1.1), S.map((s) => s * 1.0)],
      I,
    },
    scores: M.map((m, i) => m * (0.5 * S[i] + 0.5 * I[i])),
    params: {
      ...V1_PARAMS,
      m: 3,
      epsilonRule: 'ε_i = 0.005 · ‖x_i‖₂ / √d',
      epsilon: M.map(() => 1e-3),
    },
    backend: { name: 'wasm', detail: 'WebAssembly, 2 threads' },
    passes: { inspect: 1, masked: p, gradient: 2 * 3 * p },
    timings: { totalMs: 10, inspectMs: 1, maskedMs: 2, hessianMs: 7 },
    ...overrides,
  };
}
