// `heta lm-check --model <bundle-dir>`: validation perplexity, copy-from-context rate and greedy
// continuations of a bundle, measured through the compiled ONNX graphs.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AttributionModel } from '../engine/model/attributionModel';
import { greedyContinuation, meanNegativeLogLikelihood, nextTokenPredictions } from '../engine/model/languageModel';
import { createNodeRuntime } from '../engine/runtime/nodeRuntime';
import { bundleDirSource } from '../node/bundleFiles';
import { checkOutputFile, writeFileAtomic } from '../node/outputFile';
import { limitedOption, withNegativeValues } from './options';

/** The prompts models/recipe/eval.py continues, so torch and ONNX outputs can be compared. */
export const CONTINUATION_PROMPTS = [
  'The old man walked slowly down to the harbor, where',
  'Tomas Lindqvist kept a brass lantern in the cellar. His sister lived in Oslo. Question: Where did Tomas keep the lantern? Answer:',
  'In the beginning God created',
];

export interface LmCheck {
  validation: { windows: number; tokens: number; loss: number; perplexity: number };
  copy: { items: number; top5: number; rate: number };
  continuations: { prompt: string; continuation: string }[];
}

/** Windows of T+1 tokens from a little-endian uint16 token file (the held-out slice). */
export function validationWindows(bytes: Uint8Array, windows: number, T: number): number[][] {
  const ids = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1)));
  const n = Math.min(windows, Math.floor((ids.length - 1) / T));
  return Array.from({ length: n }, (_, j) => Array.from(ids.subarray(j * T, (j + 1) * T + 1)));
}

export async function lmCheck(model: AttributionModel, valBytes: Uint8Array, copyJsonl: string, windows = 200, T = 256): Promise<LmCheck> {
  const { nll, tokens } = await meanNegativeLogLikelihood(model, validationWindows(valBytes, windows, T));
  const items = copyJsonl.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { prompt: string; answer: string });
  let top5 = 0;
  for (const item of items) {
    const answer = model.tokenizer.encode(item.answer).filter((t) => !t.special)[0].id;
    const top = await nextTokenPredictions(model, model.tokenizer.encode(item.prompt).map((t) => t.id), 5);
    if (top.some((p) => p.id === answer)) top5++;
  }
  const continuations = [];
  for (const prompt of CONTINUATION_PROMPTS) {
    const ids = await greedyContinuation(model, model.tokenizer.encode(prompt).map((t) => t.id), 20);
    continuations.push({ prompt, continuation: ids.map((id) => model.tokenizer.idToText(id)).join('') });
  }
  return {
    validation: { windows: Math.round(tokens / T), tokens, loss: nll, perplexity: Math.exp(nll) },
    copy: { items: items.length, top5, rate: top5 / items.length },
    continuations,
  };
}

export async function lmCheckCommand(argv: string[]): Promise<void> {
  const options = {
    model: { type: 'string', default: 'models/demo/bundle' },
    val: { type: 'string', default: 'models/eval/val-tokens.u16' },
    copy: { type: 'string', default: 'models/eval/copy-from-context.jsonl' },
    windows: { type: 'string', default: '200' },
    json: { type: 'string' },
  } as const;
  const { values } = parseArgs({ args: withNegativeValues(argv, options), options });
  const windows = limitedOption('windows', 'windows', values.windows, 200);
  if (values.json) await checkOutputFile(values.json, '--json');
  const model = await AttributionModel.load(bundleDirSource(values.model!), await createNodeRuntime());
  try {
    const r = await lmCheck(model, new Uint8Array(await readFile(values.val!)), await readFile(values.copy!, 'utf8'), windows);
    console.log(`validation: ${r.validation.windows} windows, ${r.validation.tokens} tokens, loss ${r.validation.loss.toFixed(4)} nats/token, perplexity ${r.validation.perplexity.toFixed(2)}`);
    console.log(`copy from context: answer in top-5 for ${r.copy.top5}/${r.copy.items} prompts (${(100 * r.copy.rate).toFixed(0)}%)`);
    for (const c of r.continuations) console.log(`\nPROMPT: ${c.prompt}\nGREEDY: ${JSON.stringify(c.continuation)}`);
    if (values.json) await writeFileAtomic(values.json, JSON.stringify(r, null, 2));
  } finally {
    await model.release();
  }
}
