// The versioned attribution result: what the CLI writes with --json and what the app renders.

import type { Token } from '../tokenizer/tokenizer';
import type { FlowEdge } from './components';

export const RESULT_SCHEMA = 'heta-attribution';
export const RESULT_SCHEMA_VERSION = 1;

export type MaskScheme = { kind: 'zero' } | { kind: 'mean' } | { kind: 'token'; id: number };

export type TargetRequest =
  /** Next token after the prompt: the top prediction, or a given token id. */
  | { kind: 'next'; tokenId?: number }
  /** An in-text token at position p ≥ 1 (teacher forcing). */
  | { kind: 'position'; position: number };

export interface AttributionParams {
  beta: number;
  gamma: number;
  /** Rademacher probes per token. */
  m: number;
  seed: number;
  mask: MaskScheme;
  /** ε_i = epsilonScale · ‖x_i‖₂ / √d. */
  epsilonScale: number;
  difference: 'central' | 'forward';
  /** Top predictions reported for next-token targets. */
  topK: number;
}

export const DEFAULT_PARAMS: AttributionParams = {
  beta: 0.5,
  gamma: 0.5,
  m: 10,
  seed: 0,
  mask: { kind: 'zero' },
  epsilonScale: 5e-3,
  difference: 'central',
  topK: 5,
};

export interface Prediction {
  id: number;
  text: string;
  probability: number;
}

export interface AttributionResult {
  schema: typeof RESULT_SCHEMA;
  version: number;
  model: { id: string; fingerprint: string; architecture: string; quantization: string };
  prompt: string;
  /** The prompt's tokens (all of them, also those after an in-text target). */
  tokens: Token[];
  target: { kind: TargetRequest['kind']; id: number; text: string; position: number; probability: number; logprob: number };
  /** Top next-token predictions at the prediction row q = p − 1. */
  predictions: Prediction[];
  /** Over the context, positions 0 … p−1. */
  components: {
    M: number[];
    /** Σ_h Φ^{l,h}[i] ν^{l,h}_i per layer, before normalization: [L][p]. */
    M_layers: number[][];
    /** Head-averaged attention flow ending at the prediction row, strongest edges per layer (layer graph). */
    flow: FlowEdge[];
    S: number[];
    S_stderr: number[];
    /** ‖Π_i H Π_i r_k‖₁ per probe: [m][p] (the spread the inspector shows). */
    S_probes: number[][];
    I: number[];
  };
  scores: number[];
  params: AttributionParams & { epsilonRule: string; epsilon: number[] };
  backend: { name: string; detail: string };
  passes: { inspect: number; masked: number; gradient: number };
  timings: { totalMs: number; inspectMs: number; maskedMs: number; hessianMs: number };
  /** With --dump-probes: the sign vectors, '+'/'-' strings per [round][token]. */
  probes?: string[][];
}
