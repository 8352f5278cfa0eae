// The versioned attribution result: what the CLI writes with --json and what the app renders.

import type { Token } from '../tokenizer/tokenizer';
import type { Prediction } from '../model/languageModel';
import type { ComponentScaling, FlowEdge } from './components';

export const RESULT_SCHEMA = 'heta-attribution';
/**
 * 2 added `sensitivity` (probing mode, probes per token, passes saved), null entries in S_probes and the probe dump.
 * 3 added span and contrast targets: `target.g`, `target.span`, `target.foil`.
 */
export const RESULT_SCHEMA_VERSION = 3;

export type MaskScheme = { kind: 'zero' } | { kind: 'mean' } | { kind: 'token'; id: number };

/** One token: g = log softmax(f(X)[q])[t]. */
export type TokenTarget =
  /** Next token after the prompt: the top prediction, or a given token id. */
  | { kind: 'next'; tokenId?: number }
  /** An in-text token at position p ≥ 1 (teacher forcing). */
  | { kind: 'position'; position: number };

export type TargetRequest =
  | TokenTarget
  /** A typed continuation after the prompt, teacher-forced: g = the log-probability of all its tokens. */
  | { kind: 'span'; continuation: string }
  /** Tokens start … end − 1 of the text itself (e.g. generated ones), teacher-forced. */
  | { kind: 'span'; start: number; end: number }
  /** "Why t and not t′": g = log p(t) − log p(t′) at t's prediction row; the foil by id, or as text that must be one token. */
  | { kind: 'contrast'; target: TokenTarget; foilId: number }
  | { kind: 'contrast'; target: TokenTarget; foilText: string };

/** The target of a result. id … logprob describe t, the (first) target token, at row q = p − 1. */
export interface ResultTarget {
  kind: TargetRequest['kind'];
  id: number;
  text: string;
  position: number;
  probability: number;
  logprob: number;
  /** g(X), the objective explained: t's log-probability, the span's, or the log-odds of t over t′ (absent before version 3: logprob). */
  g?: number;
  /**
   * g as the passes compute it, for an outside replay: g = Σ_r weights[r] · log softmax(f(X)[rows[r]])[ids[r]] over
   * the first `fed` tokens of `tokens` (a span's last token is never fed). Absent before version 3.
   */
  objective?: { rows: number[]; ids: number[]; weights: number[]; fed: number };
  /** Span targets: every token of the span (tokens position … end − 1 of `tokens`) and its log-probability. */
  span?: { ids: number[]; text: string; end: number; logprob: number; continuation: string | null };
  /** Contrast targets: the foil t′ at the same row. */
  foil?: { id: number; text: string; probability: number; logprob: number };
}

export interface AttributionParams {
  beta: number;
  gamma: number;
  /** Raw components (the paper's Eq. 5) or S and I each normalized over the context before β and γ (absent before version 3: raw). */
  scaling: ComponentScaling;
  /** Rademacher probes per token. */
  m: number;
  seed: number;
  mask: MaskScheme;
  /** ε_i = epsilonScale · ‖x_i‖₂ / √d. */
  epsilonScale: number;
  /** Central differences (second-order accurate, 2 passes per probe) or forward (first-order, 1 pass per probe). */
  difference: 'central' | 'forward';
  /** Spend probes in rounds and stop a token once its standard error meets `seTarget` (m is then the most). */
  adaptive: boolean;
  /** Adaptive stopping: SE_i ≤ seTarget · max_j S_j; 0 never stops early (fixed m). */
  seTarget: number;
  /** Adaptive: probes every token gets before it may stop. */
  minProbes: number;
  /** Top predictions reported for next-token targets. */
  topK: number;
}

export const DEFAULT_PARAMS: AttributionParams = {
  beta: 0.5,
  gamma: 0.5,
  scaling: 'raw',
  m: 10,
  seed: 0,
  mask: { kind: 'zero' },
  epsilonScale: 5e-3,
  difference: 'central',
  adaptive: false,
  seTarget: 0.05,
  minProbes: 4,
  topK: 5,
};

export type { Prediction };

export interface AttributionResult {
  schema: typeof RESULT_SCHEMA;
  version: number;
  model: { id: string; fingerprint: string; architecture: string; quantization: string };
  prompt: string;
  /** The prompt's tokens (all of them, also those after an in-text target), then a typed continuation's. */
  tokens: Token[];
  target: ResultTarget;
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
    /** ‖Π_i H Π_i r_k‖₁ per probe: [k][p] (the spread the inspector shows); null where token i used fewer than k + 1 probes. */
    S_probes: (number | null)[][];
    I: number[];
    /**
     * Contrast targets: g(X) − g(X with row i masked), the shift of the log-odds of t over t′ whose size is I.
     * Positive: token i supports t rather than t′; the app signs the scores with it.
     */
    logOddsShift?: number[];
  };
  scores: number[];
  /** `scaling` is absent in results before version 3 (raw). */
  params: Omit<AttributionParams, 'scaling'> & { scaling?: ComponentScaling; epsilonRule: string; epsilon: number[] };
  backend: { name: string; detail: string };
  passes: { inspect: number; masked: number; gradient: number };
  timings: { totalMs: number; inspectMs: number; maskedMs: number; hessianMs: number };
  /** How S was estimated (absent in version-1 results, which are fixed m, central differences). */
  sensitivity?: SensitivityRecord;
  /** Exports and `heta attribute --granularity`: the scores summed over word / sentence / line / paragraph segments. */
  granularity?: GranularityView;
  /** With --dump-probes: the sign vectors token i used, '+'/'-' strings per [k][token]; null where it used no k-th probe. */
  probes?: (string | null)[][];
}

export interface SensitivityRecord {
  probing: 'fixed' | 'adaptive';
  difference: 'central' | 'forward';
  /** Accuracy order of the difference quotient: forward differences are first-order. */
  order: 'second-order' | 'first-order';
  /** The adaptive stopping rule in words; null for fixed m. */
  stopRule: string | null;
  /** n_i: token i used probes r_0 … r_{n_i − 1} of the seeded draw. */
  probesPerToken: number[];
  gradientPasses: number;
  /** Gradient passes fixed m would take with the same difference. */
  fixedGradientPasses: number;
  passesSaved: number;
}

/**
 * Tokens start … end − 1 of the text that a request names: an in-text token, a span of the text, or the
 * in-text token a contrast is built on. Null for next-token targets and typed continuations.
 */
export function inTextTokens(t: TargetRequest): { start: number; end: number } | null {
  const named = t.kind === 'contrast' ? t.target : t;
  if (named.kind === 'position') return { start: named.position, end: named.position + 1 };
  if (named.kind === 'span' && 'start' in named) return { start: named.start, end: named.end };
  return null;
}

/** Probes token i used: from the result's record, or all rounds for version-1 results. */
export function probesUsed(result: Pick<AttributionResult, 'components' | 'sensitivity'>, i: number): number {
  return result.sensitivity?.probesPerToken[i] ?? result.components.S_probes.length;
}

/** Token scores summed over segments found from character offsets (granularity.ts). */
export interface GranularityView {
  level: 'token' | 'word' | 'sentence' | 'line' | 'paragraph';
  /** [start, end) of the text (prompt, then a typed continuation), the context tokens in it, their summed score. */
  segments: { start: number; end: number; text: string; tokens: number[]; score: number }[];
}
