// The shipped demo model, through its compiled ONNX bundle: perplexity, copying and greedy samples stay
// as models/README.md reports them, and S converges in ε.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { attribute } from '../attribution/heta';
import { createNodeRuntime } from '../runtime/nodeRuntime';
import { bundleDirSource } from '../../node/bundleFiles';
import { CONTINUATION_PROMPTS, lmCheck, type HeldoutAccuracy } from '../../cli/lmCheck';
import { nextTokenPredictions } from './languageModel';
import { AttributionModel } from './attributionModel';

/** What `npx heta lm-check --json models/demo/metrics.json` measured when the bundle was made. */
interface Metrics {
  validation: { perplexity: number; tokens: number };
  copy: { top5: number; items: number };
  heldout: HeldoutAccuracy;
}

/** Greedy 20-token continuations of CONTINUATION_PROMPTS by the shipped q8 bundle. */
const PINNED_CONTINUATIONS = [
  ' the old boats were in the kitchen. On Tuesday, Troulois sanded',
  ' cellar. Question: Where does His sister lived for many years? Answer: Oslo.<|endoftext|>',
  ' the world of the world. --J. S. Mill.\n2. To be conform',
  ' brass. Question: What does Bram keep in the cellar? Answer: copper.<|endoftext|>'
];

/** Copy prompts with real names (the app's example gallery is of this kind) and the answer the model gives. */
const PINNED_ANSWERS: [string, string][] = [
  ['Nora\'s bicycle is green. Tomas\'s bicycle is red. Question: What colour is Nora\'s bicycle? Answer:', ' green'],
  ['Ada has a dog named Biscuit. Leo has a dog named Pepper. Question: What is the name of Leo\'s dog? Answer:', ' Pepper'],
  ['Grace bought 12 apples at the market. Felix bought 40 apples at the market. Question: How many apples did Felix buy? Answer:', ' 40'],
  ['Omar Khan lives in Lisbon. Lena Novak lives in Kyoto. Question: Where does Lena live? Answer:', ' Kyoto'],
  ['When Clara and Otto went to the harbor, Otto gave a lantern to', ' Clara'],
  ['The list reads: Oslo, Lima, Porto, Accra, Dublin. Once more, the list reads: Oslo, Lima, Porto,', ' Accra'],
];

describe('demo model bundle', async () => {
  const model = await AttributionModel.load(bundleDirSource('models/demo/bundle'), await createNodeRuntime());
  const metrics = JSON.parse(await readFile('models/demo/metrics.json', 'utf8')) as Metrics;

  it('validation perplexity, copy rates and greedy continuations match what models/README.md reports', async () => {
    const r = await lmCheck(
      model,
      new Uint8Array(await readFile('models/eval/val-tokens.u16')),
      await readFile('models/eval/copy-from-context.jsonl', 'utf8'),
      await readFile('models/eval/copy-heldout.jsonl', 'utf8'),
    );
    expect(r.validation.tokens).toBe(metrics.validation.tokens);
    expect(Math.abs(r.validation.perplexity / metrics.validation.perplexity - 1)).toBeLessThan(0.01);
    expect(r.copy.top5).toBe(metrics.copy.top5);
    // Held-out copy accuracy per form: one item's argmax may flip with another CPU's float rounding.
    expect(Object.keys(r.heldout)).toEqual(Object.keys(metrics.heldout));
    for (const [form, a] of Object.entries(r.heldout)) expect(Math.abs(a.top1 - metrics.heldout[form].top1), form).toBeLessThanOrEqual(1);
    expect(r.continuations.map((c) => c.prompt)).toEqual(CONTINUATION_PROMPTS);
    expect(r.continuations.map((c) => c.continuation)).toEqual(PINNED_CONTINUATIONS);
  });

  it('answers copy prompts with real names by copying the right entity, not the distractor', async () => {
    for (const [prompt, answer] of PINNED_ANSWERS) {
      const [top] = await nextTokenPredictions(model, model.tokenizer.encode(prompt).map((t) => t.id), 1);
      expect(top.text, prompt).toBe(answer);
    }
  });

  it('S at ε and ε/2 agrees within 1% (finite differences have converged)', async () => {
    const prompt = 'Mary put the lantern in the cellar. Question: where is the lantern? Answer: in the';
    const a = await attribute(model, prompt, { kind: 'next' }, { m: 2, epsilonScale: 5e-3 });
    const b = await attribute(model, prompt, { kind: 'next' }, { m: 2, epsilonScale: 2.5e-3 });
    a.components.S.forEach((s, i) => expect(Math.abs(s / b.components.S[i] - 1)).toBeLessThan(0.01));
  });
});
