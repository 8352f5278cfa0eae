// One place that turns a prompt and a target request into what every method needs: the tokens fed to the
// model, their embeddings, the inspect pass, the objective g (heta-spec "Conventions" and "Targets beyond
// one token") with its value, and the prediction row's distribution. HETA, every baseline and the
// faithfulness metrics read the same prepared target, so each error message has one source.

import type { AttributionModel, Inspection, Objective } from '../model/attributionModel';
import type { Token } from '../tokenizer/tokenizer';
import { klDivergence } from './components';
import { logSoftmax } from '../model/languageModel';
import { nonFiniteProblem } from './finite';
import type { ResultTarget, TargetRequest, TokenTarget } from './schema';

export class AttributionError extends Error {
  override name = 'AttributionError';
}

/** A text with its tokens already chosen (e.g. a generated continuation, which re-encoding could merge differently). */
export interface EncodedText {
  text: string;
  tokens: Token[];
}

export interface PreparedTarget {
  prompt: string;
  /** The prompt's tokens, followed by a typed continuation's (offsets continue past the prompt's end). */
  tokens: Token[];
  /** Context length: positions 0 … p − 1 are attributed. */
  p: number;
  /** Sequence length fed to the model: p, or p + k − 1 for a span of k tokens (its last token is never fed). */
  T: number;
  /** Embeddings of the T fed tokens [T, d]; rows from p on are constants (span tokens, teacher-forced). */
  x: Float32Array;
  inspection: Inspection;
  objective: Objective;
  /** The objective's distinct prediction rows q_j (ascending; rows[0] = q = p − 1). */
  rows: number[];
  /** log softmax of the logits at each of `rows`. */
  logP: Float64Array[];
  /** g(X). */
  g: number;
  target: ResultTarget;
}

/** Whether `id` is a token id of the model's vocabulary (an integer in 0 … V − 1). */
export function inVocabulary(model: AttributionModel, id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id < model.config.vocabSize;
}

function tokenTarget(model: AttributionModel, tokens: readonly Token[], target: TokenTarget): { p: number; id: number | null } {
  const n = tokens.length;
  const V = model.config.vocabSize;
  if (target.kind === 'position') {
    if (!Number.isInteger(target.position) || target.position < 1 || target.position >= n) {
      throw new AttributionError(`target position ${target.position} is out of range: an in-text target must be 1 … ${n - 1} (the prompt has ${n} tokens)`);
    }
    return { p: target.position, id: tokens[target.position].id };
  }
  if (target.tokenId !== undefined && !inVocabulary(model, target.tokenId)) {
    throw new AttributionError(`target token id ${target.tokenId} is not in the vocabulary (0 … ${V - 1})`);
  }
  return { p: n, id: target.tokenId ?? null };
}

/** The prompt's tokens, checked: a text is encoded (and must not be empty), given tokens must be in the vocabulary. */
export function encodePrompt(model: AttributionModel, input: string | EncodedText): EncodedText {
  if (typeof input === 'string') {
    if (input.trim() === '') throw new AttributionError('the prompt is empty: type or paste some text first');
    return { text: input, tokens: model.tokenizer.encode(input) };
  }
  const V = model.config.vocabSize;
  const bad = input.tokens.find((t) => !inVocabulary(model, t.id));
  if (bad) throw new AttributionError(`token id ${bad.id} is not in the vocabulary (0 … ${V - 1})`);
  if (input.tokens.length === 0) throw new AttributionError('the prompt produced no tokens');
  return input;
}

function foilId(model: AttributionModel, request: Extract<TargetRequest, { kind: 'contrast' }>): number {
  const V = model.config.vocabSize;
  if ('foilText' in request) {
    const id = model.tokenizer.textToId(request.foilText);
    if (id === null) throw new AttributionError(`the foil ${JSON.stringify(request.foilText)} is not one token of ${model.manifest.modelId}'s vocabulary; contrast with a single token (often with a leading space, e.g. " him")`);
    return id;
  }
  if (!inVocabulary(model, request.foilId)) throw new AttributionError(`the foil token id ${request.foilId} is not in the vocabulary (0 … ${V - 1})`);
  return request.foilId;
}

/** Context length p, span end (exclusive), the first target id (null: the top prediction) and the tokens. */
function resolve(model: AttributionModel, prompt: string, tokens: Token[], request: TargetRequest) {
  if (request.kind === 'next' || request.kind === 'position') return { tokens, ...tokenTarget(model, tokens, request), end: null, continuation: null };
  if (request.kind === 'contrast') return { tokens, ...tokenTarget(model, tokens, request.target), end: null, continuation: null };
  if ('continuation' in request) {
    if (request.continuation.trim() === '') throw new AttributionError('the continuation is empty: type the words whose probability you want explained');
    const ids = model.tokenizer.textIds(request.continuation);
    if (ids.length === 0) throw new AttributionError('the continuation produced no tokens');
    const joined = model.tokenizer.append(prompt, tokens, ids);
    return { tokens: joined.tokens, p: tokens.length, id: ids[0], end: joined.tokens.length, continuation: request.continuation };
  }
  const n = tokens.length;
  const { start, end } = request;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 1 || end > n || end <= start) {
    throw new AttributionError(`span ${start} … ${end - 1} is out of range: a span of the text must lie within tokens 1 … ${n - 1} and hold at least one token`);
  }
  return { tokens, p: start, id: tokens[start].id, end, continuation: null };
}

/**
 * Tokenizes, validates and embeds, runs the inspect pass over the fed tokens and builds the objective:
 * one token (the top prediction when no id is given), a teacher-forced span, or a contrast t − t′.
 */
export async function prepareTarget(model: AttributionModel, input: string | EncodedText, request: TargetRequest): Promise<PreparedTarget> {
  const { text: prompt, tokens: promptToks } = encodePrompt(model, input);
  const { vocabSize: V, maxPositions } = model.config;
  const r = resolve(model, prompt, promptToks, request);
  const { tokens, p } = r;
  const spanIds = r.end === null ? [] : tokens.slice(p, r.end).map((t) => t.id);
  const T = Math.max(p, p + spanIds.length - 1);
  if (T > maxPositions) {
    throw new AttributionError(
      r.end === null
        ? request.kind === 'next' || (request.kind === 'contrast' && request.target.kind === 'next')
          ? `the prompt is too long: ${p} tokens, but ${model.manifest.modelId} reads at most ${maxPositions}. Shorten it or pick an earlier token of the text as target`
          : `the context has ${p} tokens but ${model.manifest.modelId} reads at most ${maxPositions}; shorten the prompt`
        : `the context and span need ${T} positions but ${model.manifest.modelId} reads at most ${maxPositions}; shorten the prompt or the span`,
    );
  }
  const fed = tokens.slice(0, T).map((t) => t.id);
  const x = await model.embed(fed);
  const inspection = await model.inspect(x, T);
  const q = p - 1;
  const rows = r.end === null ? [q] : spanIds.map((_, j) => q + j);
  const logP = rows.map((row) => {
    const logits = inspection.logits.subarray(row * V, (row + 1) * V);
    const bad = nonFiniteProblem({ logits });
    if (bad) throw new AttributionError(bad);
    return logSoftmax(logits);
  });
  const top = logP[0].reduce((best, v, i) => (v > logP[0][best] ? i : best), 0);
  const id = r.id ?? top;
  const first = { id, text: model.tokenizer.idToText(id), position: p, probability: Math.exp(logP[0][id]), logprob: logP[0][id] };

  if (request.kind === 'contrast') {
    const foil = foilId(model, request);
    if (foil === id) throw new AttributionError(`the foil ${JSON.stringify(first.text)} is the target itself: pick another token to contrast with`);
    const g = logP[0][id] - logP[0][foil];
    return {
      prompt, tokens, p, T, x, inspection, rows, logP, g,
      objective: { rows: [q, q], ids: [id, foil], weights: [1, -1] },
      target: { kind: 'contrast', ...first, g, foil: { id: foil, text: model.tokenizer.idToText(foil), probability: Math.exp(logP[0][foil]), logprob: logP[0][foil] } },
    };
  }
  if (r.end !== null) {
    const g = spanIds.reduce((sum, t, j) => sum + logP[j][t], 0);
    const text = tokens.slice(p, r.end).map((t) => t.text).join('');
    return {
      prompt, tokens, p, T, x, inspection, rows, logP, g,
      objective: { rows, ids: spanIds, weights: spanIds.map(() => 1) },
      target: { kind: 'span', ...first, g, span: { ids: spanIds, text, end: r.end, logprob: g, continuation: r.continuation } },
    };
  }
  const g = logP[0][id];
  return {
    prompt, tokens, p, T, x, inspection, rows, logP, g,
    objective: { rows: [q], ids: [id], weights: [1] },
    target: { kind: request.kind, ...first, g },
  };
}

/** log softmax of item b's R rows in a forward pass's [batch, R, V] logits (`logitsAtRows` with the target's rows). */
export function itemLogProbs(logits: Float32Array, b: number, R: number, V: number): Float64Array[] {
  return Array.from({ length: R }, (_, j) => logSoftmax(logits.subarray((b * R + j) * V, (b * R + j + 1) * V)));
}

/** g from the log-probabilities at the prepared target's rows (e.g. of a masked copy of X). */
export function objectiveValue(target: PreparedTarget, logP: readonly Float64Array[]): number {
  const { rows, ids, weights } = target.objective;
  return rows.reduce((sum, row, r) => sum + weights[r] * logP[target.rows.indexOf(row)][ids[r]], 0);
}

/**
 * I for one masked copy, given its log-probabilities at the target's rows: KL at row q for one token, the
 * KL summed over the rows of a span, and |Δg| for a contrast (a KL cannot tell t from t′).
 */
export function informationImpact(target: PreparedTarget, logP: readonly Float64Array[]): number {
  if (target.target.kind === 'contrast') return Math.abs(target.g - objectiveValue(target, logP));
  return target.logP.reduce((sum, clean, j) => sum + klDivergence(clean, logP[j]), 0);
}
