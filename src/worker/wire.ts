// Partial results cross the worker boundary many times a second: their vectors travel as typed arrays
// in the transfer list (moved, not copied), and the receiver rebuilds the result.

import type { AttributionResult } from '../engine/attribution/schema';

export interface PackedResult {
  /** The result with the packed vectors left empty. */
  shell: AttributionResult;
  M: Float64Array;
  S: Float64Array;
  S_stderr: Float64Array;
  I: Float64Array;
  scores: Float64Array;
  /** M per layer, layer by layer (layers × p). */
  M_layers: Float64Array;
  /** Each probe round's per-token S, round by round (rounds × p); NaN where a token's probe was not evaluated. */
  S_probes: Float64Array;
  /** Probes used per token (empty when the result has no sensitivity record). */
  probesPerToken: Float64Array;
}

/** `result` as a PackedResult, with the buffers to transfer. */
export function packResult(result: AttributionResult): { packed: PackedResult; transfer: ArrayBuffer[] } {
  const c = result.components;
  const packed: PackedResult = {
    shell: {
      ...result,
      components: { ...c, M: [], S: [], S_stderr: [], I: [], M_layers: [], S_probes: [] },
      scores: [],
      ...(result.sensitivity ? { sensitivity: { ...result.sensitivity, probesPerToken: [] } } : {}),
    },
    M: Float64Array.from(c.M),
    S: Float64Array.from(c.S),
    S_stderr: Float64Array.from(c.S_stderr),
    I: Float64Array.from(c.I),
    scores: Float64Array.from(result.scores),
    M_layers: Float64Array.from(c.M_layers.flat()),
    S_probes: Float64Array.from(c.S_probes.flat(), (v) => v ?? NaN),
    probesPerToken: Float64Array.from(result.sensitivity?.probesPerToken ?? []),
  };
  const { shell: _, ...vectors } = packed;
  return { packed, transfer: Object.values(vectors).map((v) => v.buffer as ArrayBuffer) };
}

/** Splits `flat` into rows of `width`. */
function rows<T>(flat: Float64Array, width: number, map: (v: number) => T): T[][] {
  if (width === 0) return [];
  return Array.from({ length: flat.length / width }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width), map));
}

export function unpackResult(packed: PackedResult): AttributionResult {
  const { shell } = packed;
  const p = packed.M.length;
  return {
    ...shell,
    components: {
      ...shell.components,
      M: Array.from(packed.M),
      S: Array.from(packed.S),
      S_stderr: Array.from(packed.S_stderr),
      I: Array.from(packed.I),
      M_layers: rows(packed.M_layers, p, (v) => v),
      S_probes: rows(packed.S_probes, p, (v) => (Number.isNaN(v) ? null : v)),
    },
    scores: Array.from(packed.scores),
    ...(shell.sensitivity ? { sensitivity: { ...shell.sensitivity, probesPerToken: Array.from(packed.probesPerToken) } } : {}),
  };
}
