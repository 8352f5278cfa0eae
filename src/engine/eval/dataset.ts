// Evaluation datasets: the curated NarrativeQA⊕SciQ set (shared/data/heta_curated_100.json) and JSONL of
// {prompt, target} items. Host-agnostic: callers pass the file's text.

import type { Span } from '../tokenizer/spans';
import type { TextTokenizer } from '../tokenizer/tokenizer';

export interface EvalItem {
  id: string;
  prompt: string;
  /** Text whose first token is the target next token (e.g. " leaves"). */
  target: string;
  /** Curated items: the segments' character spans in `prompt`. */
  segments?: { distractor: Span; support: Span };
  /** Curated items: annotated important words (matched inside the support segment). */
  importantWords?: string[];
}

export interface Dataset {
  kind: 'curated' | 'jsonl';
  items: EvalItem[];
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** One example of the curated format. */
export interface CuratedExample {
  id?: string;
  input_text: string;
  narrative_segment: string;
  sciq_support_segment: string;
  question?: string;
  target_first_answer_token: string;
  important_words?: string[];
}

/** What follows `input_text` in the prompt; the target is the first answer token after it. */
export const CURATED_ANSWER_CUE = ' Answer:';

/**
 * A curated example as an item: prompt = input_text + " Answer:", target = first token of
 * " " + target_first_answer_token (the answer, not the question's final "?", per the spec), and the two
 * segments located by their exact character span in input_text (support searched after the distractor).
 */
export function curatedItem(e: CuratedExample, index: number): EvalItem {
  const where = e.id ?? `example ${index}`;
  for (const key of ['input_text', 'narrative_segment', 'sciq_support_segment', 'target_first_answer_token'] as const) {
    if (typeof e[key] !== 'string' || e[key] === '') throw new DatasetError(`${where}: '${key}' is missing or empty`);
  }
  const d0 = e.input_text.indexOf(e.narrative_segment);
  if (d0 < 0) throw new DatasetError(`${where}: narrative_segment does not occur in input_text`);
  const distractor = { start: d0, end: d0 + e.narrative_segment.length };
  let s0 = e.input_text.indexOf(e.sciq_support_segment, distractor.end);
  if (s0 < 0) s0 = e.input_text.indexOf(e.sciq_support_segment);
  if (s0 < 0) throw new DatasetError(`${where}: sciq_support_segment does not occur in input_text`);
  const support = { start: s0, end: s0 + e.sciq_support_segment.length };
  if (support.start < distractor.end && distractor.start < support.end) throw new DatasetError(`${where}: the two segments overlap`);
  return {
    id: e.id ?? String(index),
    prompt: e.input_text + CURATED_ANSWER_CUE,
    target: ' ' + e.target_first_answer_token.trim(),
    segments: { distractor, support },
    importantWords: e.important_words ?? [],
  };
}

function jsonlItem(value: unknown, line: number): EvalItem {
  const v = value as { id?: unknown; prompt?: unknown; target?: unknown };
  if (typeof v !== 'object' || v === null || typeof v.prompt !== 'string' || typeof v.target !== 'string') {
    throw new DatasetError(`line ${line}: expected {"prompt": string, "target": string}`);
  }
  if (v.prompt.trim() === '') throw new DatasetError(`line ${line}: the prompt is empty`);
  if (v.target === '') throw new DatasetError(`line ${line}: the target is empty`);
  return { id: v.id === undefined ? `line-${line}` : String(v.id), prompt: v.prompt, target: v.target };
}

/** The curated JSON (an object with `examples`) or JSONL of {prompt, target[, id]} per line. */
export function parseDataset(text: string): Dataset {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined; // not one JSON document: JSONL
  }
  const examples = (json as { examples?: unknown } | undefined)?.examples;
  if (Array.isArray(examples)) return checked({ kind: 'curated', items: examples.map((e, i) => curatedItem(e as CuratedExample, i)) });
  const items: EvalItem[] = [];
  text.split('\n').forEach((raw, k) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new DatasetError(`line ${k + 1}: not JSON (expected the curated JSON file or JSONL of {prompt, target})`);
    }
    items.push(jsonlItem(value, k + 1));
  });
  return checked({ kind: 'jsonl', items });
}

function checked(dataset: Dataset): Dataset {
  if (dataset.items.length === 0) throw new DatasetError('the dataset has no items');
  const seen = new Set<string>();
  for (const it of dataset.items) {
    if (seen.has(it.id)) throw new DatasetError(`duplicate item id '${it.id}'`);
    seen.add(it.id);
  }
  return dataset;
}

/** The target token id of a target text: its first (non-special) token, with a warning when there are more. */
export function targetToken(tokenizer: TextTokenizer, text: string): { id: number; text: string; warning?: string } {
  const tokens = tokenizer.encode(text).filter((t) => !t.special);
  if (tokens.length === 0) throw new DatasetError(`target ${JSON.stringify(text)} produced no tokens`);
  const first = tokens[0];
  const warning = tokens.length > 1 ? `target ${JSON.stringify(text)} is ${tokens.length} tokens; using its first token ${JSON.stringify(first.text)}` : undefined;
  return { id: first.id, text: tokenizer.idToText(first.id), warning };
}
