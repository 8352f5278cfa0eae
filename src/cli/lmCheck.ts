// `heta lm-check --model <bundle-dir>`: validation perplexity, copy-from-context rate, top-1 accuracy on
// the held-out copy items per question form, and greedy continuations of a bundle, measured through the
// compiled ONNX graphs (models/recipe/eval.py measures the same in torch).

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { targetToken } from '../engine/eval/dataset';
import { AttributionModel } from '../engine/model/attributionModel';
import { greedyContinuation, meanNegativeLogLikelihood, nextTokenPredictions, topPredictions } from '../engine/model/languageModel';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { loadBundleDir } from './loadBundle';
import { checkOutputFile, writeFileAtomic } from '../node/outputFile';
import { limitedOption, withNegativeValues } from './options';

/** The prompts models/recipe/eval.py continues, so torch and ONNX outputs can be compared. */
export const CONTINUATION_PROMPTS = [
  'The old man walked slowly down to the harbor, where',
  'Tomas Lindqvist kept a brass lantern in the cellar. His sister lived in Oslo. Question: Where did Tomas keep the lantern? Answer:',
  'In the beginning God created',
  'Ilse Marsh keeps a brass lantern in the attic. Bram Osei keeps a copper kettle in the cellar. Question: What does Ilse keep in the attic? Answer:',
];

/** One line of models/eval/copy-heldout.jsonl (written by models/recipe/copytasks.py). */
interface HeldoutItem {
  form: string;
  prompt: string;
  target: string;
  /** IOI and agreement items: the same-kind wrong answer (the other name, the other verb number). */
  distractor_answer?: string;
}

/** Per question form: items, answer's first token top-1 / in the top 5, and preferred over its foil. */
export type HeldoutAccuracy = Record<string, { n: number; top1: number; top5: number; overFoil?: number }>;

export interface LmCheck {
  validation: { windows: number; tokens: number; loss: number; perplexity: number };
  copy: { items: number; top5: number; rate: number };
  heldout: HeldoutAccuracy;
  continuations: { prompt: string; continuation: string }[];
}

/** Windows of T+1 tokens from a little-endian uint16 token file (the held-out slice). */
export function validationWindows(bytes: Uint8Array, windows: number, T: number): number[][] {
  const ids = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1)));
  const n = Math.min(windows, Math.floor((ids.length - 1) / T));
  return Array.from({ length: n }, (_, j) => Array.from(ids.subarray(j * T, (j + 1) * T + 1)));
}

/** The first token of an answer text, as the eval harness takes targets (a clear error if it has none). */
const firstId = (model: AttributionModel, text: string) => targetToken(model.tokenizer, text).id;

async function heldoutAccuracy(model: AttributionModel, jsonl: string): Promise<HeldoutAccuracy> {
  const out: HeldoutAccuracy = {};
  for (const line of jsonl.split('\n').filter((l) => l.trim())) {
    const item = JSON.parse(line) as HeldoutItem;
    const ids = model.tokenizer.encode(item.prompt).map((t) => t.id);
    const logits = await model.logitsAt(await model.embed(ids), 1, ids.length, [ids.length - 1]);
    const top = topPredictions(model, logits, 5);
    const target = firstId(model, item.target);
    const r = (out[item.form] ??= { n: 0, top1: 0, top5: 0 });
    r.n++;
    if (top[0].id === target) r.top1++;
    if (top.some((p) => p.id === target)) r.top5++;
    if (item.distractor_answer !== undefined) {
      r.overFoil = (r.overFoil ?? 0) + (logits[target] > logits[firstId(model, ' ' + item.distractor_answer)] ? 1 : 0);
    }
  }
  return out;
}

export async function lmCheck(model: AttributionModel, valBytes: Uint8Array, copyJsonl: string, heldoutJsonl: string, windows = 200, T = 256): Promise<LmCheck> {
  const { nll, tokens } = await meanNegativeLogLikelihood(model, validationWindows(valBytes, windows, T));
  const items = copyJsonl.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { prompt: string; answer: string });
  let top5 = 0;
  for (const item of items) {
    const answer = firstId(model, item.answer);
    const top = await nextTokenPredictions(model, model.tokenizer.encode(item.prompt).map((t) => t.id), 5);
    if (top.some((p) => p.id === answer)) top5++;
  }
  const heldout = await heldoutAccuracy(model, heldoutJsonl);
  const continuations = [];
  for (const prompt of CONTINUATION_PROMPTS) {
    const ids = await greedyContinuation(model, model.tokenizer.encode(prompt).map((t) => t.id), 20);
    continuations.push({ prompt, continuation: ids.map((id) => model.tokenizer.idToText(id)).join('') });
  }
  return {
    validation: { windows: Math.round(tokens / T), tokens, loss: nll, perplexity: Math.exp(nll) },
    copy: { items: items.length, top5, rate: top5 / items.length },
    heldout,
    continuations,
  };
}

export async function lmCheckCommand(argv: string[]): Promise<void> {
  const options = {
    model: { type: 'string', default: 'models/demo/bundle' },
    val: { type: 'string', default: 'models/eval/val-tokens.u16' },
    copy: { type: 'string', default: 'models/eval/copy-from-context.jsonl' },
    heldout: { type: 'string', default: 'models/eval/copy-heldout.jsonl' },
    windows: { type: 'string', default: '200' },
    json: { type: 'string' },
  } as const;
  const { values } = parseArgs({ args: withNegativeValues(argv, options), options });
  const windows = limitedOption('windows', 'windows', values.windows, 200);
  if (values.json) await checkOutputFile(values.json, '--json');
  const model = await loadBundleDir(values.model!, await createNodeRuntime());
  try {
    const r = await lmCheck(model, new Uint8Array(await readFile(values.val!)), await readFile(values.copy!, 'utf8'), await readFile(values.heldout!, 'utf8'), windows);
    console.log(`validation: ${r.validation.windows} windows, ${r.validation.tokens} tokens, loss ${r.validation.loss.toFixed(4)} nats/token, perplexity ${r.validation.perplexity.toFixed(2)}`);
    console.log(`copy from context: answer in top-5 for ${r.copy.top5}/${r.copy.items} prompts (${(100 * r.copy.rate).toFixed(0)}%)`);
    for (const [form, a] of Object.entries(r.heldout)) {
      const foil = a.overFoil === undefined ? '' : `, over the same-kind foil ${a.overFoil}/${a.n}`;
      console.log(`held-out copy, ${form}: top-1 ${a.top1}/${a.n} (${((100 * a.top1) / a.n).toFixed(0)}%), top-5 ${a.top5}/${a.n}${foil}`);
    }
    for (const c of r.continuations) console.log(`\nPROMPT: ${c.prompt}\nGREEDY: ${JSON.stringify(c.continuation)}`);
    if (values.json) await writeFileAtomic(values.json, JSON.stringify({ schema: 'heta-lm-check', ...r }, null, 2));
  } finally {
    await model.release();
  }
}
